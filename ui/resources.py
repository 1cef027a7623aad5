"""What every session shares, loaded once per server process: the bundled model and the
pool of training workers (which read MNIST themselves: the server never holds it).

The bundled network is only read, and safe to share because inference writes nothing
into a network (see :class:`ffn.MultiLayerNet`).
"""
import ctypes
import ctypes.util
import gc
import logging
import os
import threading
import time
import uuid

import numpy as np
import streamlit as st

import ffn
from serve.pool import TrainingPool

from . import classroom, expiry, networks
from .i18n import _

log = logging.getLogger("ffn-digits")


def bundled_model():
    """The pretrained 784-512-256-10 network, shared read-only by every session."""
    return _first_load(_bundled_model, _("Loading the pretrained model…"))


_loaded = set()  # loaders whose resource is in the cache: no spinner on a rerun


def _first_load(load, text):
    """``load()``, under a spinner in the session's language only while not yet cached
    (a spinner on every rerun would add an element and a timer thread to each)."""
    if load in _loaded:
        return load()
    with st.spinner(text):
        out = load()
    _loaded.add(load)
    return out


@st.cache_resource(show_spinner=False)
def _bundled_model():
    return ffn.load_model()




@st.cache_resource(show_spinner=False, on_release=lambda p: p.shutdown())
def training_pool():
    """The server's pool of training workers, started once per server process.

    ``FFN_TRAINING_WORKERS`` sets how many runs train at once (default: the machine's
    cores minus one, at least one); more runs wait in a queue.
    """
    workers = os.environ.get("FFN_TRAINING_WORKERS")
    return TrainingPool(workers=int(workers) if workers else None)


def session_id():
    """This session's name in the training pool, kept while the session lives.

    Its release (the browser disconnected) starts the grace period after which the
    session's run is cancelled; the next script run of a reconnected session calls this
    again and keeps the run.
    """
    token = st.session_state.setdefault("session_token", uuid.uuid4().hex)
    pool = training_pool()
    _session_resource(token, pool)
    pool.back(token)
    return token


@st.cache_resource(show_spinner=False, scope="session", on_release=lambda held: held[1].left(held[0]))
def _session_resource(token, _pool):
    return token, _pool


CLASSES_EVERY = 600.0  # seconds between the housekeeping's deletions of expired classes
COLLECT_EVERY = 30.0  # seconds between the server's full collections of reference cycles


@st.cache_resource(show_spinner=False)
def settle():
    """Once per server, at the end of its first page: hide what lives as long as the server
    (the modules, the bundled model) from Python's cycle collector (``gc.freeze``), and
    start the server's housekeeping: its own full collection every COLLECT_EVERY seconds,
    and the sessions whose browsers left shut down once their time to come back has passed
    (:mod:`ui.expiry`), looked for four times in that time, with the networks nobody has
    read with lately (:func:`ui.networks.trim`).

    Streamlit can collect every generation after each script run (``runner.postScriptGC``,
    off in .streamlit/config.toml), so that what a departed session leaves in reference
    cycles goes soon. But a collection walks every session's objects, and every page runs
    fragments several times a second: the server's work grew with the square of its
    sessions (100 students on one lesson: 62 % of the server's CPU in the collector, the
    last figures 9.4x one student's time). One collection every COLLECT_EVERY seconds
    frees the same cycles, a little later, at a fixed pace; Python's own collector runs
    between as it always does.
    """
    gc.collect()  # first: what is already garbage is freed, not frozen for good
    gc.freeze()
    global _collector
    with _collector_lock:  # one for the server's life, even if this cache is cleared
        if _collector is None:
            every = min(COLLECT_EVERY, max(1.0, expiry.ttl() / 4))
            _collector = threading.Thread(target=_housekeeping, args=(COLLECT_EVERY, every),
                                          name="ffn-collect", daemon=True)
            _collector.start()


_collector = None
_collector_lock = threading.Lock()


def _housekeeping(collect_every, expire_every, rounds=None):
    """Every ``expire_every`` seconds, shut down the sessions that left and whose time to come
    back has passed, and let go of idle networks; every ``collect_every`` seconds, a full
    collection and the freed memory given back (``rounds`` rounds; None: for the server's life)."""
    n, collected, classes_expired = 0, time.monotonic(), -CLASSES_EVERY
    while rounds is None or n < rounds:
        time.sleep(expire_every)
        try:
            expiry.expire()
        except Exception:  # the server stopping, or a Streamlit that changed: the collection goes on
            log.exception("sessions that left could not be expired")
        networks.trim()
        if time.monotonic() - classes_expired >= CLASSES_EVERY:
            classroom.expire_classes()  # the board's classes past their time, with all they hold
            classes_expired = time.monotonic()
        if time.monotonic() - collected >= collect_every:
            gc.collect()
            _give_back()
            collected = time.monotonic()
        n += 1


def _libc():
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


_LIBC = _libc()


def _give_back():
    """Give the memory the server freed back to the system (glibc's ``malloc_trim``). Freed
    blocks inside glibc's arenas stay the process's otherwise: a class that has left would
    leave its peak behind. Elsewhere (macOS, musl) nothing is done."""
    trim = getattr(_LIBC, "malloc_trim", None)
    if trim is not None:
        trim(0)


@st.cache_resource(show_spinner=False)
def test_set():
    """MNIST's 10,000 test images as uint8 (7.8 MB, shared by every session) and their labels:
    the Evaluate tab's. ``evaluate`` scales them a chunk at a time."""
    _train, (x, t) = ffn.load_mnist(normalize=False)
    x.setflags(write=False)
    t.setflags(write=False)
    return x, t


def bundled_evaluation():
    """``ffn.evaluate`` of the bundled model on the test set: once per server, shared read-only."""
    return _first_load(_bundled_evaluation, _("Measuring the model on 10,000 test images…"))


@st.cache_resource(show_spinner=False)
def _bundled_evaluation():
    from ffn.evaluate import evaluate
    x, t = test_set()
    r = evaluate(_bundled_model(), x, t)
    for a in r.values():  # shared by every session: read-only
        if isinstance(a, np.ndarray):
            a.setflags(write=False)
    return r
