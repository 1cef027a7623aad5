"""A lesson in a link, on the page: reading the link a session opens with, keeping the
address bar in step with the page, the lesson it opened with and Back to the lesson. The
row that shows them above the tabs is :mod:`ui.top_panel`'s.

The reading and writing, of links and of the address bar, is :mod:`ui.link`'s; what each
field may hold is the sidebar's table, :mod:`ui.fields`; this puts them together, and draws.
"""
from functools import lru_cache

import streamlit as st

from ffn.presets import PRESETS
from board.schema import CODE_LENGTH
from board.store import CODE_ALPHABET
from ffn.settings import SettingsError, TrainSettings, check

from . import i18n, state
from .fields import FIELDS, HIDEABLE, SETTING_KEYS
from .i18n import negotiate
from .layout import TAB_LABELS, VIEWS
from .link import TEACHER_KEY, Lesson, LinkSpec, address, read_address
from .link_values import Code
from .run import APP_LIMITS
from .wording import settings_error

def _check(values):
    try:
        check(TrainSettings.from_dict(values), APP_LIMITS)
    except SettingsError as e:
        raise ValueError(settings_error(e)) from None  # worded in the reader's language


def spec():
    """What each part of a link may hold here: the sidebar's own stops and menus. Made once per
    set of languages: every full run of the page reads it (the address bar is written each time)."""
    return _spec(tuple(i18n.LANGUAGES))


@lru_cache(maxsize=4)
def _spec(languages):
    return LinkSpec(fields={f.name: f.allowed() for f in FIELDS},
                    presets={name: state.preset_values(name) for name in PRESETS},
                    default_preset=state.DEFAULT_PRESET, tabs=tuple(TAB_LABELS), views=tuple(VIEWS),
                    languages=languages, hideable=HIDEABLE, check=_check,
                    classes=Code(CODE_ALPHABET, CODE_LENGTH))


def open_link():
    """Set the session up from the link it opened with (once, the session's first run).

    The address bar holds the page as it is, and, once a lesson's link has been opened,
    that lesson too under ``lesson=``: a reload keeps both the student's changes and the
    lesson that Back to the lesson returns to. Returns the query it read (a guided
    lesson's place in it is :func:`ui.guide_state.open_link`'s).
    """
    ss = st.session_state
    query = st.query_params.to_dict()
    # ?lang= first, then the browser's locale; set before the link is read, whose messages
    # (a field over the caps) are worded in it
    asked = str(query.get("lang", "")).strip()
    ss.lang = asked if asked in i18n.LANGUAGES else negotiate(st.context.locale)
    now, ss.lesson, ss.from_link = read_address(query, spec())
    _apply(now)
    # a teacher's link: the key goes to ui.classroom, which keeps it in the browser, and the
    # address this page writes (sync) never holds it
    ss.class_key_given = str(query.get(TEACHER_KEY, ""))[:100] if now.classroom else ""
    return query


def follow_address():
    """The browser's Back and Forward: an address that is not the one this page last wrote
    is a step through the page's history, and the page takes its settings. Returns that
    address's parameters (a guided lesson's step among them: :func:`ui.guide_state.follow`),
    or None."""
    ss = st.session_state
    q = st.query_params.to_dict()
    if ss.get("written") is not None and q != ss.written:
        _apply(read_address(q, spec())[0])
        return q
    return None


def _apply(lesson):
    ss = st.session_state
    ss.preset = lesson.preset
    ss.update(lesson.values)
    ss.tab, ss.view, ss.present = lesson.tab, lesson.view, lesson.present
    if lesson.classroom:
        ss.classroom = lesson.classroom
    if lesson.language:
        ss.lang = lesson.language


def current(hide=None, note=None, present=None):
    """The page as it is now, as a :class:`ui.link.Lesson` (the lesson's hide and note kept)."""
    ss = st.session_state
    return Lesson(preset=ss.preset, values={k: ss[k] for k in SETTING_KEYS}, tab=ss.tab, view=ss.view,
                  language=ss.lang, hide=ss.lesson.hide if hide is None else tuple(hide),
                  note=ss.lesson.note if note is None else note,
                  present=bool(ss.present) if present is None else present,
                  classroom=ss.get("classroom") or "")


def sync(guided=None):
    """Write every field into the address bar, so that a reload or a copied address keeps the
    page (and the lesson, when the page opened with one), and ``guided``, the guided lesson's
    place (:func:`ui.guide_state.address`); nothing else stays in it."""
    ss = st.session_state
    q = address(current(), spec(), ss.lesson if ss.from_link else None)
    q.update(guided or {})
    st.query_params.from_dict(q)
    ss.written = q


def back_to_lesson():
    """The link's settings again (the button's callback)."""
    lesson = st.session_state.lesson
    st.session_state.preset = lesson.preset
    st.session_state.update(lesson.values)


def is_lesson():
    """Whether the page opened with a lesson: a link that set settings, hid controls or left a
    note (an address that only opens a tab, or the defaults, is not one). What the link set is
    judged by what differs from the defaults, not by what it named: the address a page writes,
    and so a reload's, names every field."""
    ss = st.session_state
    lesson = ss.lesson
    return bool(ss.get("from_link")) and bool(
        lesson.hide or lesson.note or lesson.preset != state.DEFAULT_PRESET
        or lesson.values != state.preset_values(state.DEFAULT_PRESET))
