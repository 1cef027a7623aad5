"""Networks read from their model files when a page needs them, shared by every session.

A finished run's model waits on disk in the training pool's files (:mod:`serve.files`):
a session keeps its runs as handles, not as networks of up to 6.4 MB each. The few
networks used last are kept here, read-only, for every session that reads with them: a
class drawing with the run its lesson link trained shares one network.
"""
import threading
from collections import OrderedDict

from ffn.model_io import load_model

CACHED = 6  # networks kept in memory, the ones used last: 6.4 MB each at the sidebar's caps

_cache = OrderedDict()  # a stored file's id -> its network
_lock = threading.Lock()


def network(model):
    """The network of ``model``: a network is itself (the bundled model, an upload); a model
    file (:class:`serve.files.StoredFile`) is read once while it is among the ``CACHED`` used
    last, and then shared: read it, never change it."""
    if not hasattr(model, "read"):
        return model
    with _lock:
        net = _cache.get(model.id)
        if net is not None:
            _cache.move_to_end(model.id)
            return net
    net = load_model(model.path)  # the pool's own file, checked all the same; two pages may read it at once
    with _lock:
        _cache[model.id] = net
        while len(_cache) > CACHED:
            _cache.popitem(last=False)
    return net
