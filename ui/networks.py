"""Networks read from their model files when a page needs them, shared by every session.

A finished run's model waits on disk in the training pool's files (:mod:`serve.files`):
a session keeps its runs as handles, not as networks of up to 6.4 MB each. The few
networks used last are kept here, read-only, for every session that reads with them: a
class drawing with the run its lesson link trained shares one network. One not used for
``IDLE`` seconds goes (:func:`trim`, from the server's housekeeping), so that a class
that has left leaves none behind.
"""
import threading
import time
from collections import OrderedDict

from ffn.model_io import load_model

CACHED = 6  # networks kept in memory, the ones used last: 6.4 MB each at the sidebar's caps
IDLE = 60.0  # seconds: a network not used for this long goes

_cache = OrderedDict()  # a stored file's id -> (its network, when it was last used), the oldest first
_lock = threading.Lock()


def network(model):
    """The network of ``model``: a network is itself (the bundled model, an upload); a model
    file (:class:`serve.files.StoredFile`) is read once while it is among the ``CACHED`` used
    last, and then shared: read it, never change it."""
    if not hasattr(model, "read"):
        return model
    with _lock:
        net, _used = _cache.get(model.id, (None, 0.0))
        if net is not None:
            _cache[model.id] = (net, time.monotonic())
            _cache.move_to_end(model.id)
            return net
    net = load_model(model.path)  # the pool's own file, checked all the same; two pages may read it at once
    with _lock:
        _cache[model.id] = (net, time.monotonic())
        while len(_cache) > CACHED:
            _cache.popitem(last=False)
    return net


def trim(now=None):
    """Let go of the networks not used for ``IDLE`` seconds; returns how many are kept."""
    now = time.monotonic() if now is None else now
    with _lock:
        while _cache and now - next(iter(_cache.values()))[1] > IDLE:
            _cache.popitem(last=False)
        return len(_cache)
