"""A class on the page: who this session is in it (its teacher, a student, or a visitor of a
link), and what it sends to the class's board (:mod:`board.store`). The Class tab that
draws it is :mod:`ui.class_panel`.

The class's code is in the link (``class=``, the link codec's). A student is known by a
token this browser keeps (:mod:`ui.keeper`), so a reload or another replica keeps them;
a teacher by the class's key, read once from the teacher's link, kept in the browser, and
never written into the address, the Share box or the QR code.

The database is the board's alone: when it cannot be reached, this says so and the rest of
the page (training, drawing) works as before. A session that found it down does not try
again for :data:`RETRY` seconds, so that no page waits on it at every run.
"""
import logging
import os
import secrets
import threading
import time

import sqlalchemy as sa
import streamlit as st

from board.figures import as_bytes
from board.engine import TIMEOUT
from board.store import BoardError, Caps, Store

from . import keeper
from .i18n import N_, _

RETRY = 10.0        # seconds a session leaves a database it found down alone
log = logging.getLogger("ffn-digits")
_store, _store_lock = None, threading.Lock()
_down = [-RETRY]    # when the database last failed, for every page of this server
MESSAGES = {
    "full": N_("This server holds as many classes as it may ({limit}). Delete an old class, or try later."),
    "unknown_class": N_("There is no class {code} on this server: it may have expired or been deleted. "
                        "Check the code with your teacher."),
    "wrong_key": N_("This link's teacher key is not this class's: the page shows the class as a student "
                    "sees it."),
    "class_full": N_("The class has as many students as it may ({limit})."),
    "not_joined": N_("Join the class first (above)."),
    "runs_full": N_("The class has as many runs as it may ({limit}): the teacher can export and start "
                    "a new class."),
    "answers_full": N_("The class has as many answers as it may ({limit:,})."),
    "model_left_out": N_("Sent to the class, without its model: a run's model may have {mb:.0f} MB, and a "
                         "class's models {class_mb:.0f} MB in all. The board can't read drawings with it."),
    "drawings_full": N_("The class has as many drawings as it may ({limit})."),
    "bad_drawing": N_("This drawing could not be sent: draw a digit and say which it is."),
    "too_fast": N_("That is {limit} submissions in a minute, the most a student may send. Try again in "
                   "{seconds} s."),
    "too_long": N_("This is longer than the board takes ({limit:,} characters or bytes)."),
    "unavailable": N_("The class board is unavailable right now (its database does not answer). "
                      "Training, drawing and everything else work as before."),
}


class Unavailable(RuntimeError):
    """The board's database did not answer (down, unreachable, or over the timeout)."""


def caps():
    """The caps, and a class's life in days (``FFN_CLASS_DAYS``, default 7)."""
    try:
        days = float(os.environ.get("FFN_CLASS_DAYS", Caps.days))
    except ValueError:
        days = Caps.days
    return Caps(days=days if 0 < days <= 365 else Caps.days)


def store():
    """The server's board (``FFN_CLASS_DB``; SQLite in ``data/`` by default), its tables made
    the first time it answers. Raises :class:`Unavailable`: at once, for :data:`RETRY` seconds
    after the database last failed, on every page of the server (a class arriving at a server
    whose database is down does not queue, each for its 2 s, behind the others)."""
    global _store
    if _store is None and time.monotonic() - _down[0] < RETRY:
        raise Unavailable("the database did not answer a moment ago")
    if not _store_lock.acquire(timeout=TIMEOUT):  # another page is making it: not a wait for each
        raise Unavailable("the database is being opened")
    try:
        if _store is None:
            _store = Store(caps=caps()).create()
        return _store
    except (sa.exc.SQLAlchemyError, OSError) as e:
        _failed(e)
    finally:
        _store_lock.release()


def _failed(error):
    log.warning("the class board's database failed: %s", error)
    _down[0] = time.monotonic()
    raise Unavailable(str(error)) from None


def call(method, *args, **kwargs):
    """``store().method(*args)``: a :class:`Unavailable` for any failure of the database's
    (never a page's crash), a :class:`board.store.BoardError` for a refusal. For
    :data:`RETRY` seconds after a failure, every call is refused at once."""
    if time.monotonic() - _down[0] < RETRY:
        raise Unavailable("the database did not answer a moment ago")
    try:
        return getattr(store(), method)(*args, **kwargs)
    except (sa.exc.SQLAlchemyError, OSError) as e:
        _failed(e)


def worded(error, code=None):
    """A refusal or a failure as the page says it (``code``: the class it was about)."""
    if isinstance(error, BoardError):
        values = {"limit": 0, "seconds": 60, "code": code or st.session_state.get("classroom", ""),
                  **error.values}
        return _(MESSAGES.get(error.code, MESSAGES["unavailable"])).format(**values)
    return _(MESSAGES["unavailable"])


def expire_classes():
    """Delete the classes past their time (the server's housekeeping, now and then)."""
    try:
        n = store().expire()
        if n:
            log.info("%d expired classes deleted", n)
    except (sa.exc.SQLAlchemyError, OSError, Unavailable) as e:
        log.warning("expired classes could not be deleted: %s", e)


def _teacher_name(code):
    return f"teacher.{code}"


def identify():
    """Once a run, before the panels: from what the browser told the page it keeps (at the last
    run's end: :func:`ui.keeper.mount`), and from a teacher's link's key, who this session is
    in its class. Sets ``class_role`` ('teacher', 'student', or None while the browser has
    not told the page), ``class_me`` (a student's {id, name} once joined) and
    ``class_token``; what the browser is to keep goes to :func:`ui.keeper.write`."""
    _identify(keeper.read())


def _identify(kept):
    ss = st.session_state
    code = ss.get("classroom") or ""
    if kept is None:
        return
    if kept.get("token"):
        ss.class_token = kept["token"]
    elif not ss.get("class_token"):
        ss.class_token = secrets.token_urlsafe(24)
        keeper.write(token=ss.class_token)
    if not code or ss.get("class_identified") == code:
        return
    link_key, kept_key = ss.get("class_key_given", ""), kept.get(_teacher_name(code), "")
    try:
        # the link's key first, then the one the browser kept; each kept only once it is judged
        key = next((k for k in (link_key, kept_key) if k and call("is_teacher", code, k)), None)
        ss.class_key_given = ""
        if key is not None:
            ss.class_key, ss.class_role, ss.class_me = key, "teacher", None
            keeper.write(**{_teacher_name(code): key})
        else:
            if link_key:
                ss.class_msg = ("warning", "wrong_key")
            ss.class_key, ss.class_role = None, "student"
            ss.class_me = call("student", code, ss.class_token)
        ss.class_identified, ss.class_unavailable = code, False
    except BoardError as e:
        ss.class_role, ss.class_msg, ss.class_identified = "student", ("error", e), code
    except Unavailable:
        ss.class_unavailable = True  # said on the Class tab; tried again at a later run


def is_teacher():
    return st.session_state.get("class_role") == "teacher" and bool(st.session_state.get("class_key"))


def is_student():
    ss = st.session_state
    return bool(ss.get("classroom")) and ss.get("class_role") == "student" and ss.get("class_me") is not None


def _said(kind, what):
    st.session_state.class_msg = (kind, what)


def _attempt(fn):
    """``(True, fn())``, or ``(False, None)`` with the refusal or failure kept for the page to say."""
    try:
        return True, fn()
    except (BoardError, Unavailable) as e:
        _said("error", e)
        return False, None


def start_class():
    """The Start a class button: a new class, this session its teacher."""
    ss = st.session_state
    ok, made = _attempt(lambda: call("new_class"))
    if ok:
        code, key = made
        leave()
        ss.classroom, ss.class_key, ss.class_role, ss.class_identified = code, key, "teacher", code
        ss.class_new = True
        keeper.write(**{_teacher_name(code): key})


def join(code=None):
    """The Join button: this browser's token into the class, under the name typed (or a seat's)."""
    ss = st.session_state
    code = code or ss.get("classroom")
    name = str(ss.get("class_nickname") or "")
    if not code or not ss.get("class_token"):
        return
    ok, _sid = _attempt(lambda: call("join", code, ss.class_token, name, default=_("Student {n}")))
    if ok:
        ss.classroom, ss.class_role, ss.class_identified, ss.class_msg = code, "student", code, None
        ss.class_me = _attempt(lambda: call("student", code, ss.class_token))[1]


SESSION = ("class_role", "class_me", "class_key", "class_identified", "class_msg", "class_new", "class_sent",
           "class_runs_sent", "class_answers_sent", "class_unavailable")  # what a class leaves in a session


def leave():
    """Leave the class on this page (a teacher's key stays in the browser: the teacher link works)."""
    ss = st.session_state
    for k in SESSION:
        ss.pop(k, None)
    ss.classroom = ""


def delete_class():
    ss = st.session_state
    code = ss.get("classroom")
    ok, _none = _attempt(lambda: call("delete", code, ss.class_key))
    if ok:
        keeper.write(**{_teacher_name(code): None})
        leave()
        ss.class_msg = ("success", "deleted")


def send(kind, **payload):
    """Send ``kind`` ('run', 'drawing' or 'answers') to the class, as this session's student;
    what happened is kept for the page to say (``class_sent``: kind -> (ok, text))."""
    ss = st.session_state
    code, token = ss.get("classroom"), ss.get("class_token")
    method = {"run": "submit_run", "drawing": "submit_drawing", "answers": "submit_answers"}[kind]
    try:
        done = call(method, code, token, **payload)
    except (BoardError, Unavailable) as e:
        ss.setdefault("class_sent", {})[kind] = (False, worded(e))
        return
    said = None
    if kind == "run" and payload.get("model") is not None and not done["model_kept"]:
        limits = caps()
        said = _(MESSAGES["model_left_out"]).format(mb=limits.model_bytes / 2 ** 20,
                                                     class_mb=limits.class_model_bytes / 2 ** 20)
    ss.setdefault("class_sent", {})[kind] = (True, said)


def run_payload(run):
    """What a finished run sends: settings, accuracies, wall time, iterations to 90 % and model."""
    from ffn.compare import iterations_to
    series = "valid_acc" if run.history.get("valid_acc") else "train_acc"
    model = run.model.read() if run.model is not None else None
    return dict(settings=run.settings.to_dict(), final=dict(run.final), wall_seconds=run.wall_seconds,
                iters_to_90=iterations_to(run.history, 0.9, series), model=model)


def drawing_payload(x, label):
    return dict(label=int(label), pixels=as_bytes(x))
