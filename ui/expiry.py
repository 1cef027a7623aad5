"""Sessions whose browsers left, shut down by the server itself once their time to reconnect
(``server.disconnectedSessionTTL``) has passed.

Streamlit keeps a disconnected session for that long so that a browser that comes back gets
it again. But its store drops an expired session only when it is next written, that is, when
another session disconnects, and then only forgets it: the session is never shut down, so
its uploads and its images in the media store stay too. After a class, nobody disconnects:
the last sessions' runs, models and uploads stayed until the next visitor came and left.
:func:`expire` does what Streamlit would, for every session past its time: on the server's
event loop, where Streamlit itself connects and disconnects sessions, it takes them out of
the store under the store's lock and shuts each down (its uploads, its media, its session
caches); and whenever Streamlit itself takes one out for its age, it is shut down too.

It reads Streamlit's session manager's private parts (Streamlit 1.67, pinned); a Streamlit
without them leaves the sessions to Streamlit, with a warning in the log.
"""
import logging

from streamlit import config
from streamlit.runtime import Runtime

log = logging.getLogger("ffn-digits")
_warned = []  # said once, not at every look


def ttl():
    """The seconds a disconnected session is kept for its browser to come back."""
    return float(config.get_option("server.disconnectedSessionTTL"))


def expire():
    """Ask the server's event loop to shut down every session past its time to reconnect.
    Returns False when this Streamlit does not keep its sessions where this looks."""
    if not Runtime.exists():
        return False
    runtime = Runtime.instance()
    manager = getattr(runtime, "_session_mgr", None)
    store = getattr(getattr(manager, "_session_storage", None), "_cache", None)
    lock = getattr(manager, "_storage_lock", None)
    if not hasattr(store, "expire") or lock is None:
        if not _warned:
            _warned.append(True)
            log.warning("this Streamlit keeps its sessions elsewhere: they expire as Streamlit decides")
        return False
    loop = runtime._get_async_objs().eventloop
    _shut_down_what_expires(store, loop)

    def on_the_loop():
        with lock:
            store.expire()
    loop.call_soon_threadsafe(on_the_loop)
    return True


def _shut_down_what_expires(store, loop):
    """Once per store: whatever takes sessions out of it for their age (this module, or
    Streamlit itself when it next saves one) has them shut down on the event loop, not
    only forgotten. (Not the store's removal hook: a session that reconnects leaves the
    store too, and lives on.)"""
    if getattr(store, "_ffn_shuts_down", False):
        return
    expire = store.expire

    def expire_and_shut_down(*args, **kwargs):
        gone = expire(*args, **kwargs)
        for _id, info in gone:
            loop.call_soon_threadsafe(_shut_down, info.session)
        return gone
    store.expire = expire_and_shut_down
    store._ffn_shuts_down = True


def _shut_down(session):
    try:
        session.shutdown()
        log.info("a session that left was shut down")
    except Exception:  # one session's failure leaves the others to their shutdown
        log.exception("a session that left could not be shut down")
