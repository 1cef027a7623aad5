"""What a student in a class sends to its board, where the thing is: a finished run under its
figures (Train tab), a labelled drawing under the canvas (Draw tab), and a guided lesson's
predictions as they are given. Each is one click and says what happened, in place."""
import streamlit as st

from . import classroom
from .i18n import _


def _said(kind):
    """What the last sending of ``kind`` came to, under its button."""
    ok, text = st.session_state.get("class_sent", {}).pop(kind, (None, None))
    if ok and text:  # sent, with a word on what was left out
        st.info(text)
    elif ok:
        st.success(_("Sent to the class."))
    elif ok is False:
        st.warning(text)


def run_button(run):
    """Under a finished run's figures: Send to the class (once a run)."""
    if not classroom.is_student() or run.model is None or not run.final:
        return
    ss = st.session_state
    sent = ss.get("class_runs_sent", set())
    st.button(_("Send to the class"), key="send_run", disabled=run.model.id in sent, on_click=_send_run,
              args=(run,), help=_("Its settings, accuracies, wall time and model, for the class's board."))
    _said("run")


def _send_run(run):
    classroom.send("run", **classroom.run_payload(run))
    if st.session_state.get("class_sent", {}).get("run", (False,))[0]:
        st.session_state.setdefault("class_runs_sent", set()).add(run.model.id)


def drawing_row(x):
    """Under the canvas: which digit this is, and Send to the class (the 28x28 input the network read)."""
    if not classroom.is_student():
        return
    row = st.container(horizontal=True, key="send_drawing_row", vertical_alignment="bottom")
    label = row.selectbox(_("This digit is"), list(range(10)), index=None, key="class_label",
                          placeholder=_("Which?"), help=_("Say which digit you drew: the class's drawings "
                                                          "become a test set for the networks."))
    row.button(_("Send to the class"), key="send_drawing", disabled=label is None or x is None,
               on_click=_send_drawing, args=(x, label))
    _said("drawing")


def _send_drawing(x, label):
    try:
        payload = classroom.drawing_payload(x, label)
    except (TypeError, ValueError):
        st.session_state.setdefault("class_sent", {})["drawing"] = (False, classroom.worded(
            classroom.BoardError("bad_drawing", "unreadable")))
        return
    classroom.send("drawing", **payload)
    if st.session_state.get("class_sent", {}).get("drawing", (False,))[0]:
        st.session_state.class_label = None  # the next drawing is labelled afresh


def answer(lesson_id, question_id, given):
    """A guided lesson's prediction, sent once as it stands (a later one replaces it on the board;
    one refused, over the cap or while the board is down, is sent again at a later run)."""
    ss = st.session_state
    if not classroom.is_student() or given is None:
        return
    value = given if isinstance(given, str) else format(float(given), "g")
    sent = ss.setdefault("class_answers_sent", {})
    where = (ss.classroom, lesson_id, question_id)
    if sent.get(where) == value:
        return
    classroom.send("answers", lesson=lesson_id, given={question_id: value})
    ok, text = ss.class_sent.pop("answers")
    if ok:
        sent[where] = value
    else:
        st.caption(text)
