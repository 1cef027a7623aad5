"""A run's network is read from its model file when a page asks, shared, and let go when idle."""
import numpy as np

import ffn
from ffn.model_io import model_bytes
from serve.files import FileStore
from ui import networks


def small(seed):
    return ffn.MultiLayerNet(input_size=784, hidden_size_list=[16, 8], output_size=10, seed=seed)


def test_a_model_file_is_read_once_and_shared(monkeypatch):
    monkeypatch.setattr(networks, "_cache", type(networks._cache)())
    store = FileStore()
    try:
        nets = [small(s) for s in range(networks.CACHED + 1)]
        files = [store.put(model_bytes(n)) for n in nets]
        a = networks.network(files[0])
        assert a is networks.network(files[0])  # one network for every page that reads with it
        np.testing.assert_array_equal(a.state_vector, nets[0].state_vector)
        assert networks.network(nets[1]) is nets[1]  # a network (the bundled one, an upload) is itself
        for f in files[1:]:
            networks.network(f)
        assert len(networks._cache) == networks.CACHED  # at most this many in memory: the oldest went
        assert networks.network(files[0]) is not a  # read again
    finally:
        store.close()


def test_networks_nobody_reads_with_go(monkeypatch):
    monkeypatch.setattr(networks, "_cache", type(networks._cache)())
    store = FileStore()
    try:
        old, new = store.put(model_bytes(small(0))), store.put(model_bytes(small(1)))
        networks.network(old)
        later = networks._cache[old.id][1] + networks.IDLE / 2
        monkeypatch.setattr(networks.time, "monotonic", lambda: later)
        networks.network(new)
        assert networks.trim() == 2  # neither idle for long enough
        assert networks.trim(later + networks.IDLE * 0.75) == 1 and old.id not in networks._cache
        assert networks.trim(later + networks.IDLE * 2) == 0
    finally:
        store.close()
