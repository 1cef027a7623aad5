"""A guided lesson as a teacher writes it: a TOML file of steps, in English and Chinese.

A lesson is a sequence of steps. A step has an instruction, and may have the settings it
applies and the controls it hides, the tab or view it opens, the action the student takes
(:data:`ACTIONS`), a predict-then-check question asked before that action, what to look at
(:data:`TARGETS`), the model the Draw tab reads with, and a check of what happened that
moves the student on (:mod:`guide.checks`). Every text has an ``en`` and a ``zh`` version,
in Markdown without HTML. Steps and questions have ids, so that an answer given in either
language is the same answer. A file names actions, checks and targets from fixed lists;
it never holds code.

:func:`load` checks everything and raises :class:`LessonError`, whose message names the
file, the step and the field; :func:`load_folder` loads every lesson of a folder, and
keeps the others when one is malformed.
"""
import tomllib
from pathlib import Path

from .model import (ACTIONS, ID, LANGUAGES, LEVELS, MAX_BYTES, MAX_STEPS, MODELS, TABS, TARGETS, VIEWS,
                    Lesson, LessonError, Question, Step, Text)
from .reader import Reader

__all__ = ["ACTIONS", "LANGUAGES", "LEVELS", "MAX_BYTES", "MODELS", "TABS", "TARGETS", "VIEWS", "Lesson",
           "LessonError", "Question", "Step", "Text", "load", "load_folder", "loads"]


def load(path, read_settings=None):
    """The :class:`Lesson` in the TOML file ``path``. ``read_settings(dict)`` checks a step's
    settings as a link would give them and returns a list of problems (strings); by default
    they are not checked. Raises :class:`LessonError`."""
    path = Path(path)
    name = path.name
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise LessonError(name, f"the file is {size:,} bytes; a lesson may have {MAX_BYTES:,}")
        return loads(path.read_text(encoding="utf-8"), path.stem, name, read_settings)
    except UnicodeDecodeError as e:
        raise LessonError(name, f"not UTF-8 text ({e.reason})") from None
    except OSError as e:
        raise LessonError(name, f"cannot be read ({e.strerror})") from None


def load_folder(folder, read_settings=None):
    """Every ``*.toml`` lesson in ``folder``: ``(lessons in their order, errors)``. A malformed
    file is left out with its :class:`LessonError`; the others load."""
    lessons, errors = [], []
    for path in sorted(Path(folder).glob("*.toml")):
        try:
            lessons.append(load(path, read_settings))
        except LessonError as e:
            errors.append(e)
    lessons.sort(key=lambda lesson: (lesson.order, lesson.id))
    return lessons, errors


def loads(text, lesson_id, name="lesson", read_settings=None):
    """The :class:`Lesson` in ``text`` (TOML), named ``lesson_id``; see :func:`load`."""
    if not ID.match(lesson_id):
        raise LessonError(name, f"the file's name must be an id ({ID.pattern}), got {lesson_id!r}")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise LessonError(name, f"not valid TOML: {e}") from None
    r = Reader(name)
    r.only(data, ("title", "summary", "level", "order", "steps"), None, "")
    steps = data.get("steps")
    if not isinstance(steps, list) or not steps or not all(isinstance(s, dict) for s in steps):
        raise LessonError(name, "a lesson needs at least one [[steps]] table", where="steps")
    if len(steps) > MAX_STEPS:
        raise LessonError(name, f"{len(steps)} steps; a lesson may have {MAX_STEPS}", where="steps")
    level = data.get("level")
    if level is not None and level not in LEVELS:
        raise LessonError(name, f"must be one of {', '.join(LEVELS)}, got {level!r}", where="level")
    order = data.get("order", 100)
    if not isinstance(order, int) or isinstance(order, bool):
        raise LessonError(name, f"must be a whole number, got {order!r}", where="order")
    parsed = tuple(r.step(s, i + 1, read_settings) for i, s in enumerate(steps))
    r.unique([s.id for s in parsed], "step id")
    r.unique([s.question.id for s in parsed if s.question], "question id")
    return Lesson(lesson_id, r.text(data, "title", None), r.text(data, "summary", None), parsed,
                  level=level, order=order)
