"""Widget paths of app.py through Streamlit's AppTest (no browser: the canvas is tested
in test_browser.py). The live-training fragment ticks once per run of the script here."""

import gc
import io
import time
import tracemalloc
import weakref
import zipfile

import numpy as np

import pytest
from streamlit.testing.v1 import AppTest

import ffn
from tests.support import APP
from tests.support.apptest import a_seven, code_blocks, data_url, metric, rerun_until, upload
from tests.support.hostile import png_declaring
from serve.runs import RUNNING


def run_until_done(at, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if metric(at, "Test accuracy (10,000 images)") or any(
            "loss became" in e.value or "blew up" in e.value for e in at.error
        ):
            # once more, as the page reruns itself when a run ends: the Draw tab, drawn before the
            # Train tab polled the run, then offers the model too (missed once, under load)
            at.run()
            assert not at.exception
            return
        time.sleep(0.1)
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
    assert (
        at.select_slider(key="hidden_size").value,
        at.selectbox(key="weight_init").value,
        at.selectbox(key="optimizer").value,
        at.select_slider(key="learning_rate").value,
        at.number_input(key="iters").value,
    ) == (64, "std", "sgd", 0.01, 5000)
    at.selectbox(key="preset").set_value("fast").run()
    assert (
        at.select_slider(key="hidden_size").value,
        at.selectbox(key="optimizer").value,
        at.select_slider(key="batch_size").value,
        at.number_input(key="iters").value,
        at.selectbox(key="lr_schedule").value,
    ) == (256, "adam", 256, 840, "cosine")
    assert not at.exception


def test_a_short_run_trains_and_reports_test_accuracy(at):
    at.number_input(key="iters").set_value(300)
    at.select_slider(key="train_size").set_value(2000)
    at.button(key="start").click().run()
    run_until_done(at)
    run = at.session_state["run"]
    assert run.outcome[0] == "finished" and len(run.history["loss"]) == 300
    acc = float(metric(at, "Test accuracy (10,000 images)").value.rstrip("%")) / 100
    assert acc == pytest.approx(run.final["test"], abs=1e-4) and acc > 0.7
    assert at.button(key="start").disabled is False
    assert any("Finished 300 iterations" in s.value for s in at.success)
    # the trained model is now a choice on the Draw tab
    assert any(o.startswith("Trained in this session: run 1") for o in at.radio(key="model_choice").options)


def long_run(at):
    """Settings for a run of a minute or so, so that it is still going after a script run."""
    at.select_slider(key="hidden_size").set_value(512)
    at.select_slider(key="batch_size").set_value(1024)
    at.number_input(key="iters").set_value(1400)


def test_stop_ends_the_run(at):
    long_run(at)
    at.button(key="start").click().run()
    rerun_until(at, lambda run: run.state == RUNNING)
    assert at.button(key="start").disabled is True  # a run in progress is never replaced silently
    at.selectbox(key="preset").set_value("fast").run()  # nor by changing a widget
    assert at.session_state["run"].state == RUNNING
    assert any("apply to the next run" in c.value for c in at.caption)
    at.button(key="stop").click().run()
    run = rerun_until(at, lambda run: run.done)
    assert run.outcome[0] == "stopped" and run.outcome[1]["iteration"] < 1400
    run_until_done(at)
    assert metric(at, "Test accuracy (10,000 images)") is not None
    assert not at.exception


def test_pause_and_resume(at):
    long_run(at)
    at.button(key="start").click().run()
    rerun_until(at, lambda run: run.state == RUNNING)
    at.button(key="pause").click().run()
    run = rerun_until(at, lambda run: run.paused)
    before = run.progress["iteration"]
    at.run()
    assert run.sync().progress["iteration"] == before  # paused: no training
    assert at.button(key="pause").label == "Resume"
    at.button(key="pause").click().run()
    rerun_until(at, lambda run: run.progress["iteration"] > before)
    at.button(key="reset").click().run()
    assert at.session_state["run"] is None


def test_a_diverging_run_says_so_in_plain_words(at):
    at.select_slider(key="learning_rate").set_value(100.0)
    at.number_input(key="iters").set_value(500)
    at.button(key="start").click().run()
    run_until_done(at)
    assert at.session_state["run"].outcome[0] == "diverged"
    assert any("lower the learning rate" in e.value.lower() for e in at.error)


def test_settings_out_of_bounds_disable_start(at):
    at.number_input(key="iters").set_value(20000)
    at.select_slider(key="batch_size").set_value(1024).run()
    assert any("can't run here" in e.value for e in at.sidebar.error)
    assert at.button(key="start").disabled is True
    assert not at.exception


def test_a_bad_upload_shows_an_error_and_the_page_stays_up(at):
    at.file_uploader(key="upload").set_value(
        ("evil.npz", b"definitely not a zip", "application/octet-stream")
    )
    at.run()
    assert not at.exception
    assert any("can't be used" in e.value for e in at.error)
    assert len(at.radio(key="model_choice").options) == 1


def test_a_good_upload_becomes_a_model_choice(at):
    net = ffn.MultiLayerNet(784, [16, 8], 10, seed=0)
    at.file_uploader(key="upload").set_value(
        ("m.npz", ffn.model_bytes(net, test_accuracy=0.1), "application/octet-stream")
    )
    at.run()
    assert not at.exception
    assert at.radio(key="model_choice").options[-1] == "Uploaded (10.0% on MNIST test)"
    at.radio(key="model_choice").set_value("uploaded").run()
    assert not at.exception and at.radio(key="model_choice").value == "uploaded"


def test_every_widget_has_a_key(at):
    widgets = [
        *at.button,
        *at.selectbox,
        *at.select_slider,
        *at.slider,
        *at.number_input,
        *at.checkbox,
        *at.radio,
        *at.file_uploader,
        *at.toggle,
    ]
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
    rerun_until(at, lambda run: run.state == RUNNING and run.history["eval_iteration"])
    at.run()
    at.button(key="stop").click().run()
    assert not at.exception


# --- What a hostile or clumsy browser can send: a message, and the page stays up ---


@pytest.fixture
def canvas_sends(monkeypatch):
    """Make the canvas component return ``value`` as its drawing's data URL, as a modified
    browser could (the component itself only runs in a real browser)."""
    AppTest.from_file(APP, default_timeout=60).run()  # the component imports only inside a script run
    import streamlit_drawable_canvas as sdc

    import ui.draw_panel

    def sends(value, raises=False):
        def fake(**kw):
            if raises:
                raise TypeError("'int' object has no attribute 'get'")  # what a malformed value did
            return sdc.CanvasResult(json_data=None, image_data_url=value, return_image_data=True)

        monkeypatch.setattr(ui.draw_panel, "st_canvas", fake)
        at = AppTest.from_file(APP, default_timeout=60)
        at.run()
        return at

    return sends


def page_is_up(at):
    assert not at.exception
    assert at.button(key="start").disabled is False  # the Train tab is whole
    assert at.radio(key="model_choice").value in ("bundled", "uploaded")


def test_a_drawing_sent_as_a_data_url_is_read(canvas_sends):
    at = canvas_sends(data_url(a_seven()))
    page_is_up(at)
    assert metric(at, "Prediction").value == "7"


def test_clear_empties_the_canvas_in_one_run_without_reading_the_drawing_again(canvas_sends):
    at = canvas_sends(data_url(a_seven()))  # the canvas still sends its drawing in Clear's run
    assert metric(at, "Prediction").value == "7"
    canvas_id = at.session_state["canvas_id"]
    at.button(key="clear").click().run()
    assert at.session_state["canvas_id"] == canvas_id + 1  # a new, empty initial drawing
    assert any("canvas is empty" in i.value for i in at.info) and not at.metric
    at.run()  # the next run: the canvas's drawing is read again (a real canvas sends its empty one)
    assert metric(at, "Prediction").value == "7"


HOSTILE_DRAWINGS = {
    "2.6 KB declaring 169 Mpx": data_url(png_declaring(13000, 13000)),
    "just over the largest canvas": data_url(png_declaring(1681, 1681)),  # 4 x 420, the presenter's canvas
    "a broken IHDR chunk": data_url(a_seven()[:29] + b"\0\0\0\0" + a_seven()[33:]),
    "half a PNG": data_url(a_seven()[:700]),
    "a GIF": data_url(b"GIF89a not a png"),
    "bad base64": "data:image/png;base64,@@@not base64@@@",
    "no data URL": "no separator at all",
    "a number": 12345,
    "a dict": {"data": "x"},
}


@pytest.mark.parametrize("value", HOSTILE_DRAWINGS.values(), ids=HOSTILE_DRAWINGS)
def test_a_hostile_drawing_gets_a_message_and_costs_little(canvas_sends, value):
    tracemalloc.start()
    at = canvas_sends(value)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    page_is_up(at)
    assert any("drawing could not be read" in e.value for e in at.error)
    assert metric(at, "Prediction") is None
    assert peak < 150, f"peak {peak:.0f} MB"  # the page itself; a 13000x13000 decode is 676 MB


def test_a_canvas_value_the_component_cannot_parse_gets_a_message(canvas_sends):
    at = canvas_sends(None, raises=True)
    page_is_up(at)
    assert any("drawing could not be read" in e.value for e in at.error)


def test_an_upload_with_a_raw_bytes_member_gets_a_message_on_every_rerun(at):
    net = ffn.MultiLayerNet(784, [16, 8], 10, seed=0)
    with zipfile.ZipFile(io.BytesIO(ffn.model_bytes(net))) as zf:
        members = {n: zf.read(n) for n in zf.namelist()}
    members["W1.npy"] = b"raw bytes"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for n, raw in members.items():
            zf.writestr(n, raw)
    upload(at, buf.getvalue())
    page_is_up(at)
    assert any("can't be used" in e.value for e in at.error)
    at.run()  # the file was handled once; its message stays
    page_is_up(at)
    assert any("can't be used" in e.value for e in at.error)
    assert "W1.npy is not a readable .npy array" in code_blocks(at)[0].value
    assert any("The file is damaged: it could not be read." in e.value for e in at.error)


@pytest.mark.parametrize(
    "net, why",
    [
        (
            ffn.MultiLayerNet(100, [16, 8], 10, seed=0),
            "takes 100 inputs and gives 10 outputs; reading a 28×28",
        ),
        (ffn.MultiLayerNet(784, [16, 8], 4096, seed=0), "takes 784 inputs and gives 4,096 outputs"),
        (
            ffn.MultiLayerNet(784, [4096, 16], 10, seed=0),
            "has 3,281,082 weights; this app accepts at most 3,184,148",
        ),
    ],
)
def test_models_that_cannot_read_a_digit_are_refused_in_the_pages_words(at, net, why):
    upload(at, ffn.model_bytes(net))
    page_is_up(at)
    assert len(at.radio(key="model_choice").options) == 1
    assert any(why in e.value for e in at.error), [e.value for e in at.error]
    assert at.expander and code_blocks(at)  # the checker's own record, folded away, as plain text


def test_untrusted_text_in_an_upload_error_is_shown_as_text(at):
    evil = "[click me](https://example.com) ![x](https://example.com/x.png) <b>bold</b>"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("meta.npy", b"")
        zf.writestr(evil, b"")
    upload(at, buf.getvalue())
    page_is_up(at)
    assert evil in code_blocks(at)[0].value  # a code block: no link, no image, no HTML
    assert not any("example.com" in e.value for e in at.error)


def test_an_unexpected_loader_failure_is_logged_and_worded(at, monkeypatch, caplog):
    def broken(*a, **k):
        raise RecursionError("what a 200,000-deep meta used to raise")

    monkeypatch.setattr(ffn, "load_model", broken)
    upload(at, ffn.model_bytes(ffn.MultiLayerNet(784, [16, 8], 10, seed=0)))
    page_is_up(at)
    assert any("The file is damaged" in e.value for e in at.error) and not code_blocks(at)
    assert "unexpected error while loading" in caplog.text


def test_a_cleared_upload_releases_its_model(at):
    upload(at, ffn.model_bytes(ffn.MultiLayerNet(784, [16, 8], 10, seed=0)))
    ref = weakref.ref(at.session_state["uploaded_model"])
    at.file_uploader(key="upload").set_value(None)
    at.run()
    page_is_up(at)
    gc.collect()
    assert "uploaded_model" not in at.session_state and ref() is None


def test_a_model_that_fails_on_a_drawing_gets_a_message(canvas_sends, monkeypatch):
    def fails(self, x):
        raise FloatingPointError("overflow")

    monkeypatch.setattr(ffn.MultiLayerNet, "predict_proba", fails)
    at = canvas_sends(data_url(a_seven()))
    page_is_up(at)
    assert any("could not read the drawing" in e.value for e in at.error)


def test_a_tiny_training_set_is_measured_about_25_times_and_captioned_truly(at):
    at.select_slider(key="train_size").set_value(1000)
    at.select_slider(key="batch_size").set_value(1024)
    at.number_input(key="iters").set_value(1500).run()
    assert any(
        "1,500 iterations of 1,000 images = 1500.0 epochs of 1,000 images" in c.value
        for c in at.sidebar.caption
    )
    at.button(key="start").click().run()
    run = rerun_until(at, lambda run: len(run.history["eval_iteration"]) >= 3)
    every = run.history["eval_iteration"][2] - run.history["eval_iteration"][1]
    assert 25 <= 1500 // every <= 100


def test_a_reload_warning_is_shown_with_a_run(at):
    assert not any("Reloading" in c.value for c in at.caption)
    at.number_input(key="iters").set_value(100)
    at.select_slider(key="train_size").set_value(1000)
    at.button(key="start").click().run()
    assert any("Reloading or closing this page ends the run" in c.value for c in at.caption)


def test_the_run_just_trained_reads_the_drawings_unless_the_student_chose_a_model(at):
    at.number_input(key="iters").set_value(300)
    at.select_slider(key="train_size").set_value(2000)
    at.button(key="start").click().run()
    run_until_done(at)
    at.run()  # the Draw tab's choice, as the page draws it after the run
    assert at.radio(key="model_choice").value == "run1"
    assert any("Reading with the network you just trained" in c.value for c in at.caption)
    at.session_state["tab"] = "evaluate"
    at.run()
    assert at.radio(key="eval_model").value == "run1"  # Evaluate measures it too
    at.session_state["tab"] = "train"
    at.radio(key="model_choice").set_value("bundled").run()  # the student's own choice...
    at.button(key="start").click().run()
    run_until_done(at)
    at.run()
    assert at.radio(key="model_choice").value == "bundled"  # ...stays through the next run
    at.session_state["tab"] = "evaluate"
    at.run()
    assert at.radio(key="eval_model").value == "run2"  # Evaluate's was not chosen by hand


def test_a_run_that_diverged_never_reads_the_drawings(at):
    at.select_slider(key="learning_rate").set_value(100.0)
    at.number_input(key="iters").set_value(500)
    at.button(key="start").click().run()
    run_until_done(at)
    at.run()
    assert at.session_state["run"].outcome[0] == "diverged"
    assert at.radio(key="model_choice").value == "bundled"


def test_a_first_visit_says_what_to_do_and_the_charts_say_they_wait(at):
    assert at.title[0].value == "Teach a network to read handwriting"
    assert "99.3%" in at.markdown[0].value and "Start" in at.markdown[0].value  # the bundled model, measured
    assert not [b for b in at.button if b.key == "back_to_lesson"]  # no lesson, no "Back to the lesson"
    long_run(at)
    at.button(key="start").click().run()
    run = at.session_state["run"]
    assert run is not None and not run.done
    # three waiting charts, unless the worker's first points came before the page drew them (the
    # waiting itself: tests/test_ui/test_train_panel.py)
    waiting = [c.value for c in at.caption].count("Waiting for the first points…")
    assert waiting == 3 or (waiting == 0 and run.history["loss"])
    at.button(key="reset").click().run()
