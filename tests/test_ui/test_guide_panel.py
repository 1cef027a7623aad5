"""Guided lessons on the page: opened from the list or a link, a step's settings applied, the
answer kept across languages and revealed after the action, the summary, and files that fail."""
from streamlit.testing.v1 import AppTest

from tests.support import APP
from tests.support.apptest import rerun_until

SHORT = '''
title = { en = "A short one", zh = "短课" }
summary = { en = "Two steps.", zh = "两步。" }

[[steps]]
id = "run"
text = { en = "Press **Start**.", zh = "按开始。" }
settings = { preset = "article_he", iters = 60, train_size = 1000 }
tab = "train"
action = "start"
check = { kind = "run_finished" }

[steps.question]
id = "learns"
kind = "choice"
prompt = { en = "Will it learn?", zh = "能学会吗？" }
answer = "yes"
why = { en = "He init learns.", zh = "He 初始化能学会。" }
choices = [
  { id = "yes", en = "Yes", zh = "能" },
  { id = "no", en = "No", zh = "不能" },
]

[[steps]]
id = "look"
text = { en = "Look at the loss.", zh = "看损失。" }
look_at = "loss_chart"
check = { kind = "run_finished" }

[steps.question]
id = "iterations"
kind = "number"
prompt = { en = "How many iterations did it train?", zh = "训练了多少次迭代？" }
answer = 60
tolerance = 0
why = { en = "The step set 60.", zh = "这一步设的是 60。" }
'''.encode()


def opened(query):
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params.update(query)
    at.run()
    assert not at.exception
    return at


def texts(at):
    return " ".join(m.value for m in [*at.markdown, *at.caption, *at.subheader])


def test_every_built_in_lesson_is_offered_and_a_link_opens_one_at_its_step():
    at = opened({})
    assert len(at.selectbox(key="guide_pick").options) >= 6 and not at.warning  # each file read, none refused
    at = opened({"guide": "overfitting", "guide_step": "2"})
    ss = at.session_state
    assert (ss["guide"], ss["guide_step"], ss["preset"], ss["dropout"], ss["train_size"]) == (
        "overfitting", 1, "overfit", 0.5, 1000)
    assert "dropout" in texts(at) and not [b for b in at.button if b.key == "problems_ok"]  # no link problem
    q = dict(at.query_params)
    assert (q["guide"], q["guide_step"]) == ("overfitting", "2")
    q["dropout"] = "0.2"  # the student changed a setting, then reloaded
    again = opened(q)
    assert again.session_state["guide_step"] == 1 and again.session_state["dropout"] == 0.2
    unknown = opened({"guide": "no-such-lesson", "guide_step": "x"})
    assert unknown.session_state["guide"] is None if "guide" in unknown.session_state else True
    assert not [b for b in unknown.button if b.key == "guide_next"]


def test_a_lesson_from_the_list_back_next_and_close(at):
    at.selectbox(key="guide_pick").set_value("learning_rate")
    at.button(key="guide_begin").click().run()
    assert at.session_state["learning_rate"] == 0.001 and at.session_state["iters"] == 1000
    at.button(key="guide_next").click().run()
    assert at.session_state["learning_rate"] == 0.1 and at.button(key="guide_back").disabled is False
    at.button(key="guide_back").click().run()
    assert at.session_state["guide_step"] == 0 and at.button(key="guide_back").disabled
    at.button(key="guide_close").click().run()
    assert not [b for b in at.button if b.key == "guide_next"] and at.selectbox(key="guide_pick")


def test_an_uploaded_lesson_is_walked_and_its_answer_counts_in_either_language(at):
    at.file_uploader(key="guide_upload").set_value(("short.toml", SHORT, "application/toml")).run()
    at.selectbox(key="guide_pick").set_value("short")
    at.button(key="guide_begin").click().run()
    assert at.session_state["iters"] == 60 and "Answer before you act" in texts(at)
    at.radio(key="guide_q_short_learns").set_value("yes").run()
    at.session_state["lang"] = "zh"  # the student reads Chinese now: the same answer
    at.run()
    assert at.radio(key="guide_q_short_learns").value == "yes" and "按开始" in texts(at)
    at.button(key="start").click().run()
    rerun_until(at, lambda run: run.done)
    assert "预测正确" in texts(at) and "He 初始化能学会" in texts(at)  # revealed after the action, with why
    assert at.radio(key="guide_q_short_learns").disabled  # the prediction stands once the run has shown it
    at.button(key="guide_next").click().run()
    step_two = dict(at.query_params)
    at.button(key="guide_back").click().run()  # back to it: still fixed, still the answer given
    learns = at.radio(key="guide_q_short_learns")
    assert learns.disabled and learns.value == "yes"
    at.query_params.clear()
    at.query_params.update(step_two)  # the browser's Forward: the lesson's step follows the address
    at.run()
    assert at.session_state["guide_step"] == 1
    at.query_params.clear()
    at.query_params.update({**step_two, "guide_step": "1"})  # and Back
    at.run()
    assert at.session_state["guide_step"] == 0 and at.session_state["guide_answers"]["learns"] == "yes"
    at.session_state["lang"] = "en"
    at.button(key="guide_next").click().run()
    assert ".st-key-look_loss_chart" in " ".join(h.proto.body for h in at.get("html"))  # outlined
    assert "You predicted it" not in texts(at)  # not before the answer
    at.number_input(key="guide_q_short_iterations").set_value(60).run()
    assert "You predicted it" in texts(at)  # a step that looks at the run before: revealed at once
    at.button(key="guide_next").click().run()  # Finish: the summary
    summary = texts(at)
    assert "what you found" in summary and "You said Yes (right)" in summary and "test accuracy" in summary
    assert summary.count("The run:") == 1  # the look step does not report the same run again
    at.button(key="guide_again").click().run()  # again from the start: a clean sheet
    assert at.session_state["guide_answers"] == {} and at.radio(key="guide_q_short_learns").value is None


def test_a_hidden_control_that_does_not_exist_is_named(at):
    typo = SHORT.replace(b'settings = { preset', b'hide = ["optimiser"]\nsettings = { preset')
    at.file_uploader(key="guide_upload").set_value(("typo.toml", typo, "application/toml")).run()
    assert any("typo.toml · step 1 · hide: hide='optimiser'" in t.value for t in at.text)


def test_a_malformed_upload_is_named_and_the_built_in_lessons_stay(at):
    bad = SHORT.replace(b'action = "start"', b'action = "<script>"')
    at.file_uploader(key="guide_upload").set_value(("mine.toml", bad, "application/toml")).run()
    assert any("cannot be used" in e.value for e in at.error)
    assert any("mine.toml · step 1 · action" in t.value for t in at.text)  # shown as text, never as HTML
    options = at.selectbox(key="guide_pick").options
    assert "A short one" not in options and len(options) >= 6
    assert "Overfitting: learning the examples by heart" in options


def test_the_beginner_level_shows_the_few_controls_a_first_lesson_needs():
    at = opened({"level": "beginner"})
    shown = {w.key for kind in ("select_slider", "selectbox", "number_input", "checkbox", "slider")
             for w in getattr(at.sidebar, kind)}
    assert shown == {"lang", "preset", "hidden_size", "activation", "learning_rate", "iters"}
    assert dict(at.query_params)["level"] == "beginner"  # a reload keeps it
    at.radio(key="level").set_value("advanced").run()
    assert at.number_input(key="seed") and at.checkbox(key="augment") and "level" not in dict(at.query_params)
    at.selectbox(key="guide_pick").set_value("init")  # a beginner's lesson sets the level
    at.button(key="guide_begin").click().run()
    assert at.session_state["level"] == "beginner" and at.session_state["preset"] == "article"


def test_a_lessons_tabs_views_and_targets_are_the_pages():
    """guide/ can't import the page: its fixed lists are checked against the page's here."""
    from guide import model
    from ui import guide_panel, layout
    assert set(model.TABS) <= set(layout.TAB_LABELS) and model.VIEWS == tuple(layout.VIEWS)
    assert set(model.TARGETS) == set(guide_panel.TARGETS)
