import io
import json
import zipfile

import numpy as np
import pytest

import ffn
from ffn.model_io import MAX_FILE_BYTES, load_model, model_bytes, save_model


@pytest.fixture
def net():
    return ffn.MultiLayerNet(784, [16, 8], 10, activation="tanh", weight_init="xavier", seed=3)


def npz_bytes(**arrays):
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def good_arrays(net, meta=None):
    arrays = {k: v.copy() for k, v in net.params.items()}
    arrays["meta"] = np.array(json.dumps(meta or {"format": "ffn-digits/1", "config": net.config()}))
    return arrays


def test_save_then_load_gives_identical_predictions(net, tmp_path, rng):
    path = tmp_path / "m.npz"
    save_model(net, path, test_accuracy=0.5, command="x")
    loaded = load_model(path)
    x = rng.random((20, 784)).astype(np.float32)
    np.testing.assert_array_equal(loaded.predict_proba(x), net.predict_proba(x))
    assert loaded.meta["test_accuracy"] == 0.5 and loaded.meta["config"]["activation"] == "tanh"
    assert loaded.layers["Affine2"].W is loaded.params["W2"]
    again = load_model(model_bytes(net))
    np.testing.assert_array_equal(again.params["W3"], net.params["W3"])
    assert load_model(io.BytesIO(model_bytes(net))).activation == "tanh"


def test_the_bundled_model_loads_and_is_accurate(mnist):
    m = load_model()
    assert m.meta["test_accuracy"] >= 0.99
    assert "python -m ffn.train" in m.meta["command"]
    _, (xt, tt) = mnist
    assert m.accuracy(xt[:2000], tt[:2000]) > 0.98


def test_pickled_objects_are_refused(net):
    arrays = good_arrays(net)
    arrays["W1"] = np.array([{"evil": 1}] * 3, dtype=object)
    with pytest.raises(ValueError, match="other than plain numbers"):
        load_model(npz_bytes(**arrays))


@pytest.mark.parametrize("change, message", [
    (lambda a: a.update(W2=np.zeros((16, 9), np.float32)), r"W2 has shape \(16, 9\)"),
    (lambda a: a["W1"].__setitem__((0, 0), np.nan), "W1 contains NaN"),
    (lambda a: a["b3"].__setitem__(0, np.inf), "b3 contains NaN or infinite"),
    (lambda a: a.update(W1=a["W1"].astype(np.int64)), "float32 or all float64"),
    (lambda a: a.pop("b2"), "expected arrays"),
    (lambda a: a.update(extra=np.zeros(3)), "not an ffn model"),
    (lambda a: a.update(meta=np.array("{not json")), "not valid JSON"),
    (lambda a: a.update(meta=np.array(json.dumps({"format": "other"}))), "format"),
    (lambda a: a.update(meta=np.zeros(3)), "JSON string"),
    (lambda a: a.update(meta=np.array(json.dumps({"format": "ffn-digits/1", "config": {
        "input_size": 784, "hidden_size_list": [10 ** 6], "output_size": 10}}))), "config is invalid"),
    (lambda a: a.update(meta=np.array(json.dumps({"format": "ffn-digits/1", "config": {
        "input_size": 784, "hidden_size_list": [16, 8], "output_size": 10, "__class__": "x"}}))), "unexpected"),
])
def test_bad_contents_are_refused_with_a_clear_message(net, change, message):
    arrays = good_arrays(net)
    change(arrays)
    with pytest.raises(ValueError, match=message):
        load_model(npz_bytes(**arrays))


def test_not_a_zip_empty_and_missing_files(tmp_path):
    with pytest.raises(ValueError, match="not a model file.*zip archive"):
        load_model(b"hello, I am a text file")
    with pytest.raises(ValueError, match="not a model file.*zip archive"):
        load_model(b"")
    with pytest.raises(ValueError, match="no model file"):
        load_model(tmp_path / "nothing.npz")
    with pytest.raises(ValueError, match="expected a path"):
        load_model(12345)


def test_huge_files_and_zip_bombs_are_refused(tmp_path, net):
    big = tmp_path / "big.npz"
    big.write_bytes(b"\0" * (MAX_FILE_BYTES + 1))
    with pytest.raises(ValueError, match="limit"):
        load_model(big)
    with pytest.raises(ValueError, match="over"):
        load_model(io.BytesIO(b"\0" * (MAX_FILE_BYTES + 1)))
    buf = io.BytesIO()  # 200 MB of zeros compresses to a small file
    arrays = good_arrays(net)
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for k, v in arrays.items():
            b = io.BytesIO()
            np.save(b, v)
            zf.writestr(f"{k}.npy", b.getvalue())
        zf.writestr("W9.npy", b"\0" * (200 * 2 ** 20))
    assert len(buf.getvalue()) < MAX_FILE_BYTES
    with pytest.raises(ValueError, match="unpacks to"):
        load_model(buf.getvalue())
