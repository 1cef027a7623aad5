"""Above the tabs: the teacher's note, the parts of a link not used, and the row of Share
these settings (the link, with a note and hidden controls composed), Back to the lesson,
Presenter mode and its QR code for the students' phones. What a link holds and how the
address bar follows the page is :mod:`ui.lesson_panel`'s."""
import io
from dataclasses import replace

import segno
import streamlit as st

from .address import for_the_class, lan_address
from .fields import CONTROL_LABELS, HIDEABLE, SETTING_KEYS
from .i18n import N_, _, labels
from .lesson_panel import back_to_lesson, current, is_lesson, spec
from .link import MAX_NOTE, link

DEFAULT_URL = "http://localhost:8501/"   # where there is no browser to ask (a unit test)
_REASONS = {
    "unknown": N_("not something this app reads"),
    "choice": N_("not one of the choices here"),
    "number": N_("not a number"),
    "range": N_("out of range"),
    "step": N_("not one of the slider's steps"),
    "flag": N_("use 1 for on or 0 for off"),
    "code": N_("not a class code: six letters and digits, as the teacher's page shows it"),
    "too_long": N_("longer than {n} characters: the rest is cut"),
    "caps": N_("with the link's other settings, the run can't run here ({reason}); "
               "the preset's value is kept, and the rest of the link applies"),
}


def page_link(lesson, compact=False):
    """``lesson``'s link, at the address the class's machines reach (not ``localhost``)."""
    return link(_shared_base(), lesson, spec(), compact=compact)


def render():
    """Above the tabs: the teacher's note, the parts of the link not used, and the row of
    Share, Back to the lesson (with a lesson only) and Presenter mode. Presenting, the note
    and the row share one line, and the QR code folds into a button at its end."""
    ss = st.session_state
    lesson = ss.lesson
    if lesson.problems and not ss.get("problems_dismissed"):
        with st.container(key="link_problems", border=True):
            st.warning(_("Some parts of the link were not used, and the defaults apply instead:"))
            st.text(_problems(lesson.problems))
            st.button(_("OK"), key="problems_ok", on_click=_dismiss)
    if ss.present and lesson.note:
        note_box, row_box = st.columns([1, 1.25], vertical_alignment="center")
    else:
        note_box = row_box = st.container()
    if lesson.note:
        with note_box.container(border=True, key="lesson_note"):
            st.text(lesson.note)  # plain text: a link's words are never HTML or Markdown
    row = row_box.container(horizontal=True, key="top_row", vertical_alignment="center")
    with row.popover(_("Share these settings"), key="share"):
        _share()
    if is_lesson():
        changed = {k: ss[k] for k in SETTING_KEYS} != lesson.values or ss.preset != lesson.preset
        row.button(_("Back to the lesson"), key="back_to_lesson", on_click=back_to_lesson,
                   disabled=not changed, help=_("The settings the link opened with"))
    row.toggle(_("Presenter mode"), key="present",
               help=_("For a projector: larger text and charts, the sidebar and the header folded away, "
                      "and a QR code of this page for the students' phones."))
    if ss.present:
        with row.popover(_("QR code"), key="qr"):
            _qr()


def _dismiss():
    st.session_state.problems_dismissed = True


def _problems(problems):
    """One line for each part of a link not used, named as the sidebar names it; the parts
    refused for the app's caps for one reason on one line."""
    def named(name, value):
        label = _(CONTROL_LABELS[name]) if name in CONTROL_LABELS else None
        given = f"{name}={value}"
        return _("{name} ({detail})").format(name=label, detail=given) if label else given
    lines = [_("{part}: {reason}").format(part=named(n, v), reason=_reason(r))
             for n, v, r in problems if not r.startswith("caps:")]
    caps = [(n, v, r) for n, v, r in problems if r.startswith("caps:")]
    for reason in dict.fromkeys(r for _n, _v, r in caps):  # one line for each reason, in order
        part = _(", ").join(named(n, v) for n, v, r in caps if r == reason)
        lines.append(_("{part}: {reason}").format(part=part, reason=_reason(reason)))
    return "\n".join(lines)


def _reason(code):
    name, _sep, detail = code.partition(":")
    return _(_REASONS[name]).format(n=MAX_NOTE, reason=detail)


def _share():
    """The link of the page as it is, with what to hide and a note for the class; and, for the
    teacher only (never on the projected page), whether the students' phones can reach it."""
    ss = st.session_state
    hide = st.multiselect(_("Hide these controls"), list(HIDEABLE), default=list(ss.lesson.hide),
                          key="share_hide", format_func=labels(CONTROL_LABELS), placeholder=_("Choose"),
                          help=_("Hidden controls keep the link's values: the class can't change them."))
    note = st.text_area(_("A note for the class"), value=ss.lesson.note, max_chars=MAX_NOTE, key="share_note",
                        help=_("Shown above the tabs as plain text."))
    st.code(page_link(current(hide=hide, note=note.strip(), present=False)), language=None, wrap_lines=True)
    st.caption(_("Copy this link (the button at its top right). It opens this page with these settings. "
                 "A note joins the link when you press Ctrl+Enter or click outside the box."))
    advice = _reach_advice()
    if advice:
        st.caption(advice)


_REACH = {
    "only_here": N_("This server answers this computer only: the students' machines can't open this link. "
                    "Start it with --server.address 0.0.0.0 (or leave that option out), then share the link "
                    "again."),
    "network": N_("This page is open at this computer's own address: the link and the QR code use its "
                  "address on the network instead, {address}."),
    "no_network": N_("This page is open at this computer's own address, and no network address was found: "
                     "open the page by the computer's name or network address, then share the link."),
}


def _reach_advice():
    """For the teacher: how the link reaches the students' machines, or None (it names the
    server already)."""
    reason = _for_the_class()[1]
    return _(_REACH[reason]).format(address=_lan_address()) if reason else None


@st.cache_resource(ttl=60, show_spinner=False)
def _lan_address():
    """This machine's address on its network (looked up at most once a minute)."""
    return lan_address()


def _for_the_class():
    """``(url, reason)``: the page's address as the class's machines reach it
    (:func:`ui.address.for_the_class`)."""
    return for_the_class(st.context.url or DEFAULT_URL, st.get_option("server.address"),
                         st.get_option("server.port"), _lan_address())


def _shared_base():
    return _for_the_class()[0]


@st.cache_data(max_entries=64, show_spinner=False)
def _qr_png(url):
    """The QR code of ``url`` as PNG bytes, or None if it is too long for one: made once per
    link, not at every run of a presenter's page, for it is slow to make."""
    try:
        qr = segno.make(url, error="m")
    except segno.DataOverflowError:
        return None
    buf = io.BytesIO()
    qr.save(buf, kind="png", scale=5, border=2)
    return buf.getvalue()


def _qr():
    """The QR code of this page's link for the students' phones (the machine's network address
    in place of localhost), without presenter mode, and without the note if the note makes it
    too long for a QR code (a note in Chinese is 9 characters of link a character). It names
    a language only when the lesson did: each phone opens in its own otherwise, not the
    presenter's."""
    language = st.session_state.lesson.language
    with_note = (replace(current(present=False), language=language),
                 _("Scan to open this page, with these settings, on a phone"))
    without = (replace(current(present=False, note=""), language=language),
               _("Scan to open this page, with these settings, on a phone "
                 "(the note is too long to go with them)"))
    for lesson, caption in (with_note, without):
        png = _qr_png(page_link(lesson, compact=True))
        if png is not None:
            st.image(png, width=480, caption=caption)  # from the back of the room
            if _for_the_class()[1] == "only_here":
                st.caption(_("Phones can't open this address: see Share these settings."))
            return
    st.caption(_("This page's link is too long for a QR code: share it with Share these settings."))
