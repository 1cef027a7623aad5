"""The session keeps its last five finished or stopped runs; Reset keeps them, Forget does not."""

import numpy as np
import pytest

from tests.support.apptest import finish_a_run, rerun_until

import ffn
from ui.charts import MAX_POINTS, smooth
from ui.kept import MAX_KEPT, compact


def test_the_last_five_runs_are_kept_and_reset_keeps_them(at):
    for k in range(MAX_KEPT + 1):
        finish_a_run(at, 20 + k)
    kept = at.session_state["kept_runs"]
    assert [k.number for k in kept] == [2, 3, 4, 5, 6]  # the oldest went first
    assert [k.settings.iters for k in kept] == [21, 22, 23, 24, 25]
    newest = kept[-1]
    assert newest is at.session_state["run"].kept and newest.final["test"] > 0
    assert newest.history["loss_smooth"].dtype == np.float32 and "loss" not in newest.history
    assert len(newest.history["loss_smooth"]) == 25
    assert not any(k.startswith("snapshot_") for k in newest.history)
    # what it holds is small: a handle to its model's file, not a network
    assert not any(isinstance(v, ffn.MultiLayerNet) for v in vars(newest).values())
    assert newest.model_file() == open(newest.model.path, "rb").read() and newest.model_file()[:2] == b"PK"
    assert newest.net.meta["test_accuracy"] == newest.final["test"]  # read when asked
    at.button(key="reset").click().run()
    assert at.session_state["run"] is None and len(at.session_state["kept_runs"]) == MAX_KEPT
    at.button(key="forget_runs").click().run()
    assert not at.exception and at.session_state["kept_runs"] == []


def test_a_stopped_run_is_kept_a_diverged_one_is_not(at):
    at.select_slider(key="learning_rate").set_value(100.0)
    finish_a_run(at, 300)
    assert at.session_state["run"].outcome[0] == "diverged"
    assert at.session_state["kept_runs"] == []
    at.select_slider(key="learning_rate").set_value(0.1)
    at.select_slider(key="hidden_size").set_value(512)  # a run of a minute: still going after a script run
    at.select_slider(key="batch_size").set_value(1024)
    at.number_input(key="iters").set_value(1400)
    at.button(key="start").click().run()
    rerun_until(at, lambda run: len(run.history["eval_iteration"]) >= 2)  # something to compare
    at.button(key="stop").click().run()
    rerun_until(at, lambda run: run.done)
    assert at.session_state["run"].outcome[0] == "stopped"
    assert len(at.session_state["kept_runs"]) == 1


def test_compact_history_drops_snapshots_and_packs_series():
    h = {
        "loss": [1.0, 0.5],
        "iteration": [1, 2],
        "grad_norm": [[0.1, 0.2], [0.3, 0.4]],
        "snapshot_w1": [object()],
    }
    c = compact(h)
    assert set(c) == {"loss_smooth", "iteration", "grad_norm"}
    assert c["loss_smooth"].dtype == np.float32 and c["grad_norm"].shape == (2, 2)
    assert c["iteration"].tolist() == [1, 2]
    assert c["loss_smooth"].tolist() == pytest.approx(smooth([1.0, 0.5]))


def test_a_long_runs_loss_is_kept_as_the_chart_draws_it():
    rng = np.random.default_rng(0)
    loss = (2.3 * np.exp(-np.arange(20000) / 3000) + rng.normal(0, 0.1, 20000)).tolist()
    c = compact({"iteration": list(range(1, 20001)), "loss": loss, "eval_iteration": [0, 20000]})
    at = c["iteration"] - 1
    assert len(at) <= MAX_POINTS + 1 and at[0] == 0 and at[-1] == 19999  # the first and the last point
    np.testing.assert_allclose(c["loss_smooth"], smooth(loss)[at], rtol=1e-6)  # smoothed over every point
    assert sum(a.nbytes for a in c.values()) < 10_000  # against 1.3 MB as two lists of 20,000
