"""The sidebar through AppTest: the article's tricks and the depth option, their bounds and
messages, the two lesson presets, and a run with the tricks on from the sidebar to the
charts and the inside views."""

import json

import pytest

from ffn.presets import PRESETS
from tests.support.apptest import rerun_until


def caption(at):
    return next(c.value for c in at.sidebar.caption if c.value.startswith("Layers "))


@pytest.mark.parametrize("name, normalization", [("deep_stuck", "none"), ("deep_bn", "batch")])
def test_the_lesson_presets_set_a_deep_sigmoid_network(at, name, normalization):
    at.selectbox(key="preset").set_value(name).run()
    assert (
        at.select_slider(key="hidden_size").value,
        at.select_slider(key="depth").value,
        at.selectbox(key="activation").value,
        at.selectbox(key="weight_init").value,
        at.selectbox(key="optimizer").value,
        at.selectbox(key="normalization").value,
        at.select_slider(key="dropout").value,
        at.checkbox(key="residual").value,
    ) == (128, 5, "sigmoid", "std", "sgd", normalization, 0.0, False)
    assert at.number_input(key="iters").value == 2160  # 4 epochs of 54,000 images in batches of 100
    assert caption(at).startswith("Layers 784 → 128 → 128 → 128 → 128 → 64 → 10. 2,160 iterations")
    assert at.session_state["preset"] == name and PRESETS[name].normalization == normalization
    help_text = at.selectbox(key="preset").help
    assert "Deep and stuck" in help_text and "11 %" in help_text and "95 %" in help_text


def test_residual_connections_need_equal_layers_and_say_so(at):
    at.checkbox(key="residual").check().run()  # depth 2: H then H/2
    assert any(
        "need two hidden layers of the same size: choose 3 or more" in e.value for e in at.sidebar.error
    )
    assert at.button(key="start").disabled is True
    assert any(
        "need two hidden layers" in w.value for w in at.warning
    )  # beside Start, too: not below the fold
    assert any(c.value == "Changed from the preset: residual." for c in at.sidebar.caption)
    at.select_slider(key="depth").set_value(3).run()
    assert not at.sidebar.error and at.button(key="start").disabled is False and not at.warning
    assert any(c.value == "Changed from the preset: hidden layers, residual." for c in at.sidebar.caption)
    assert caption(at).startswith("Layers 784 → 64 → 64 → 32 → 10.")


def test_the_tricks_have_bounded_choices_and_labels(at):
    assert at.select_slider(key="depth").options == ["2", "3", "4", "5", "6"]
    assert at.select_slider(key="dropout").options == ["0", "0.1", "0.2", "0.3", "0.5"]
    assert at.selectbox(key="normalization").options == ["none", "batch norm", "layer norm"]


def test_a_run_with_every_trick_trains_and_its_views_name_the_layers(at):
    at.select_slider(key="depth").set_value(3)
    at.selectbox(key="normalization").set_value("batch")
    at.select_slider(key="dropout").set_value(0.2)
    at.checkbox(key="residual").check()
    at.select_slider(key="train_size").set_value(2000)
    at.number_input(key="iters").set_value(200)
    at.button(key="start").click().run()
    run = rerun_until(at, lambda r: r.done)
    assert run.outcome[0] == "finished" and run.final["test"] > 0.5
    net = run.net
    assert (net.normalization, net.dropout_ratio, net.residual) == ("batch", 0.2, True)
    assert net.stats["running_var1"].min() > 0 and not (net.stats["running_mean2"] == 0).all()
    health = next(
        json.loads(c.proto.spec)
        for c in at.get("plotly_chart")
        if any(t.get("name", "").startswith("layer 1") for t in json.loads(c.proto.spec)["data"])
    )
    assert [t["name"] for t in health["data"]] == [
        "layer 1 (784→64, BatchNorm, dropout 0.2)",
        "layer 2 (64→64, BatchNorm, dropout 0.2, residual)",
        "layer 3 (64→32, BatchNorm, dropout 0.2)",
        "layer 4 (32→10)",
    ]
