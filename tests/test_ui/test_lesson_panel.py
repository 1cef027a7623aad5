"""A lesson in a link, through AppTest: the widgets a link sets, the controls it hides (and
still applies), its note as plain text, the parts it can't use, Back to the lesson, the
address bar kept in step, the share control's link, and presenter mode."""

import pytest
from streamlit.testing.v1 import AppTest

from tests.support import APP
from tests.support.apptest import rerun_until

EVERY = {
    "preset": "fast",
    "hidden_size": "128",
    "depth": "3",
    "activation": "tanh",
    "weight_init": "xavier",
    "optimizer": "rmsprop",
    "momentum_beta": "0.95",
    "learning_rate": "0.003",
    "lr_schedule": "step",
    "batch_size": "64",
    "iters": "1234",
    "weight_decay": "0.0001",
    "normalization": "layer",
    "dropout": "0.2",
    "residual": "1",
    "valid_ratio": "0.2",
    "train_size": "5000",
    "augment": "1",
    "seed": "7",
    "tab": "draw",
    "view": "inside",
    "lang": "en",
}
WIDGETS = {
    "hidden_size": ("select_slider", 128),
    "depth": ("select_slider", 3),
    "activation": ("selectbox", "tanh"),
    "weight_init": ("selectbox", "xavier"),
    "optimizer": ("selectbox", "rmsprop"),
    "momentum_beta": ("select_slider", 0.95),
    "learning_rate": ("select_slider", 0.003),
    "lr_schedule": ("selectbox", "step"),
    "batch_size": ("select_slider", 64),
    "iters": ("number_input", 1234),
    "weight_decay": ("select_slider", 0.0001),
    "normalization": ("selectbox", "layer"),
    "dropout": ("select_slider", 0.2),
    "residual": ("checkbox", True),
    "valid_ratio": ("slider", 0.2),
    "train_size": ("select_slider", 5000),
    "augment": ("checkbox", True),
    "seed": ("number_input", 7),
    "preset": ("selectbox", "fast"),
}


def opened(query):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query)
    at.run()
    assert not at.exception
    return at


def widget(at, key):
    kind = WIDGETS[key][0]
    return getattr(at, kind)(key=key)


def tab(at):
    return next(b for b in at.get("button_group") if b.key == "tab")


def test_a_link_with_every_parameter_sets_every_widget_and_the_tab():
    at = opened(EVERY)
    for key, (_kind, value) in WIDGETS.items():
        got = widget(at, key).value
        assert got == pytest.approx(value) if isinstance(value, float) else got == value, key
    assert tab(at).value == "draw" and at.radio(key="view").value == "inside"
    assert not at.warning  # nothing in it was refused
    assert dict(at.query_params)["seed"] == "7"  # and the address bar keeps it


def test_hidden_controls_are_hidden_and_still_apply():
    at = opened(
        {
            "optimizer": "adam",
            "learning_rate": "0.001",
            "hide": "optimizer,learning_rate,preset",
            "iters": "100",
            "train_size": "1000",
        }
    )
    keys = {w.key for w in at.selectbox} | {w.key for w in at.select_slider}
    assert not keys & {"optimizer", "learning_rate", "preset"} and "activation" in keys
    assert any(
        "Set by the lesson, and hidden: Preset, Optimizer = Adam, Learning rate = 0.001." == c.value
        for c in at.sidebar.caption
    )
    assert not any(c.value.startswith("Changed from the preset: optimizer") for c in at.sidebar.caption)
    at.selectbox(key="activation").set_value("sigmoid").run()  # a few reruns: the hidden values stay
    at.run()
    at.button(key="start").click().run()
    run = at.session_state["run"]
    assert (run.settings.optimizer, run.settings.learning_rate, run.settings.activation) == (
        "adam",
        0.001,
        "sigmoid",
    )
    assert dict(at.query_params)["hide"] == "optimizer,learning_rate,preset"


def test_the_note_is_plain_text_as_typed():
    note = "<script>alert('x')</script> **bold** [link](https://example.com) :red[red]"
    at = opened({"note": note})
    assert [t.value for t in at.text][0] == note
    assert not any("<script>" in m.value or "bold" in m.value for m in at.markdown)
    assert dict(at.query_params)["note"] == note


def test_parts_that_cant_be_used_are_named_and_the_defaults_apply():
    at = opened(
        {
            "hidden_size": "100",
            "optimizer": "<b>adamw</b>",
            "iters": "20000",
            "batch_size": "1024",
            "seed": "7",
            "tab": "nowhere",
            "colour": "red",
        }
    )
    assert at.warning[0].value.startswith("Some parts of the link were not used")
    problems = at.text[0].value
    for part in (
        "Hidden size H (hidden_size=100): not one of the choices here",
        "Optimizer (optimizer=<b>adamw</b>): not one of the choices",
        "tab=nowhere",
        "colour=red: not something this app reads",
        "Batch size (batch_size=1024): with the link's other settings, the "
        "run can't run here (This run would process 5,120,000 images",
        "Iterations (iters=20000): with the link's other settings, the "
        "run can't run here (This run would process 4,000,000 images",
    ):
        assert part in problems, problems
    assert problems.count("can't run here") == 2  # each with its own reason
    zh = opened({"lang": "zh", "iters": "20000", "batch_size": "1024"}).text[0].value
    assert "批大小" in zh and "This run" not in zh  # the caps' reason in the link's language too
    assert "colour" not in dict(at.query_params)  # named, then wiped when the page writes its address
    assert at.select_slider(key="hidden_size").value == 64 and tab(at).value == "train"
    # each over the caps with the preset's other value: both fall back; the rest of the link applies
    assert at.number_input(key="iters").value == 5000 and at.number_input(key="seed").value == 7
    at.button(key="problems_ok").click().run()
    assert not at.warning


def test_back_to_the_lesson_restores_the_links_settings():
    at = opened({"preset": "article", "hidden_size": "256", "activation": "sigmoid"})
    back = at.button(key="back_to_lesson")
    assert back.disabled  # nothing changed yet
    at.select_slider(key="hidden_size").set_value(32)
    at.selectbox(key="preset").set_value("fast").run()
    assert not at.button(key="back_to_lesson").disabled
    at.button(key="back_to_lesson").click().run()
    assert (
        at.selectbox(key="preset").value,
        at.select_slider(key="hidden_size").value,
        at.selectbox(key="activation").value,
        at.selectbox(key="weight_init").value,
    ) == ("article", 256, "sigmoid", "std")
    assert at.button(key="back_to_lesson").disabled


def test_the_address_bar_follows_the_page_and_the_share_control_composes_a_link():
    at = opened({})
    assert "back_to_lesson" not in {b.key for b in at.button}  # no lesson to go back to
    at.select_slider(key="hidden_size").set_value(256).run()
    at.session_state["tab"] = "evaluate"
    at.run()
    q = dict(at.query_params)
    assert q["hidden_size"] == "256" and q["tab"] == "evaluate" and q["optimizer"] == "sgd" and len(q) == 23
    assert q["lesson"] == "none"  # the page's own address: it opened with no lesson
    assert q["momentum_beta"] == "0.9"  # every field, a new one with its default
    at.multiselect(key="share_hide").set_value(["optimizer", "seed"])
    at.text_area(key="share_note").input("Watch the gradient").run()
    shared = next(c.value for c in at.code if c.value.startswith("http"))
    assert (
        "hidden_size=256" in shared
        and "hide=optimizer%2Cseed" in shared
        and "note=Watch+the+gradient" in shared
    )
    assert "hide" not in dict(at.query_params)  # composing a link changes nothing on this page


def test_presenter_mode_from_the_link_and_the_toggle():
    at = opened({"present": "1"})
    assert at.toggle(key="present").value is True
    qr = [i for i in at.get("image") if "Scan to open this page" in i.proto.imgs[0].caption]
    assert qr
    styles = " ".join(h.proto.body for h in at.get("html"))
    assert "font-size: 150%" in styles
    at.toggle(key="present").set_value(False).run()
    assert not [i for i in at.get("image") if "Scan to open" in i.proto.imgs[0].caption]
    assert "present" not in dict(at.query_params)


def test_after_a_reload_the_changes_stay_and_back_to_the_lesson_still_returns_to_the_link():
    at = opened({"preset": "article", "hidden_size": "256"})
    at.select_slider(key="hidden_size").set_value(32).run()
    address = dict(at.query_params)
    assert address["hidden_size"] == "32" and "hidden_size=256" in address["lesson"]
    again = opened(address)  # a reload: a new session on the address the page wrote
    assert again.select_slider(key="hidden_size").value == 32 and not again.warning
    again.button(key="back_to_lesson").click().run()
    assert (
        again.select_slider(key="hidden_size").value == 256
        and again.selectbox(key="preset").value == "article"
    )


def test_the_browsers_back_button_steps_the_page_back():
    at = opened({})
    at.select_slider(key="hidden_size").set_value(128).run()
    before = dict(at.query_params)
    at.session_state["tab"] = "draw"
    at.select_slider(key="hidden_size").set_value(512).run()
    assert dict(at.query_params)["hidden_size"] == "512"
    at.query_params.clear()
    at.query_params.update(before)  # Back: the browser shows the earlier address and reruns the page
    at.run()
    assert at.select_slider(key="hidden_size").value == 128 and tab(at).value == "train"


def test_the_qr_code_holds_the_link_without_presenter_mode_and_survives_a_long_chinese_note(monkeypatch):
    import segno

    made = []
    real = segno.make

    def spy(content, **kwargs):
        made.append(content)
        return real(content, **kwargs)

    monkeypatch.setattr(segno, "make", spy)
    at = opened({"present": "1", "hide": "seed", "note": "上课" * 250})
    assert made and "present" not in made[-1] and "hide=seed" in made[-1] and "note=" not in made[-1]
    assert any("the note is too long" in i.proto.imgs[0].caption for i in at.get("image"))
    at = opened({"present": "1", "note": "Try He", "optimizer": "adam"})
    assert "note=Try+He" in made[-1] and "present" not in made[-1]
    assert (
        "optimizer=adam" in made[-1] and "hidden_size" not in made[-1]
    )  # compact: what differs from the preset
    assert "lang=" not in made[-1]  # the lesson named no language: each phone opens in its own
    at.selectbox(key="lang").set_value("zh").run()  # the presenter reads Chinese...
    assert "lang=" not in made[-1]  # ...the students' phones still choose their own
    at = opened({"present": "1", "lang": "zh"})
    assert "lang=zh" in made[-1]  # a lesson that names its language keeps it
    from ui.top_panel import _qr_png
    _qr_png.clear()  # each QR code below is made, not taken from an earlier test's
    made.clear()
    at = opened({})  # no link at all: the presenter chooses Chinese, then reloads the page
    at.selectbox(key="lang").set_value("zh").run()
    at.toggle(key="present").set_value(True).run()
    assert made and "lang=" not in made[-1]
    _qr_png.clear()
    made.clear()
    at = opened(dict(at.query_params))  # the address the page wrote for itself
    assert at.selectbox(key="lang").value == "zh" and at.toggle(key="present").value is True
    assert made and "lang=" not in made[-1]  # still no lesson: the phones still choose their own language


def test_the_qr_code_and_the_shared_link_carry_the_network_address_in_place_of_localhost(monkeypatch):
    import segno

    from ui import address, top_panel

    made = []
    real = segno.make
    monkeypatch.setattr(segno, "make", lambda content, **kw: made.append(content) or real(content, **kw))
    monkeypatch.setattr(address, "_interfaces", lambda: {"lo": (True, ["127.0.0.1"]),
                                                         "wlan0": (True, ["192.168.1.20"])})
    top_panel._lan_address.clear()
    try:
        at = opened({"present": "1", "optimizer": "adam"})  # this test's page is at localhost:8501
        assert made and made[-1].startswith("http://192.168.1.20:8501/?")
        shared = next(c.value for c in at.code if c.value.startswith("http"))
        assert shared.startswith("http://192.168.1.20:8501/?")
        assert any("192.168.1.20" in c.value for c in at.caption)  # said to the teacher, in Share
    finally:
        top_panel._lan_address.clear()


def test_presenter_mode_draws_the_charts_larger():
    import json

    at = opened({"present": "1", "iters": "60", "train_size": "1000"})
    at.button(key="start").click().run()
    rerun_until(at, lambda run: run.done)
    figures = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    loss = next(f["layout"] for f in figures if f["layout"]["title"]["text"] == "Loss")
    # every text at least 20 px on a projector, and no y-axis title drawn sideways
    assert min(loss["xaxis"]["tickfont"]["size"], loss["yaxis"]["tickfont"]["size"], loss["font"]["size"],
               loss["legend"]["font"]["size"], loss["xaxis"]["title"]["font"]["size"]) >= 20
    assert not loss["yaxis"].get("title", {}).get("text")
    at.toggle(key="present").set_value(False).run()
    figures = [json.loads(c.proto.spec)["layout"] for c in at.get("plotly_chart")]
    assert any(f["title"]["text"] == "Loss" and f["yaxis"]["title"]["text"] == "cross-entropy"
               for f in figures)
