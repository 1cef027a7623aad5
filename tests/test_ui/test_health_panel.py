"""The Train tab's views of what training does, through AppTest: the gradient-health chart,
the first layer's tiles, a Step, the gradient check, and the tiles of any model."""

import base64
import json
import math

import numpy as np
import pytest

from tests.support.apptest import rerun_until
from serve.runs import RUNNING


def figures(at):
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def values(v):
    """A trace's x or y: a list, or Plotly's typed array ({'dtype', 'bdata'} in base64)."""
    if isinstance(v, dict):
        return np.frombuffer(base64.b64decode(v["bdata"]), dtype=v["dtype"]).tolist()
    return list(v)


def health_chart(at):
    return next(f for f in figures(at) if any(t.get("name", "").startswith("layer 1") for t in f["data"]))


def small(at, iters=300):
    at.number_input(key="iters").set_value(iters)


def test_a_run_shows_the_gradient_chart_and_the_tiles_and_each_measure(at):
    small(at)
    at.button(key="start").click().run()
    run = rerun_until(at, lambda r: r.done)
    fig = health_chart(at)
    assert [t["name"] for t in fig["data"]] == ["layer 1 (784→64)", "layer 2 (64→32)", "layer 3 (32→10)"]
    assert fig["layout"]["yaxis"]["type"] == "log"
    assert len(fig["data"][0]["x"]) == len(run.history["health_iteration"]) >= 100
    assert fig["data"][0]["y"] == pytest.approx([g[0] for g in run.history["grad_norm"]])
    tiles = [i for i in at.get("image") if "first 64 units of layer 1" in i.proto.imgs[0].caption]
    assert tiles and "iteration 300" in tiles[0].proto.imgs[0].caption
    at.toggle(key="tiles_change").set_value(True).run()
    assert any("What training changed" in i.proto.imgs[0].caption for i in at.get("image"))
    for metric in ("update_ratio", "inactive", "act_std", "act_mean"):
        at.selectbox(key="health_metric").set_value(metric).run()
        assert not at.exception
        assert len(health_chart(at)["data"]) == (3 if metric == "update_ratio" else 2)  # hidden layers only
    at.toggle(key="tiles_live").set_value(False).run()
    assert not any(
        "· iteration" in i.proto.imgs[0].caption for i in at.get("image")
    )  # the live tiles are gone


def test_a_diverged_run_draws_its_charts_up_to_the_last_finite_point(at):
    at.select_slider(key="learning_rate").set_value(100.0)
    small(at, 500)
    at.button(key="start").click().run()
    run = rerun_until(at, lambda r: r.done)
    assert run.outcome[0] == "diverged"
    at.selectbox(key="health_metric").set_value("update_ratio").run()
    assert not at.exception
    for fig in figures(at):
        for trace in fig["data"]:
            ys = [y for y in values(trace.get("y", [])) if y is not None]
            assert all(math.isfinite(y) for y in ys)
    fig = health_chart(at)
    assert fig["data"][0]["x"][-1] <= run.outcome[1]["iteration"]
    # The trainer stops a run at a loss of 1e3, before its figures overflow; one that overflowed
    # between two checks (a float32 gradient at inf, a NaN spread) still draws up to its last finite point.
    h = run.history
    last = h["health_iteration"][-1]
    for i, bad in enumerate((math.inf, math.nan)):
        h["health_iteration"].append(last + i + 1)
        for key in ("grad_norm", "update_ratio", "inactive", "act_mean", "act_std"):
            h[key].append([bad] * len(h[key][-1]))
    h["loss"].append(math.nan)
    h["iteration"].append(h["iteration"][-1] + 1)
    for metric in ("grad_norm", "inactive"):
        at.selectbox(key="health_metric").set_value(metric).run()
        assert not at.exception
        fig = health_chart(at)
        assert fig["data"][0]["x"][-1] == last


def test_step_before_a_run_then_again_shows_the_batch_the_losses_and_the_change(at):
    at.button(key="step").click().run()
    run = rerun_until(at, lambda r: r.paused)
    assert run.progress["iteration"] == 1
    assert any(h.value == "Step: iteration 1" for h in at.subheader)
    loss = next(m for m in at.metric if m.label == "Loss on this batch, after the update")
    assert float(loss.value) > 0
    captions = [i.proto.imgs[0].caption for i in at.get("image")]
    assert "The batch: 32 of its 200 images" in captions
    assert any(c.startswith("What this one step changed") for c in captions)
    assert at.button(key="pause").label == "Resume"
    at.button(key="step").click().run()
    run = rerun_until(at, lambda r: r.paused and r.progress["iteration"] == 2)
    assert any(h.value == "Step: iteration 2" for h in at.subheader)
    at.button(key="pause").click().run()  # Resume: no Step panel while it trains
    rerun_until(at, lambda r: r.state == RUNNING or r.done)
    assert not any(h.value.startswith("Step:") for h in at.subheader)
    at.button(key="reset").click().run()


def test_the_gradient_check_on_the_starting_network_and_a_paused_run(at):
    at.button(key="gradcheck").click().run()
    assert not at.exception
    table = at.table[0]
    assert list(table.value.iloc[:, 0]) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    assert "the network these settings start from" in " ".join(m.value for m in at.markdown)
    assert any("backprop is right" in s.value for s in at.success)
    at.button(key="step").click().run()
    rerun_until(at, lambda r: r.paused)
    at.button(key="gradcheck").click().run()
    assert "the run's network at iteration 1" in " ".join(m.value for m in at.markdown)
    assert all(v == "✓" for v in at.table[0].value.iloc[:, 1])


def test_the_models_first_layer_on_the_draw_tab(at):
    images = [i.proto.imgs[0].caption for i in at.get("image")]
    assert any("first 64 units of layer 1" in c for c in images)  # the bundled model's
    assert at.toggle(key="model_tiles_change").disabled  # its starting weights are unknown


def test_the_gradient_check_of_a_paused_run_with_batch_norm(at):
    """The paused run's state (weights and running statistics) goes to the check: the
    biases before batch norm are too small to check, and the page says why."""
    at.select_slider(key="depth").set_value(3)
    at.selectbox(key="normalization").set_value("batch")
    at.select_slider(key="dropout").set_value(0.2)
    at.button(key="step").click().run()
    run = rerun_until(at, lambda r: r.paused)
    assert len(run.params()) > len(run.settings.hidden_sizes())  # a state vector came back
    at.button(key="gradcheck").click().run()
    assert "the run's network at iteration 1" in " ".join(m.value for m in at.markdown)
    table = at.table[0].value
    assert list(table.iloc[:4, 0]) == ["W1", "b1", "gamma1", "beta1"]
    verdicts = dict(zip(table.iloc[:, 0], table.iloc[:, 1]))
    assert verdicts["b1"] == "– too small to check" and verdicts["gamma1"] == verdicts["W4"] == "✓"
    assert any("b1, b2, b3: too small to check" in i.value for i in at.info)
    assert not at.error


def test_a_check_waiting_in_the_queue_leaves_the_page_idle_and_its_button_disabled(at, monkeypatch):
    import ui.health_panel

    made, waited = [], []

    class Queued:  # a check behind other runs: it waits in the queue all through this test
        pending = queued = True
        rows = None

        def __init__(self, *args):
            made.append(self)

        def wait(self, seconds, queued=0.5):
            waited.append(seconds)

        def where(self):
            return 3, 42.0

    monkeypatch.setattr(ui.health_panel, "GradCheck", Queued)
    at.button(key="gradcheck").click().run()
    assert len(made) == 1 and at.button(key="gradcheck").disabled  # disabled in the click's own run
    queued = "the check is number 3 in the queue and should start in about 42 s"
    assert any(queued in i.value for i in at.info)
    at.run()  # the fragment's timer: still one check, still disabled
    assert len(made) == 1 and at.button(key="gradcheck").disabled


def test_a_checks_wait_gives_up_after_a_moment_while_it_is_queued_not_after_three_seconds(monkeypatch):
    import types

    from serve.runs import QUEUED, RUNNING
    from ui import run as ui_run

    clock = types.SimpleNamespace(now=0.0)
    monkeypatch.setattr(ui_run, "time", types.SimpleNamespace(monotonic=lambda: clock.now))
    handle = types.SimpleNamespace(state=QUEUED)

    def wait_for_change(seconds):
        clock.now += seconds
    handle.wait_for_change = wait_for_change
    check = ui_run.GradCheck.__new__(ui_run.GradCheck)
    check._handle = handle
    check.wait(3.0)
    assert 0.5 <= clock.now < 0.7  # queued: back to the page after half a second
    handle.state, clock.now = RUNNING, 0.0
    check.wait(3.0)
    assert clock.now >= 3.0  # in a worker (about half a second): waited for, up to the three
