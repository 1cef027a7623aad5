"""A class in real browsers: a teacher starts it, two students join it (one in Chinese), send a
run and labelled drawings, and the teacher's board shows them by itself; the teacher shows
the board to the students, then deletes the class. The teacher key leaves the address bar
and stays in the teacher's browser; a student stays themselves across a reload. (Answers
to a lesson's questions: tests/test_ui/test_class_panel.py.)"""
import re

import pytest
import sqlalchemy as sa

from tests.support.browser import SEVEN, TWO, draw, require_chromium, streamlit_app

playwright = pytest.importorskip("playwright.sync_api")

require_chromium()


@pytest.fixture(scope="module")
def class_app(tmp_path_factory):
    """The app with a board of its own (a SQLite file of this test's)."""
    db = f"sqlite:///{tmp_path_factory.mktemp('board') / 'classes.db'}"
    with streamlit_app(env={"FFN_CLASS_DB": db}) as url:
        yield url, db


def metric(page, label):
    return page.get_by_test_id("stMetric").filter(has_text=label).get_by_test_id("stMetricValue")


def settled(page):
    """Once the browser has told the page what it keeps (the student's token among it)."""
    page.wait_for_function("() => localStorage.getItem('ffn-digits.token')", timeout=60000)


def start_class(context, url):
    page = context.new_page()
    page.goto(url + "?tab=class")
    settled(page)
    page.locator(".st-key-class_start button").click(timeout=60000)
    code = metric(page, "Class code")
    playwright.expect(code).to_have_text(re.compile(r"^[A-Z2-9]{6}$"), timeout=30000)
    teacher_link = popover_code(page, "class_teacher_link")
    return page, code.inner_text(), teacher_link, popover_code(page, "class_student_link")


def popover_code(page, key):
    """The code block in popover ``key``'s body (drawn apart from its button), closed again."""
    page.locator(f".st-key-{key} button").first.click()
    text = page.get_by_test_id("stPopoverBody").filter(has=page.locator(":visible")).locator(
        "[data-testid='stCode'] code").first.inner_text()
    page.keyboard.press("Escape")
    return text


def at(link, url, **params):
    """``link`` (written for the class's machines) at the test's own address, with ``params``."""
    query = link.split("?", 1)[1]
    for k, v in params.items():
        query = re.sub(rf"(^|&){k}=[^&]*", "", query) + f"&{k}={v}"
    return url + "/?" + query.lstrip("&")


def join(page, name, button="Join"):
    page.locator(".st-key-class_nickname input").fill(name)
    page.locator(".st-key-class_join button").click()
    page.locator(".st-key-class_me_row").wait_for(timeout=30000)


def test_a_teacher_and_two_students_fill_the_board(browser, class_app):
    class_app, db = class_app
    teacher_ctx = browser.new_context(viewport={"width": 1400, "height": 1000}, locale="en-GB")
    teacher, code, teacher_link, student_link = start_class(teacher_ctx, class_app)
    assert f"class={code}" in student_link and "key=" not in student_link and "lang=" not in student_link
    assert f"class={code}" in teacher_link and "&key=" in teacher_link
    # the Share box and the QR code's link never hold the key
    shared = popover_code(teacher, "share")
    assert f"class={code}" in shared and "key=" not in shared

    # the teacher link in another browser: the key leaves the address bar, the board is there
    other = browser.new_context().new_page()
    other.goto(at(teacher_link, class_app, tab="class"))
    playwright.expect(metric(other, "Students")).to_have_text("0", timeout=30000)
    other.wait_for_function("() => !location.search.includes('key=') && location.search.includes('class=')")
    kept = other.evaluate("() => JSON.stringify(localStorage)")
    assert f"teacher.{code}" in kept
    other.reload()  # the browser keeps the key: the board again, without it in the link
    playwright.expect(metric(other, "Students")).to_have_text("0", timeout=30000)

    # student 1, English: joins with a hostile nickname, trains a short run, sends it, reloads
    ada = browser.new_context(viewport={"width": 1300, "height": 1000}, locale="en-US").new_page()
    ada.goto(at(student_link, class_app, tab="class", preset="fast"))
    join(ada, "<b>Ada</b>")
    assert ada.locator(".st-key-class_me_row").get_by_text("<b>Ada</b>", exact=True).is_visible()
    playwright.expect(metric(teacher, "Students")).to_have_text("1", timeout=10000)  # by itself
    ada.reload()
    ada.locator(".st-key-class_me_row").get_by_text("<b>Ada</b>", exact=True).wait_for(timeout=30000)
    ada.locator(".st-key-tab").get_by_role("radio", name="Train").click()
    ada.locator(".st-key-start button").click()
    send = ada.locator(".st-key-send_run").get_by_role("button", name="Send to the class")
    send.click(timeout=120000)
    ada.get_by_text("Sent to the class.").wait_for(timeout=20000)
    playwright.expect(metric(teacher, "Runs sent")).to_have_text("1", timeout=10000)  # by itself
    # the scatter saves itself as PNG from its one toolbar button
    scatter = teacher.locator(".st-key-class_scatter")
    scatter.scroll_into_view_if_needed()
    scatter.hover()
    with teacher.expect_download(timeout=20000) as saved:
        scatter.locator(".modebar-btn").click()
    assert saved.value.suggested_filename == "class-scatter.png"
    assert saved.value.path().read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    # student 2, Chinese: joins with the default name, sends two labelled drawings
    li = browser.new_context(viewport={"width": 1300, "height": 1000}, locale="zh-CN").new_page()
    li.goto(at(student_link, class_app, tab="class"))
    li.locator(".st-key-class_nickname input").wait_for(timeout=30000)
    assert li.locator(".st-key-tab").get_by_role("radio", name="班级").is_visible()
    li.locator(".st-key-class_join button").click()
    li.locator(".st-key-class_me_row").get_by_text("学生 2", exact=True).wait_for(timeout=30000)
    li.locator(".st-key-tab").get_by_role("radio", name="手写").click()
    for strokes, digit in ((SEVEN, "7"), (TWO, "2")):
        draw(li, strokes)
        li.locator(".st-key-class_label").get_by_role("combobox").click()
        li.keyboard.type(digit)
        li.keyboard.press("Enter")
        li.locator(".st-key-send_drawing button").click()
        li.get_by_text("已发送给班级。").wait_for(timeout=20000)
        li.locator(".st-key-clear button").click()
    playwright.expect(metric(teacher, "Drawings sent")).to_have_text("2", timeout=10000)
    # the board reads the class's handwriting: the bundled model, and the hardest drawings' authors
    teacher.get_by_text("学生 2", exact=True).first.wait_for(timeout=10000)
    playwright.expect(metric(teacher, "Our class's drawings read right")).to_have_text(
        re.compile(r"^\d+\.\d%$"))

    # the board stays the teacher's until shown: then a student sees it too
    assert not li.get_by_test_id("stMetric").filter(has_text="学生").count()
    teacher.locator(".st-key-class_public label").click()
    li.locator(".st-key-tab").get_by_role("radio", name="班级").click()
    playwright.expect(metric(li, "学生")).to_have_text("2", timeout=30000)

    # the teacher deletes the class: a student's page says so, and nothing is left
    teacher.locator(".st-key-class_settings button").first.click()
    teacher.locator(".st-key-class_delete_confirm label").click()
    teacher.locator(".st-key-class_delete button").click()
    teacher.get_by_text("The class and everything it held are deleted.").wait_for(timeout=20000)
    li.get_by_text(f"这台服务器上没有班级 {code}").first.wait_for(timeout=30000)  # the board's next refresh
    with sa.create_engine(db).connect() as c:
        assert [c.execute(sa.text(f"select count(*) from {t}")).scalar()
                for t in ("classes", "students", "runs", "answers", "drawings")] == [0, 0, 0, 0, 0]
