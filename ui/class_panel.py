"""The Class tab: start a class (a teacher) or join one (a student); then, for the teacher,
the class's links, its settings and its board (:mod:`ui.board_panel`); for a student, who
they are in it, the teacher's lesson, and the board when the teacher shows it. What a
session is in its class is :mod:`ui.classroom`'s."""
import datetime
from dataclasses import replace

import streamlit as st

from board.schema import CODE_LENGTH, NAME
from board.store import CODE_ALPHABET

from . import board_panel, classroom, guide_state
from .classroom import BoardError, Unavailable, call, worded
from .i18n import _, language
from .lesson_panel import current
from .top_panel import page_link

EXAMPLE_CODE = "K7Q2MX"  # a code as the teacher's page shows one (the same in every language)

def render():
    _message()
    ss = st.session_state
    code = ss.get("classroom")
    if not code:
        _start_or_join()
        return
    if ss.get("class_unavailable"):
        st.warning(worded(Unavailable()))
        st.button(_("Leave this class"), key="class_leave", on_click=classroom.leave)
        return
    if ss.get("class_role") is None:
        st.caption(_("Looking for this browser's place in class {code}…").format(code=code))
        return
    if classroom.is_teacher():
        if _teacher(code):
            board_panel.render(code, teacher=True)
        return
    _student(code)


def _message():
    said = st.session_state.pop("class_msg", None)
    if said is None:
        return
    kind, what, *about = said  # about: the class it names, when not this page's
    if what == "deleted":
        st.success(_("The class and everything it held are deleted."))
    elif what == "wrong_key":
        st.warning(_(classroom.MESSAGES["wrong_key"]))
    else:
        getattr(st, kind)(worded(what, *about))


def _start_or_join():
    teach, learn = st.columns(2)
    with teach.container(border=True, key="class_teach"):
        st.markdown(_("**Teach a class.** Start one and share its link: each student's runs, answers and "
                      "labelled drawings then come together on one board, live, for the projector."))
        st.button(_("Start a class"), key="class_start", type="primary", on_click=classroom.start_class)
        st.caption(_("The class and all it holds are deleted after {days:g} days, or when you delete "
                     "it.").format(days=classroom.caps().days))
    with learn.container(border=True, key="class_learn"):
        st.markdown(_("**Join a class.** Type the code your teacher shows, or open the link they share."))
        st.text_input(_("Class code"), key="class_code_typed", max_chars=CODE_LENGTH,
                      placeholder=EXAMPLE_CODE)
        st.button(_("Join"), key="class_join_code", on_click=_join_typed)


def _join_typed():
    ss = st.session_state
    code = str(ss.get("class_code_typed") or "").strip().upper()
    if len(code) != CODE_LENGTH or not set(code) <= set(CODE_ALPHABET):
        ss.class_msg = ("warning", classroom.BoardError("unknown_class", "not a code"), code[:CODE_LENGTH])
        return
    ss.classroom, ss.class_identified = code, None  # identified at the next run, by this browser's keys


def _links(code):
    """The students' link (the page's settings, and the class) and the teacher's, with its key."""
    # as the QR code: the lesson's language only, so that each phone opens in its own
    student = page_link(replace(current(present=False, note=""), language=st.session_state.lesson.language))
    return student, f"{student}&key={st.session_state.class_key}"


def _teacher(code):
    ss = st.session_state
    """The teacher's row: the code, the links, whether students see the board, the class's
    settings. False (and why) when the class can't be read: no board under it then."""
    try:
        info = call("info", code)
    except (BoardError, Unavailable) as e:  # unavailable, or the class expired or was deleted: said
        st.warning(worded(e))
        st.button(_("Leave this class"), key="class_leave", on_click=classroom.leave)
        return False
    student, teacher = _links(code)
    head, rest = st.columns([1, 2], vertical_alignment="center")
    head.metric(_("Class code"), code, help=_("Students type it on their Class tab, or open the link."))
    with rest.container(horizontal=True, key="class_teacher_row", vertical_alignment="center"):
        with st.popover(_("Student link"), key="class_student_link"):
            st.code(student, language=None, wrap_lines=True)
            st.caption(_("The page's settings and the class. Presenter mode's QR code carries it too."))
        if not ss.present:  # never one click from the projected page
            with st.popover(_("Teacher link (private)"), key="class_teacher_link"):
                st.warning(_("Keep this link private: whoever opens it sees the board and can delete the "
                             "class. It leaves the address bar once the page has read it, and this browser "
                             "remembers it."))
                st.code(teacher, language=None, wrap_lines=True)
        st.toggle(_("Students see the board"), key="class_public", value=info["public"], on_change=_public,
                  help=_("Off: only you see it. On: every student's Class tab shows it."))
        with st.popover(_("Class settings"), key="class_settings"):
            _settings(code, info)
    if ss.pop("class_new", False):
        st.info(_("Your class is ready. Share the student link, or show the code: each student joins "
                  "from the Class tab."))
    return True


def _public():
    ss = st.session_state
    try:
        call("set_public", ss.classroom, ss.class_key, bool(ss.class_public))
    except (BoardError, Unavailable) as e:
        ss.class_msg = ("warning", e)


def _settings(code, info):
    expires = datetime.datetime.fromtimestamp(info["expires"]).strftime("%Y-%m-%d %H:%M")
    st.caption(_("The class is deleted by itself on {date}.").format(date=expires))
    up = st.file_uploader(_("Offer a lesson file to the class (.toml)"), type=["toml"],
                          key="class_lesson_upload")
    if up is not None and st.session_state.get("class_lesson_id") != up.file_id:
        st.session_state.class_lesson_id = up.file_id
        read = guide_state.read_upload(up.getvalue(), up.name)
        if isinstance(read, Exception):
            st.error(_("This lesson file can't be used:"))
            st.text(str(read))
        else:
            try:
                call("set_lesson", code, st.session_state.class_key, up.getvalue().decode("utf-8"))
                st.success(_("Offered to the class: {title}").format(title=read.title(language())))
            except (BoardError, Unavailable) as e:
                st.warning(worded(e))
    if info.get("lesson_file"):
        st.caption(_("A lesson file is offered to the class."))
        st.button(_("Stop offering it"), key="class_lesson_clear", on_click=_lesson_clear)
    st.divider()
    st.button(_("Leave this class on this page"), key="class_leave", on_click=classroom.leave)
    confirm = st.checkbox(_("Delete the class and everything it holds, now"), key="class_delete_confirm")
    st.button(_("Delete"), key="class_delete", disabled=not confirm, on_click=classroom.delete_class)


def _lesson_clear():
    ss = st.session_state
    try:
        call("set_lesson", ss.classroom, ss.class_key, None)
    except (BoardError, Unavailable) as e:
        ss.class_msg = ("warning", e)


def _student(code):
    ss = st.session_state
    me = ss.get("class_me")
    if me is None:
        with st.container(border=True, key="class_join_box"):
            st.markdown(_("**Join class {code}.** A nickname or your seat number is enough: no personal "
                          "data, please.").format(code=code))
            st.text_input(_("Nickname or seat number"), key="class_nickname", max_chars=NAME,
                          placeholder=_("Student 17"))
            row = st.container(horizontal=True)
            row.button(_("Join"), key="class_join", type="primary", on_click=classroom.join)
            row.button(_("Not now"), key="class_leave", on_click=classroom.leave)
        return
    row = st.container(horizontal=True, key="class_me_row", vertical_alignment="center")
    row.markdown(_("You are in class **{code}** as:").format(code=code))
    row.text(me["name"])  # typed by a student: text, never markup
    row.button(_("Leave"), key="class_leave", on_click=classroom.leave)
    st.caption(_("Send a finished run from the Train tab and a labelled drawing from the Draw tab. In a "
                 "guided lesson, your predictions go to the class as you give them."))
    try:
        info = call("info", code)
    except (BoardError, Unavailable) as e:
        st.warning(worded(e))
        return
    _offered(info)
    if info["public"]:
        board_panel.render(code, teacher=False)
    else:
        st.caption(_("Your teacher shows the board on the projector."))


def _offered(info):
    text = info.get("lesson_file")
    if not text:
        return
    read = guide_state.offered_lesson(text)
    if isinstance(read, Exception):
        return
    with st.container(border=True, key="class_offered"):
        st.markdown(_("**Your teacher's lesson:**"))
        st.text(read.title(language()))
        st.button(_("Begin it"), key="class_offered_begin", on_click=_begin, args=(text,))


def _begin(text):
    read = guide_state.offered_lesson(text)
    if not isinstance(read, Exception):
        st.session_state.guide_uploaded = read
        guide_state.enter(read.id, 0, again=True)
