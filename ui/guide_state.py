"""A guided lesson's place in the session: which lesson and step, what the student answered,
what the runs showed; entering a step (its settings, hidden controls, tab, view and model)
and what the page has seen for the step's check (:mod:`guide.checks`).

Lessons are the files in ``lessons/`` (read again each minute: a teacher drops one in) and
the one a teacher uploaded in this session to try it.
"""
import functools
from pathlib import Path

import streamlit as st

from guide.checks import Seen, gap, met, recent_loss
from guide.lesson import LEVELS, MAX_BYTES, LessonError, load_folder, loads

from . import state
from .link import GUIDED, parse, query

FOLDER = Path(__file__).resolve().parent.parent / "lessons"


@st.cache_resource(ttl=60, show_spinner=False)
def _folder():
    return load_folder(FOLDER, read_settings=_read_settings)


def _read_settings(settings):
    """A step's settings as a link gives them: the problems a link would report, in words."""
    from .lesson_panel import spec  # the page's link codec: the same fields, presets and caps
    base = settings if "preset" in settings else {"preset": state.DEFAULT_PRESET, **settings}
    return [f"{name}={value!r}: {why}" for name, value, why in parse(base, spec()).problems]


def lessons():
    """``({id: Lesson}, [LessonError])``: the folder's lessons in their order, then an
    uploaded one (it may stand in for a built-in one of the same id, to try a change)."""
    found, errors = _folder()
    out = {lesson.id: lesson for lesson in found}
    uploaded = st.session_state.get("guide_uploaded")
    if uploaded is not None:
        out[uploaded.id] = uploaded
    return out, errors


def read_upload(data, name):
    """An uploaded lesson file (bytes): the lesson, or a :class:`LessonError`."""
    stem = Path(name).stem.lower()
    if len(data) > MAX_BYTES:
        return LessonError(name, f"the file is {len(data):,} bytes; a lesson may have {MAX_BYTES:,}")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return LessonError(name, "not UTF-8 text")
    try:
        return loads(text, stem, name, read_settings=_read_settings)
    except LessonError as e:
        return e


OFFERED = "class_lesson.toml"  # the name a class's offered lesson is read under: its id, class_lesson


@functools.lru_cache(maxsize=16)
def offered_lesson(text):
    """The lesson a teacher offered a class (its file's text), read once for every page that
    shows it: a frozen :class:`guide.model.Lesson`, or the error that says why it can't be used."""
    return read_upload(text.encode("utf-8"), OFFERED)


def current():
    """``(lesson, index)`` of the open lesson (``index == len(steps)``: its summary), or (None, 0)."""
    ss = st.session_state
    lesson = lessons()[0].get(ss.get("guide"))
    if lesson is None:
        return None, 0
    return lesson, min(max(ss.get("guide_step", 0), 0), len(lesson.steps))


def enter(lesson_id, index, apply_settings=True, again=False):
    """Open step ``index`` of lesson ``lesson_id`` (before the widgets are drawn: a callback,
    or a link's first run): its settings, hidden controls, tab, view and model."""
    ss = st.session_state
    lesson = lessons()[0].get(lesson_id)
    if lesson is None:
        return
    index = min(max(index, 0), len(lesson.steps))
    if ss.get("guide_last") != lesson_id or again:  # a new lesson, or this one again from the start
        ss.guide_answers, ss.guide_notes, ss.guide_late, ss.guide_revealed = {}, {}, set(), set()
        for key in [k for k in ss if str(k).startswith(f"guide_q_{lesson_id}_")]:
            del ss[key]
    ss.guide, ss.guide_step, ss.guide_last = lesson_id, index, lesson_id
    ss.guide_run = ss.get("run")  # a run that ends from now on is this step's
    if index == len(lesson.steps):
        ss.guide_hide, ss.guide_look = (), ()
        return
    step = lesson.steps[index]
    ss.guide_hide, ss.guide_look = step.hide, step.look_at
    if lesson.level is not None:
        ss.level = lesson.level
    if step.settings and apply_settings:
        _apply_settings(step.settings)
    if step.tab and step.action != "open_tab":  # a tab or view the student is to open is left to them
        ss.tab = step.tab
    if step.view and step.action != "open_view":
        ss.view = step.view
    if step.model == "bundled":
        ss.model_choice = ss.model_choice_by_hand = "bundled"
    elif step.model == "trained":
        ss.model_choice_by_hand = None  # the run just trained reads the drawings, once there is one


def _apply_settings(settings):
    from .lesson_panel import current as page, spec
    ss = st.session_state
    base = settings if "preset" in settings else {**query(page(), spec()), **settings}
    read = parse(base, spec())
    ss.preset = read.preset
    ss.update(read.values)


GUIDE, GUIDE_STEP, _LEVEL = GUIDED  # a guided lesson and its step (from 1), and the level, in a link


def open_link(query):
    """A link's guided lesson (``guide=init&guide_step=3``, in ``query``, the address's
    parameters), at its step, on the session's first run: a step's settings apply unless the
    link holds the page's own (``preset=``: a reload keeps what the student changed). An
    unknown lesson or step is left out. ``level=beginner`` or ``advanced`` sets the level."""
    level = str(query.get(_LEVEL, ""))
    if level in LEVELS:
        st.session_state.level = level
    name = str(query.get(GUIDE, ""))[:40]
    if name not in lessons()[0]:
        return
    try:
        step = int(str(query.get(GUIDE_STEP, "1"))[:4]) - 1
    except ValueError:
        step = 0
    enter(name, step, apply_settings="preset" not in query)


def address():
    """The level and the open guided lesson's place, for the address bar."""
    ss = st.session_state
    out = {_LEVEL: ss.level} if ss.get("level") == "beginner" else {}
    if ss.get("guide"):
        out.update({GUIDE: ss.guide, GUIDE_STEP: str(ss.get("guide_step", 0) + 1)})
    return out


def follow(query):
    """The browser's Back or Forward to another step of the lesson (``query``, the address it
    went to, or None): that step, with the settings the address holds."""
    if not query:
        return
    ss = st.session_state
    try:
        step = int(str(query.get(GUIDE_STEP, ""))[:4]) - 1
    except ValueError:
        return
    name = str(query.get(GUIDE, ""))[:40]
    if name and (name, step) != (ss.get("guide"), ss.get("guide_step")):
        enter(name, step, apply_settings=False)


def close():
    ss = st.session_state
    ss.guide, ss.guide_hide, ss.guide_look = None, (), ()


RUNS = ("start", "step")  # the actions that train: their step's check reads only the run it started


def seen(step=None):
    """What the page has seen for ``step``'s check (:class:`guide.checks.Seen`): for a step
    that trains, only a run started after the step opened; for one that looks at what a
    run did (the stall of the run before), the session's latest run."""
    ss = st.session_state
    run = ss.get("run")
    looks = step is not None and step.action not in RUNS
    mine = run is not None and (run is not ss.get("guide_run") or looks)
    kw = {}
    if mine:
        kw = dict(outcome=run.outcome, final=run.final or None, loss=run.history.get("loss", ()),
                  advice=run.advice, stepped=run.snapshot("step") is not None)
    return Seen(read_as=ss.get("last_read"), tab=ss.get("tab"), view=ss.get("view"), **kw)


def step_met(step):
    """Whether the step's check holds now (a step without one: True)."""
    return step.check is None or met(step.check, seen(step))


def run_ended(step):
    """Whether the run ``step`` reads (:func:`seen`) has ended."""
    return seen(step).outcome is not None


def note_result(step):
    """Keep, for the summary, what this step's run showed: its outcome, test accuracy, gap
    and recent loss (worded when shown, in the language of that moment)."""
    s = seen(step)
    if s.outcome and step.action in RUNS:  # a step that only looks at a run does not report it again
        st.session_state.setdefault("guide_notes", {})[step.id] = dict(
            outcome=s.outcome[0], test=(s.final or {}).get("test"), gap=gap(s.final),
            loss=recent_loss(s.loss))
