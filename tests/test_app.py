"""Widget paths of app.py through Streamlit's AppTest (no browser: the canvas is tested
in test_browser.py). The live-training fragment ticks once per run of the script here."""
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import ffn

APP = str(Path(__file__).resolve().parent.parent / "app.py")


@pytest.fixture
def at():
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    return at


def metric(at, label):
    return next((m for m in at.metric if m.label == label), None)


def run_until_done(at, max_runs=60):
    for _ in range(max_runs):
        if metric(at, "Test accuracy (10,000 images)") or any("loss became" in e.value or "blew up" in e.value
                                                             for e in at.error):
            return
        at.run()
        assert not at.exception
    raise AssertionError("training did not finish")


def test_starts_with_the_default_preset_and_hints(at):
    assert at.selectbox(key="preset").value == "article_he"
    assert at.button(key="start").disabled is False
    assert at.button(key="stop").disabled is True
    assert any("press **Start**" in i.value for i in at.info)
    assert any("canvas is empty" in i.value for i in at.info)  # blank canvas: a hint, no prediction
    assert metric(at, "Prediction") is None
    assert at.radio(key="model_choice").value == "bundled"


def test_presets_set_the_widgets(at):
    at.selectbox(key="preset").set_value("article").run()
    assert (at.select_slider(key="hidden_size").value, at.selectbox(key="weight_init").value,
            at.selectbox(key="optimizer").value, at.select_slider(key="learning_rate").value,
            at.number_input(key="iters").value) == (64, "std", "sgd", 0.01, 5000)
    at.selectbox(key="preset").set_value("fast").run()
    assert (at.select_slider(key="hidden_size").value, at.selectbox(key="optimizer").value,
            at.select_slider(key="batch_size").value, at.number_input(key="iters").value,
            at.selectbox(key="lr_schedule").value) == (256, "adam", 512, 702, "cosine")
    assert not at.exception


def test_a_short_run_trains_and_reports_test_accuracy(at):
    at.number_input(key="iters").set_value(300)
    at.select_slider(key="train_size").set_value(2000)
    at.button(key="start").click().run()
    run_until_done(at)
    run = at.session_state["run"]
    assert run.trainer.status == "finished" and len(run.trainer.history["loss"]) == 300
    acc = float(metric(at, "Test accuracy (10,000 images)").value.rstrip("%")) / 100
    assert acc == pytest.approx(run.final["test"], abs=1e-4) and acc > 0.7
    assert at.button(key="start").disabled is False
    assert any("Finished 300 iterations" in s.value for s in at.success)
    # the trained model is now a choice on the Draw tab
    assert any(o.startswith("Trained in this session") for o in at.radio(key="model_choice").options)


def long_run(at):
    """Settings for a run of a minute or so, so that it is still going after a script run."""
    at.select_slider(key="hidden_size").set_value(512)
    at.select_slider(key="batch_size").set_value(1024)
    at.number_input(key="iters").set_value(1400)


def test_stop_ends_the_run(at):
    long_run(at)
    at.button(key="start").click().run()
    assert at.session_state["run"].trainer.status == "running"
    assert at.button(key="start").disabled is True  # a run in progress is never replaced silently
    at.selectbox(key="preset").set_value("fast").run()  # nor by changing a widget
    assert at.session_state["run"].trainer.status == "running"
    assert any("apply to the next run" in c.value for c in at.caption)
    at.button(key="stop").click().run()
    at.run()
    tr = at.session_state["run"].trainer
    assert tr.status == "stopped" and tr.iteration < 1400
    assert metric(at, "Test accuracy (10,000 images)") is not None
    assert not at.exception


def test_pause_and_resume(at):
    long_run(at)
    at.button(key="start").click().run()
    at.button(key="pause").click().run()
    run = at.session_state["run"]
    assert run.paused
    before = run.trainer.iteration
    at.run()
    assert run.trainer.iteration == before  # paused: no training
    assert at.button(key="pause").label == "Resume"
    at.button(key="pause").click().run()
    assert run.trainer.iteration > before
    at.button(key="reset").click().run()
    assert at.session_state["run"] is None


def test_a_diverging_run_says_so_in_plain_words(at):
    at.select_slider(key="learning_rate").set_value(100.0)
    at.number_input(key="iters").set_value(500)
    at.button(key="start").click().run()
    run_until_done(at)
    assert at.session_state["run"].trainer.status == "diverged"
    assert any("lower the learning rate" in e.value.lower() for e in at.error)


def test_settings_out_of_bounds_disable_start(at):
    at.number_input(key="iters").set_value(20000)
    at.select_slider(key="batch_size").set_value(1024).run()
    assert any("can't run here" in e.value for e in at.sidebar.error)
    assert at.button(key="start").disabled is True
    assert not at.exception


def test_a_bad_upload_shows_an_error_and_the_page_stays_up(at):
    at.file_uploader(key="upload").set_value(("evil.npz", b"definitely not a zip", "application/octet-stream"))
    at.run()
    assert not at.exception
    assert any("can't be used" in e.value for e in at.error)
    assert len(at.radio(key="model_choice").options) == 1


def test_a_good_upload_becomes_a_model_choice(at):
    net = ffn.MultiLayerNet(784, [16, 8], 10, seed=0)
    at.file_uploader(key="upload").set_value(("m.npz", ffn.model_bytes(net, test_accuracy=0.1),
                                              "application/octet-stream"))
    at.run()
    assert not at.exception
    assert at.radio(key="model_choice").options[-1] == "Uploaded (10.0% on MNIST test)"
    at.radio(key="model_choice").set_value("uploaded").run()
    assert not at.exception and at.radio(key="model_choice").value == "uploaded"


def test_every_widget_has_a_key(at):
    widgets = [*at.button, *at.selectbox, *at.select_slider, *at.slider, *at.number_input,
               *at.checkbox, *at.radio, *at.file_uploader]
    assert widgets and all(w.key for w in widgets)
    assert np.all([not w.key.startswith("$$") for w in widgets])


def test_live_charts_survive_a_script_run_without_new_accuracy(at):
    """Within one run of the live fragment the accuracy chart may not change between
    redraws; drawing it again must not be a duplicate element (a bug found in a browser)."""
    at.select_slider(key="hidden_size").set_value(512)
    at.select_slider(key="batch_size").set_value(16)
    at.number_input(key="iters").set_value(20000)
    at.button(key="start").click().run()
    assert not at.exception
    assert at.session_state["run"].trainer.status == "running"
    at.button(key="stop").click().run()
    assert not at.exception
