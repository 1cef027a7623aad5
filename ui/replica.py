"""A student moved off a replica that died: the notice that their run was lost.

Behind HAProxy (``deploy/``), the cookie ``ffn_replica`` keeps a browser on the replica
that holds its session, and each replica knows its own name (``FFN_REPLICA``). When a
replica dies, its students' pages reconnect and HAProxy sends them to a live one. The
new replica starts each of them a fresh session, which reads its settings back from
the address bar (``ui.lesson_panel``); their runs, kept runs and uploads lived in the
dead replica's memory. The cookie the reconnecting page brings still names the dead
replica, and that is how the page knows to say so.
"""
import os

import streamlit as st

from .i18n import _

COOKIE = "ffn_replica"
ENV = "FFN_REPLICA"
WATCH_SECONDS = 30


def moved_from(cookies, me):
    """True when the balancer's cookie names a replica other than ``me``.

    Parameters
    ----------
    cookies : mapping of str to str
        The cookies of the request that opened the session.
    me : str or None
        This replica's name; None when the app runs alone, without a balancer.
    """
    was = cookies.get(COOKIE)
    return bool(me and was and was != me)


def browser_cookies():
    return st.context.cookies


def check():
    """At a session's first run: was this browser's session on another replica?"""
    st.session_state.moved = moved_from(browser_cookies(), os.environ.get(ENV))


def render():
    """The notice, until the student dismisses it."""
    if st.session_state.get("moved"):
        with st.container(key="replica_moved", border=True):
            st.warning(_("The server restarted: your run was lost. Your settings are as they were; "
                         "press Start again."))
            st.button(_("OK"), key="moved_ok", on_click=_dismiss)


def _dismiss():
    st.session_state.moved = False


def watch():
    """A fragment that draws nothing, on a 30-second timer.

    When its websocket comes back, Streamlit's page asks for a script run only while one
    was going or a timer is set (``handleConnectionStateChanged`` in its frontend). Without
    this, the page of a student who was idle when their replica died would stay as it
    was, their old run and all, until they next clicked; with it, the new replica runs
    the page at once and the notice appears. It costs each session one empty run every
    30 s. Not on the Draw tab, where a student drawing reruns the page anyway, and where
    the timer's runs can cost a drawing its prediction.
    """
    st.fragment(_nothing, run_every=WATCH_SECONDS)()


def _nothing():
    pass
