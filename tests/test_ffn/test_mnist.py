import gzip
import shutil
import socket

import numpy as np
import pytest

from ffn.mnist import DEFAULT_DIR, FILES, load_mnist, split_validation

TRAIN_COUNTS = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
TEST_COUNTS = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_label_counts_and_pixels_match_the_published_facts(mnist):
    (x, t), (xt, tt) = mnist
    assert x.shape == (60000, 784) and xt.shape == (10000, 784)
    assert x.dtype == np.float32 and t.dtype == np.uint8
    assert np.bincount(t).tolist() == TRAIN_COUNTS
    assert np.bincount(tt).tolist() == TEST_COUNTS
    assert float(x.mean()) == pytest.approx(0.1307, abs=1e-4)
    assert x.min() == 0 and x.max() == 1


def test_options_as_in_the_article():
    (x, t), (xt, tt) = load_mnist(normalize=False, flatten=False, one_hot_label=True)
    assert x.dtype == np.uint8 and x.shape == (60000, 1, 28, 28)
    assert t.shape == (60000, 10) and np.all(t.sum(axis=1) == 1)
    assert float(x.mean()) == pytest.approx(33.318, abs=1e-3)
    assert tt.argmax(axis=1).tolist()[:5] == [7, 2, 1, 0, 4]


def test_loading_never_touches_the_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("load_mnist opened a network connection")
    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    (x, _), _ = load_mnist()
    assert len(x) == 60000


def _copy_data(tmp_path):
    for name, *_ in FILES.values():
        shutil.copy(DEFAULT_DIR / name, tmp_path / name)
    return tmp_path


def test_missing_file_gets_a_clear_error(tmp_path):
    d = _copy_data(tmp_path)
    (d / FILES["test_label"][0]).unlink()
    with pytest.raises(FileNotFoundError, match="t10k-labels-idx1-ubyte.gz is missing"):
        load_mnist(directory=d)


def test_corrupt_files_are_refused(tmp_path):
    d = _copy_data(tmp_path)
    path = d / FILES["test_label"][0]
    raw = bytearray(gzip.decompress(path.read_bytes()))
    raw[100] = (raw[100] + 1) % 10  # one label changed: valid gzip, wrong content
    path.write_bytes(gzip.compress(bytes(raw)))
    with pytest.raises(ValueError, match="corrupt"):
        load_mnist(directory=d)
    path.write_bytes(b"not gzip at all")
    with pytest.raises(ValueError, match="not a readable gzip"):
        load_mnist(directory=d)


def test_split_validation_holds_out_the_first_part():
    x, t = np.arange(100).reshape(50, 2), np.arange(50)
    (xtr, ttr), (xv, tv) = split_validation(x, t, 0.1)
    assert tv.tolist() == [0, 1, 2, 3, 4] and ttr[0] == 5 and len(xtr) == 45
    assert np.shares_memory(xtr, x)  # views, no copy
    with pytest.raises(ValueError, match="got 1.5"):
        split_validation(x, t, 1.5)


def test_shared_mnist_is_the_same_arrays_mapped_read_only(tmp_path):
    from ffn.mnist import load_shared, save_shared
    save_shared(tmp_path)
    (x, t), (xt, tt) = load_shared(tmp_path)
    (x0, t0), (xt0, tt0) = load_mnist()
    assert isinstance(x, np.memmap) and not x.flags.writeable
    np.testing.assert_array_equal(x, x0)
    np.testing.assert_array_equal(tt, tt0)
    assert x.dtype == np.float32 and t.dtype == t0.dtype
    np.save(tmp_path / "x_test.npy", np.zeros((3, 784), np.float32))
    with pytest.raises(ValueError, match="shapes"):
        load_shared(tmp_path)
