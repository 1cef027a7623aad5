"""Each lesson's printable worksheet, made from its file in both languages, and kept in docs/worksheets."""
import html

import pytest

from guide.lesson import LANGUAGES, loads
from guide.worksheet import worksheet, write_all
from tests.support import ROOT
from tests.test_guide.test_built_in import LESSONS


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_a_worksheet_holds_every_step_question_and_answer(lesson, lang):
    page = worksheet(lesson, lang)
    assert html.escape(lesson.title(lang)) in page and "@page { size: A4" in page
    assert page.count('<div class="step">') == len(lesson.steps)
    for step in lesson.steps:
        q = step.question
        if q is not None:
            assert page.count(html.escape(q.prompt(lang))) == 2  # asked, then answered for the teacher
            if q.kind == "choice":
                assert html.escape(dict(q.choices)[q.answer](lang)) in page.split('class="answers"')[1]


def test_the_students_copy_has_no_answers():
    lesson = next(lesson for lesson in LESSONS if lesson.id == "init")
    page = worksheet(lesson, "en", answers=False)
    why = html.escape(lesson.steps[0].question.why("en")[:30])
    assert 'class="answers"' not in page and why not in page and why[:20] in worksheet(lesson, "en")


def test_the_worksheets_in_the_repository_are_those_the_lessons_make(tmp_path):
    write_all(ROOT / "lessons", tmp_path)
    made = {p.name: p.read_text(encoding="utf-8") for p in tmp_path.iterdir()}
    kept = {p.name: p.read_text(encoding="utf-8") for p in (ROOT / "docs" / "worksheets").iterdir()}
    assert len(made) == 2 * len(LESSONS) + 1 and "@page { size: A4" in made["worksheet.css"]
    assert made == kept, "run python -m guide.worksheet after changing a lesson"


def test_a_lessons_markdown_never_becomes_html():
    text = '''title = { en = "T", zh = "T" }
summary = { en = "[link](javascript:alert(1)) & **bold**", zh = "x" }
[[steps]]
id = "a"
text = { en = "*a* & b", zh = "x" }
'''
    page = worksheet(loads(text, "t"), "en")
    assert "href=\"javascript" not in page and "<strong>bold</strong>" in page and "&amp; b" in page
