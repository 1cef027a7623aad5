"""The lessons in lessons/: six or more, each loading, in the article's Chinese terms and typography."""
import pytest

from guide.lesson import load_folder
from tests.support import ROOT, chinese

LESSONS, ERRORS = load_folder(ROOT / "lessons")


def zh_texts(lesson):
    yield "title", lesson.title.zh
    yield "summary", lesson.summary.zh
    for step in lesson.steps:
        yield step.id, step.text.zh
        q = step.question
        if q is not None:
            yield f"{step.id}.prompt", q.prompt.zh
            yield f"{step.id}.why", q.why.zh
            for cid, text in q.choices:
                yield f"{step.id}.{cid}", text.zh


def test_every_built_in_lesson_loads():
    assert ERRORS == []
    ids = [lesson.id for lesson in LESSONS]
    assert {"init", "relu_sigmoid", "learning_rate", "deep", "overfitting", "inside"} <= set(ids)


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda lesson: lesson.id)
def test_the_chinese_follows_the_glossary_and_its_typography(lesson):
    found = {where: chinese.problems(text) for where, text in zh_texts(lesson)}
    assert {where: p for where, p in found.items() if p} == {}


def test_together_they_use_the_articles_terms():
    every = " ".join(text for lesson in LESSONS for _where, text in zh_texts(lesson))
    for term in ("神经元", "梯度校验", "梯度消失", "饱和", "过拟合", "正则化"):
        assert term in every, term


def test_the_readme_example_is_a_lesson():
    from guide.lesson import loads
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    example = readme.split("A complete example:\n\n```toml\n")[1].split("```")[0]
    lesson = loads(example, "batch")
    assert [s.id for s in lesson.steps] == ["small", "large"] and lesson.steps[0].question.answer == "noisy"
