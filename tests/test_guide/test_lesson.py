"""A lesson file is checked at load: each kind of mistake is named with its file, step and field,
and one malformed file never keeps the others from loading."""
import pytest

from guide.checks import Check
from guide.lesson import LessonError, load, load_folder, loads

GOOD = '''
order = 1
level = "beginner"
title = { en = "A first run", zh = "第一次训练" }
summary = { en = "Train it.", zh = "训练它。" }

[[steps]]
id = "guess"
text = { en = "Press **Start**.", zh = "按 **开始**。" }
settings = { preset = "article", iters = 200, augment = false }
hide = ["optimizer"]
tab = "train"
action = "start"
look_at = "loss_chart"
check = { kind = "loss_below", value = 0.5 }

[steps.question]
id = "where"
kind = "choice"
prompt = { en = "Where will the loss end?", zh = "损失最后会在哪里？" }
why = { en = "Because.", zh = "因为。" }
answer = "low"
choices = [
  { id = "low", en = "Low", zh = "低" },
  { id = "high", en = "High", zh = "高" },
]

[[steps]]
id = "number"
text = { en = "How many?", zh = "多少？" }
model = "trained"
tab = "draw"
action = "open_view"
view = "inside"

[steps.question]
id = "count"
kind = "number"
prompt = { en = "Count", zh = "数" }
why = { en = "So.", zh = "所以。" }
answer = 2.3
tolerance = 0.2
'''


def test_a_good_lesson_loads_with_every_part():
    lesson = loads(GOOD, "first")
    assert (lesson.id, lesson.level, lesson.order) == ("first", "beginner", 1)
    assert lesson.title("zh") == "第一次训练" and lesson.title("en") == "A first run"
    first, second = lesson.steps
    assert first.settings == {"preset": "article", "iters": "200", "augment": "0"}  # as a link writes them
    assert first.hide == ("optimizer",) and first.look_at == ("loss_chart",) and first.action == "start"
    assert first.check == Check("loss_below", {"value": 0.5})
    q = first.question
    assert [c for c, _t in q.choices] == ["low", "high"] and q.is_right("low") and not q.is_right("high")
    assert second.question.is_right(2.45) and not second.question.is_right(2.6)
    assert second.model == "trained" and lesson.step_index("number") == 1


def broken(old, new):
    assert old in GOOD
    return GOOD.replace(old, new, 1)


@pytest.mark.parametrize("text, where, says", [
    (broken('order = 1', 'order = "first"'), "order", "whole number"),
    (broken('level = "beginner"', 'level = "expert"'), "level", "beginner, advanced"),
    (broken('title = { en = "A first run", zh = "第一次训练" }', 'title = { en = "A first run" }'),
     "title.zh", "missing"),
    (broken('text = { en = "Press **Start**.", zh = "按 **开始**。" }',
            'text = { en = "Press <b>Start</b>.", zh = "按" }'), "step 1 · text.en", "HTML"),
    (broken('action = "start"', 'action = "dance"'), "step 1 · action", "must be one of none"),
    (broken('action = "open_view"', 'action = "open_tab"').replace('tab = "draw"\n', ''),
     "step 2 · action", "names the tab"),
    (broken('look_at = "loss_chart"', 'look_at = "the moon"'), "step 1 · look_at", "must be one of"),
    (broken('kind = "loss_below", value = 0.5', 'kind = "loss_below", value = "low"'),
     "step 1 · check.value", "needs value"),
    (broken('kind = "loss_below", value = 0.5', 'kind = "magic"'), "step 1 · check.kind", "must be one of"),
    (broken('kind = "loss_below", value = 0.5', 'kind = "accuracy_above", value = 90, series = "test"'),
     "step 1 · check.value", "needs value"),  # a share from 0 to 1, never reached as 90
    (broken('answer = "low"', 'answer = "middle"'), "step 1 · question.answer", "one of the choices"),
    (broken('id = "number"', 'id = "guess"'), "lesson", "step id 'guess' is used twice"),
    (broken('id = "count"', 'id = "where"'), "lesson", "question id 'where' is used twice"),
    (broken('tolerance = 0.2', 'tolerance = -1'), "step 2 · question.answer", "tolerance"),
    (broken('hide = ["optimizer"]', 'colour = "red"'), "step 1", "unknown field(s) 'colour'"),
    (broken('id = "guess"', 'id = "Guess Me"'), "step 1 · id", "an id of lower-case"),
    (GOOD + "\n[[steps]\n", "lesson", "not valid TOML"),
    ('title = { en = "x", zh = "y" }\nsummary = { en = "x", zh = "y" }\n', "steps", "at least one"),
])
def test_each_mistake_is_named_with_its_step_and_field(text, where, says):
    with pytest.raises(LessonError) as e:
        loads(text, "first")
    assert where in str(e.value) and says in str(e.value)


def test_settings_are_checked_as_a_link_would_read_them():
    def read(settings):
        return [f"{k}: out of range" for k, v in settings.items() if k == "iters" and int(v) > 100]
    with pytest.raises(LessonError, match=r"step 1 · settings: iters: out of range"):
        loads(GOOD, "first", read_settings=read)


def test_a_malformed_file_is_left_out_and_the_others_load(tmp_path):
    (tmp_path / "b_good.toml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "a_bad.toml").write_text(broken('action = "start"', 'action = "dance"'), encoding="utf-8")
    (tmp_path / "c_binary.toml").write_bytes(b"\xff\xfe\x00junk")
    (tmp_path / "Not An Id.toml").write_text(GOOD, encoding="utf-8")
    (tmp_path / "huge.toml").write_text(GOOD + "#" * 70_000, encoding="utf-8")
    lessons, errors = load_folder(tmp_path)
    assert [lesson.id for lesson in lessons] == ["b_good"]
    assert sorted(e.file for e in errors) == ["Not An Id.toml", "a_bad.toml", "c_binary.toml", "huge.toml"]
    assert any("not UTF-8" in str(e) for e in errors)
    assert any("bytes; a lesson may have" in str(e) for e in errors)
    with pytest.raises(LessonError, match="a_bad.toml · step 1 · action"):
        load(tmp_path / "a_bad.toml")
