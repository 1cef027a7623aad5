"""A lesson in a link: the app's settings, open tab and view, language and teacher's
choices as a query string, and back. The one place that knows a page address's parameters:
the page reads and writes its address only through :func:`read_address` and :func:`address`.

Every value in a link is a stable identifier (``adam``, ``he``, ``0.001``, ``1``), never a
label, so a link means the same in every language and after a label changes. Reading one
never raises: each part that can't be used is left out and named in ``problems``, and
what it would have set keeps its default. The fields come after the preset they arrive
with, and override it.

The page decides what a field may hold (its sliders' stops, its menus' choices, its caps)
and hands it in as a :class:`LinkSpec`; this module only reads and writes. It is pure (no
Streamlit): the app's address format, unit-tested on plain dicts.
"""
import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode

from .link_values import BadValue, Choice, Flag, read_value, write_value

MAX_NOTE = 500                 # characters of a teacher's note
MAX_PARAM = 2000               # characters of one value read at all
LESSON = "lesson"              # an address's copy of the lesson link the page opened with
NO_LESSON = "none"             # ...or this, when it opened with none: the address is the page's own
PAGE = ("preset", "tab", "view", "lang", "present", "hide", "note", "class")  # besides the fields
CLASS, TEACHER_KEY = "class", "key"  # a class's code; its teacher's key, read once and never written
GUIDED = ("guide", "guide_step", "level")  # a guided lesson's, read by ui.lesson_panel and ui.guide_state
# control characters (newline and tab kept), and the invisible ones that reorder or hide text:
# bidirectional overrides and isolates, zero-width characters, line and paragraph separators
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f\u200b\u200c\u200e\u200f\u2028-\u202e\u2060-\u2069\ufeff]")
# ...and the zero-width joiner, except between two emoji, where it makes one (👩 + 🏫 = 👩‍🏫)
_EMOJI = "\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff"
_LONE_JOINER = re.compile(f"(?<![{_EMOJI}\ufe0f])\u200d|\u200d(?![{_EMOJI}])")


@dataclass(frozen=True)
class LinkSpec:
    """What a link may hold.

    fields : dict
        Setting name -> a :mod:`ui.link_values` kind: Choice, Integer, Steps or Flag.
    presets : dict
        Preset name -> its values for every field.
    default_preset : str
    tabs, views, languages : tuple of str
        The first of each is the default.
    hideable : tuple of str
        The names ``hide=`` may list.
    classes : ui.link_values.Code or None
        What a class's code may be (``class=``); None: a page without classes.
    check : callable
        ``check(values)`` raises ``ValueError`` when values valid one by one are together
        over the app's caps; its message is shown. A link over the caps keeps what it can:
        the fields that take it over keep their preset's values (:func:`_within_caps`).
    """
    fields: dict
    presets: dict
    default_preset: str
    tabs: tuple
    views: tuple
    languages: tuple
    hideable: tuple
    check: object = None
    classes: object = None


@dataclass
class Lesson:
    """What a link asks for. ``problems``: ``(name, value, reason)`` for each part not used,
    ``reason`` a code the page words ('unknown', 'choice', 'number', 'range', 'step',
    'flag', 'code', 'too_long', 'caps' with the check's message after a colon)."""
    preset: str
    values: dict
    tab: str
    view: str
    language: str | None = None
    hide: tuple = ()
    note: str = ""
    present: bool = False
    given: tuple = ()          # the fields the link itself set (beside its preset)
    classroom: str = ""        # the class it joins (its code), or ""
    problems: list = field(default_factory=list)


def _last(value):
    """A query value: the last of several (``?a=1&a=2`` means 2), as a string."""
    if isinstance(value, (list, tuple)):
        value = value[-1] if value else ""
    return str(value)


def _within_caps(spec, values, asked):
    """``values`` with the ``asked`` fields applied: all of them when together they are within
    the page's caps; else each in turn that keeps the values within them, then, once more,
    those that did not (what was applied after them may have made room). Returns (values,
    the names applied, [(name, why)] for each that keeps its preset's value)."""
    if _over_caps(spec, {**values, **asked}) is None:
        return {**values, **asked}, list(asked), []
    values, given, left = dict(values), [], dict(asked)
    for _round in range(2):
        for name, value in list(left.items()):
            if _over_caps(spec, {**values, name: value}) is None:
                values[name] = value
                given.append(name)
                del left[name]
    return values, given, [(name, _over_caps(spec, {**values, name: value})) for name, value in left.items()]


def _over_caps(spec, values):
    """Why ``values`` together are over the page's caps (``spec.check``), or None."""
    if spec.check is None:
        return None
    try:
        spec.check(values)
    except ValueError as e:
        return str(e)
    return None


def parse(query, spec):
    """The :class:`Lesson` a link's query asks for; never raises.

    Parameters
    ----------
    query : mapping of str to str or list of str
        The link's parameters (``st.query_params.to_dict()``, or ``parse_qs``'s lists).
    spec : LinkSpec
    """
    q = {str(k): _last(v)[:MAX_PARAM] for k, v in dict(query).items()}
    problems = []

    def one(name, allowed, default):
        if name not in q:
            return default
        try:
            return read_value(q[name], allowed)
        except BadValue as e:
            problems.append((name, q[name], e.reason))
            return default

    preset = one("preset", Choice(tuple(spec.presets)), spec.default_preset)
    values = dict(spec.presets[preset])
    asked = {}  # the fields given, each fine on its own, in the spec's order
    for name, allowed in spec.fields.items():
        if name in q:
            before = len(problems)
            value = one(name, allowed, values[name])
            if len(problems) == before:
                asked[name] = value
    values, given, over = _within_caps(spec, values, asked)
    problems += [(name, q[name], f"caps:{reason}") for name, reason in over]
    lesson = Lesson(preset=preset, values=values, tab=one("tab", Choice(spec.tabs), spec.tabs[0]),
                    view=one("view", Choice(spec.views), spec.views[0]),
                    language=one("lang", Choice(spec.languages), None),
                    present=one("present", Flag(), False), given=tuple(given), problems=problems)
    if spec.classes is not None:
        lesson.classroom = one(CLASS, spec.classes, "")
    if "hide" in q:
        names = [n.strip() for n in q["hide"].split(",") if n.strip()]
        lesson.hide = tuple(dict.fromkeys(n for n in names if n in spec.hideable))
        problems += [("hide", n, "choice") for n in names if n not in spec.hideable]
    if "note" in q:
        note = _LONE_JOINER.sub("", _CONTROL.sub("", q["note"])).strip()
        if len(note) > MAX_NOTE:
            problems.append(("note", note[:40] + "…", "too_long"))
            note = note[:MAX_NOTE]
        lesson.note = note
    known = {*PAGE, *GUIDED, *spec.fields, TEACHER_KEY} - (set() if spec.classes else {CLASS, TEACHER_KEY})
    problems += [(name[:60], q[name], "unknown") for name in q if name not in known]
    return lesson


def query(lesson, spec, compact=False):
    """The link's parameters for ``lesson``: every field always, so a link keeps its meaning
    when a default changes; ``hide``, ``note``, ``present`` and ``class`` only when set (and
    never a teacher's key). ``compact``:
    only the fields that differ from the preset's (a QR code's fewer, larger squares)."""
    out = {"preset": lesson.preset}
    preset = spec.presets[lesson.preset]
    out.update({name: write_value(lesson.values[name], allowed) for name, allowed in spec.fields.items()
                if not compact or lesson.values[name] != preset[name]})
    out.update(tab=lesson.tab, view=lesson.view)
    if lesson.language:
        out["lang"] = lesson.language
    if lesson.hide:
        out["hide"] = ",".join(lesson.hide)
    if lesson.note:
        out["note"] = lesson.note
    if lesson.present:
        out["present"] = "1"
    if lesson.classroom:
        out[CLASS] = lesson.classroom
    return out


def link(base, lesson, spec, compact=False):
    """``base`` (the app's address, without a query) with ``lesson``'s query (see :func:`query`)."""
    return base.split("?", 1)[0].split("#", 1)[0] + "?" + urlencode(query(lesson, spec, compact))


def read_address(query, spec):
    """What a page's address holds: ``(page, lesson, from_link)``; never raises.

    ``page`` is the :class:`Lesson` the page is at; ``lesson`` the one it opened with, kept
    under ``lesson=`` once the page has moved on from it (else ``page`` itself);
    ``from_link`` whether the address held a link at all. An address the page wrote for
    itself, opened with no link, says so (``lesson=none``): reloaded, it is the page as it
    was, and still no lesson (whose language, for one, the QR code would carry).
    """
    q = dict(query)
    inner = _last(q.pop(LESSON, ""))
    page = parse(q, spec)
    if inner == NO_LESSON:
        return page, parse({}, spec), False
    lesson = parse(parse_qs(inner), spec) if inner else page
    return page, lesson, bool(inner or q)


def address(page, spec, lesson=None):
    """The parameters of an address that holds ``page``, and ``lesson`` under ``lesson=``
    (``lesson=none`` without one): every one of them this module's (see :func:`query`), so
    that writing them as the whole address drops any other a link brought."""
    q = query(page, spec)
    q[LESSON] = NO_LESSON if lesson is None else urlencode(query(lesson, spec))
    return q
