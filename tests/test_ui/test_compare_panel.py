"""Runs compared: the overlay appears by itself after a second run, each run labelled by what
it changed (the labels: test_fields.py); the axes, the table, forgetting."""

import base64
import json

import numpy as np
import pytest

from tests.support.apptest import finish_a_run


def values(array):
    """A figure's array as its JSON holds it: a list, or Plotly's typed array (base64 bytes)."""
    if isinstance(array, dict):
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"])
    return np.asarray(array)


def test_two_runs_one_setting_changed_are_overlaid_with_a_table(at):
    finish_a_run(at, 300)
    assert not any(h.value == "Your runs compared" for h in at.subheader)
    assert any("press Start again" in c.value for c in at.caption)
    at.selectbox(key="activation").set_value("sigmoid")
    finish_a_run(at, 300)
    assert any(h.value == "Your runs compared" for h in at.subheader)
    assert at.multiselect(key="compare_runs").value == [1, 2]
    figs = {c.key: json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.key}
    assert {"compare_loss", "compare_acc", "compare_grad"} <= set(figs)
    assert [t["name"] for t in figs["compare_loss"]["data"]] == ["activation = ReLU", "activation = Sigmoid"]
    table = at.table[0].value
    assert list(table["run"]) == ["activation = ReLU", "activation = Sigmoid"]
    assert list(table.columns) == ["run", "test accuracy", "iterations to 90 % validation accuracy"]
    assert all(cell == "never" or cell.endswith(" epochs)") for cell in table.iloc[:, 2])  # no clock's figure
    assert at.radio(key="compare_x").options == ["iterations", "epochs", "images seen"]
    runs = at.session_state["kept_runs"]
    for axis in ("epochs", "images"):
        at.radio(key="compare_x").set_value(axis).run()
        assert not at.exception
        fig = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.key == "compare_acc")
        assert fig["layout"]["xaxis"]["title"]["text"] == {"images": "images seen", "epochs": "epochs"}[axis]
        last = runs[0].history["eval_iteration"][-1]
        assert values(fig["data"][0]["x"])[-1] == pytest.approx(
            {"images": last * runs[0].settings.batch_size, "epochs": runs[0].history["epoch"][-1]}[axis])
    at.multiselect(key="compare_runs").set_value([2]).run()
    assert any("two runs or more" in i.value for i in at.info)
    at.button(key="forget_runs").click().run()
    assert not at.exception and not any(h.value == "Your runs compared" for h in at.subheader)


def test_a_new_run_joins_the_overlay_and_one_kept_run_can_be_forgotten(at):
    for iters in (40, 41, 42):
        finish_a_run(at, iters)
    at.multiselect(key="compare_runs").set_value([1, 2]).run()
    finish_a_run(at, 43)
    assert at.multiselect(key="compare_runs").value == [1, 2, 3, 4]  # the newest is in at once
    at.radio(key="model_choice").set_value("run2").run()
    at.button(key="reset").click().run()
    assert at.radio(key="model_choice").value == "run2"  # its label did not change with Reset
    at.button(key="forget_runs").click().run()
    assert not at.exception and at.radio(key="model_choice").value == "bundled"
    finish_a_run(at, 44)
    assert any("press Start again" in c.value for c in at.caption)
    at.button(key="forget_runs").click().run()  # one kept run can be forgotten too
    assert at.session_state["kept_runs"] == []
