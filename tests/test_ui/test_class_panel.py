"""A class on the page through AppTest: a teacher starts one (the key in no link the page
writes), a teacher's link (the key taken out of the address), students join (a hostile
nickname shown as text; the class full), send a drawing and a run, the per-minute cap, and
the database going away mid-lesson while training goes on. The browser's keeper (a
component AppTest cannot run) is given as the browser would tell it."""
import pytest
import sqlalchemy as sa
from streamlit.testing.v1 import AppTest

from board.store import Caps, Store
from tests.support import APP
from tests.support.apptest import a_seven, data_url, finish_a_run, metric
from ui import classroom

DOWN = "postgresql+psycopg://nobody:nothing@127.0.0.1:1/none"  # no server answers there


@pytest.fixture
def board(tmp_path, monkeypatch):
    """A board of the test's own, the server's store made afresh on it."""
    url = f"sqlite:///{tmp_path / 'classes.db'}"
    monkeypatch.setenv("FFN_CLASS_DB", url)
    monkeypatch.setattr(classroom, "_store", None)
    monkeypatch.setattr(classroom, "_down", [-classroom.RETRY])  # no failure a test before left behind
    return Store(url).create()


def page(token="tok-1", kept=None, **query):
    """A page of a browser that keeps ``token`` (and ``kept``), opened with ``query``, after its
    first run."""
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in {"tab": "class", **query}.items():
        at.query_params[k] = v
    at.session_state["keeper"] = {"kept": {"token": token, **(kept or {})}}
    at.run()
    assert not at.exception
    return at


def texts(at):
    return [t.value for t in at.text]


def everything(at):
    """Every string the page shows as Markdown, captions, alerts and code."""
    return " ".join(str(e.value) for kind in (at.markdown, at.caption, at.info, at.warning, at.error,
                                              at.success, at.code) for e in kind)


def joined(board, code, name="", token="tok-2"):
    at = page(token, **{"class": code})
    at.text_input(key="class_nickname").set_value(name)
    at.button(key="class_join").click().run()
    assert not at.exception
    return at


def test_a_teacher_starts_a_class_and_no_link_the_page_writes_holds_its_key(board):
    at = page()
    at.button(key="class_start").click().run()
    code = metric(at, "Class code").value
    assert len(code) == 6 and at.session_state["classroom"] == code
    key = at.session_state["class_key"]
    assert board.is_teacher(code, key)
    assert at.session_state["keeper_pending"] == {f"teacher.{code}": key}  # the browser keeps it
    links = [c.value for c in at.code]
    teacher = [link for link in links if f"key={key}" in link]
    assert len(teacher) == 1 and f"class={code}" in teacher[0]  # the Teacher link (private) popover
    students = [link for link in links if f"class={code}" in link and key not in link]
    assert students  # the Student link and the Share box: the class, never the key
    assert key not in str(dict(at.query_params)) and at.query_params["class"] == code
    assert metric(at, "Students").value == "0"


def test_a_teacher_link_gives_the_board_and_its_key_leaves_the_address(board):
    code, key = board.new_class()
    at = page("tok-9", **{"class": code, "key": key})
    assert at.session_state["class_role"] == "teacher" and metric(at, "Runs sent") is not None
    assert "key" not in at.query_params and at.query_params["class"] == code
    assert at.session_state["keeper_pending"][f"teacher.{code}"] == key
    again = page("tok-9", {f"teacher.{code}": key}, **{"class": code})  # a reload: the browser kept it
    assert again.session_state["class_role"] == "teacher"
    other = page("tok-9", {f"teacher.{code}": "a-key-of-another-class"}, **{"class": code})
    assert other.session_state["class_role"] == "student"


def test_a_wrong_teacher_key_shows_the_class_as_a_student_sees_it(board):
    code, _key = board.new_class()
    at = page(**{"class": code, "key": "not-the-key"})
    assert at.session_state["class_role"] == "student" and metric(at, "Runs sent") is None
    assert any("not this class's" in w.value for w in at.warning)
    assert at.text_input(key="class_nickname") is not None


def test_a_hostile_nickname_is_shown_as_text_and_a_reload_keeps_the_student(board):
    code, key = board.new_class()
    at = joined(board, code, "<img src=x onerror=alert(1)>**Ada**")
    assert "<img src=x onerror=alert(1)>**Ada**" in texts(at)
    assert "onerror" not in everything(at)
    reload = page("tok-2", **{"class": code})
    assert reload.session_state["class_me"]["name"] == "<img src=x onerror=alert(1)>**Ada**"
    teacher = page("tok-1", **{"class": code, "key": key})
    assert metric(teacher, "Students").value == "1"


def test_a_student_without_a_name_is_numbered_in_the_pages_language(board):
    code, _key = board.new_class()
    assert "Student 1" in texts(joined(board, code))
    zh = page("tok-3", **{"class": code, "lang": "zh"})
    zh.button(key="class_join").click().run()
    assert "学生 2" in texts(zh)


def test_a_full_class_says_so(board, monkeypatch):
    monkeypatch.setattr(classroom, "_store", Store(board.engine.url, caps=Caps(students=1)).create())
    code, _key = board.new_class()
    joined(board, code, "A")
    at = joined(board, code, "B", token="tok-3")
    assert any("as many students as it may (1)" in e.value for e in at.error)
    assert at.session_state["class_me"] is None


def test_an_unknown_or_malformed_class_code_says_so(board):
    at = page(**{"class": "ZZZZZZ"})
    assert any("There is no class ZZZZZZ" in e.value for e in at.error)
    at = page(**{"class": "<b>x"})  # not a code at all: the link's problems say so, no class
    assert "classroom" not in at.session_state or not at.session_state["classroom"]


def test_a_drawing_is_sent_with_its_label_and_the_cap_a_minute_holds(board, monkeypatch):
    monkeypatch.setattr(classroom, "_store", Store(board.engine.url, caps=Caps(per_minute=1)).create())
    code, _key = board.new_class()
    joined(board, code, "Ada")
    import streamlit_drawable_canvas as sdc

    import ui.draw_panel
    monkeypatch.setattr(ui.draw_panel, "st_canvas", lambda **kw: sdc.CanvasResult(
        json_data=None, image_data_url=data_url(a_seven()), return_image_data=True))
    at = page("tok-2", **{"class": code, "tab": "draw"})
    assert at.button(key="send_drawing").disabled  # which digit it is, first
    at.selectbox(key="class_label").set_value(7).run()
    at.button(key="send_drawing").click().run()
    assert any(s.value == "Sent to the class." for s in at.success)
    drawing, = board.board(code)["drawings"]
    assert drawing["label"] == 7 and len(drawing["pixels"]) == 784 and max(drawing["pixels"]) > 200
    at.selectbox(key="class_label").set_value(1).run()
    at.button(key="send_drawing").click().run()
    assert any("1 submissions in a minute" in w.value for w in at.warning)
    assert len(board.board(code)["drawings"]) == 1


def test_a_finished_run_is_sent_with_its_figures_and_model(board):
    code, _key = board.new_class()
    joined(board, code, "Ada")
    at = page("tok-2", **{"class": code, "tab": "train", "preset": "fast"})
    finish_a_run(at, 10)
    at.button(key="send_run").click().run()
    assert any(s.value == "Sent to the class." for s in at.success)
    run, = board.board(code)["runs"]
    assert run["settings"]["iters"] == 10 and run["has_model"] and 0 <= run["test"] <= 1
    assert run["test"] == pytest.approx(at.session_state["run"].final["test"])
    assert at.button(key="send_run").disabled  # once a run


def test_the_database_going_away_mid_lesson_leaves_the_rest_of_the_page_working(board, monkeypatch):
    code, _key = board.new_class()
    at = joined(board, code, "Ada")
    monkeypatch.setattr(classroom, "_store", Store(DOWN))  # the server's database stops answering
    at.session_state["tab"] = "train"
    at.run()
    assert not at.exception
    finish_a_run(at, 10)  # training works as before
    at.button(key="send_run").click().run()
    assert any("unavailable" in w.value for w in at.warning)
    at.session_state["tab"] = "class"
    classroom._down[0] = -classroom.RETRY  # try again at once
    at.run()
    assert not at.exception and any("unavailable" in w.value for w in at.warning)


def test_a_server_whose_database_never_answered_says_so_on_the_class_tab(tmp_path, monkeypatch):
    monkeypatch.setenv("FFN_CLASS_DB", DOWN)
    monkeypatch.setattr(classroom, "_store", None)
    monkeypatch.setattr(classroom, "_down", [-classroom.RETRY])
    at = page()
    at.button(key="class_start").click().run()
    assert not at.exception and any("unavailable" in e.value for e in at.error)
    assert "classroom" not in at.session_state or not at.session_state["classroom"]


def test_the_teachers_lesson_is_offered_and_its_predictions_reach_the_board(board):
    from tests.test_ui.test_guide_panel import SHORT
    code, key = board.new_class()
    teacher = page("tok-1", **{"class": code, "key": key})
    teacher.file_uploader(key="class_lesson_upload").set_value(("mine.toml", SHORT, "text/plain"))
    teacher.run()
    assert any("Offered to the class: A short one" in s.value for s in teacher.success)
    assert board.info(code)["lesson_file"] == SHORT.decode()
    at = joined(board, code, "Ada")
    assert "A short one" in texts(at)
    at.button(key="class_offered_begin").click().run()
    assert at.session_state["guide"] == "class_lesson"
    at.radio(key="guide_q_class_lesson_learns").set_value("no").run()
    assert not at.exception
    answer, = board.board(code)["answers"]
    assert (answer["lesson"], answer["question"], answer["answer"], answer["student"]) == (
        "class_lesson", "learns", "no", "Ada")
    at.radio(key="guide_q_class_lesson_learns").set_value("yes").run()  # a change of mind replaces it
    assert [a["answer"] for a in board.board(code)["answers"]] == ["yes"]


def test_a_run_whose_model_is_over_the_caps_is_sent_without_it_and_says_so(board, monkeypatch):
    monkeypatch.setattr(classroom, "_store", Store(board.engine.url, caps=Caps(model_bytes=10)).create())
    code, _key = board.new_class()
    joined(board, code, "Ada")
    at = page("tok-2", **{"class": code, "tab": "train", "preset": "fast"})
    finish_a_run(at, 10)
    at.button(key="send_run").click().run()
    assert any("without its model" in i.value for i in at.info)
    assert [r["has_model"] for r in board.board(code)["runs"]] == [False]


def test_the_teacher_link_is_not_on_the_projected_page(board):
    code, key = board.new_class()
    at = page("tok-1", **{"class": code, "key": key, "present": "1"})
    assert at.session_state["class_role"] == "teacher"
    assert not [c for c in at.code if key in c.value]
    at.toggle(key="present").set_value(False).run()
    assert [c for c in at.code if key in c.value]


def test_a_teachers_link_opened_while_the_database_is_down_keeps_its_key_for_later(board, monkeypatch):
    code, key = board.new_class()
    up = classroom._store
    monkeypatch.setattr(classroom, "_store", Store(DOWN))
    at = page("tok-1", **{"class": code, "key": key})
    assert any("unavailable" in w.value for w in at.warning) and metric(at, "Runs sent") is None
    monkeypatch.setattr(classroom, "_store", up or Store(board.engine.url).create())  # back
    classroom._down[0] = -classroom.RETRY
    at.run()
    assert at.session_state["class_role"] == "teacher" and metric(at, "Runs sent") is not None
    assert at.session_state["keeper_pending"][f"teacher.{code}"] == key


def test_a_prediction_refused_while_the_board_is_down_is_sent_once_it_is_back(board, monkeypatch):
    from tests.test_ui.test_guide_panel import SHORT
    code, key = board.new_class()
    board.set_lesson(code, key, SHORT.decode())
    at = joined(board, code, "Ada")
    at.button(key="class_offered_begin").click().run()
    up = classroom._store
    monkeypatch.setattr(classroom, "_store", Store(DOWN))
    at.radio(key="guide_q_class_lesson_learns").set_value("no").run()
    assert board.board(code)["answers"] == []
    monkeypatch.setattr(classroom, "_store", up)
    classroom._down[0] = -classroom.RETRY
    at.run()
    assert [a["answer"] for a in board.board(code)["answers"]] == ["no"]
    at.run()  # sent once: not again at every run
    with board.engine.connect() as c:
        assert c.execute(sa.text("select window_count from students")).scalar() == 1
