import io
import json
import zipfile

import numpy as np
import pytest

import ffn
from ffn.archive import MAX_FILE_BYTES
from ffn.model_io import load_model, model_bytes, save_model
from tests.support.hostile import load_traced, npy, zip_of


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


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda a: a.update(W2=np.zeros((16, 9), np.float32)), r"W2 has shape \(16, 9\)"),
        (lambda a: a["W1"].__setitem__((0, 0), np.nan), "W1 contains NaN"),
        (lambda a: a["b3"].__setitem__(0, np.inf), "b3 contains NaN or infinite"),
        (lambda a: a.update(W1=a["W1"].astype(np.int64)), "float32 or all float64"),
        (lambda a: a.pop("b2"), "expected arrays"),
        (lambda a: a.update(extra=np.zeros(3)), "not an ffn model"),
        (lambda a: a.update(meta=np.array("{not json")), "not valid JSON"),
        (lambda a: a.update(meta=np.array(json.dumps({"format": "other"}))), "format"),
        (lambda a: a.update(meta=np.zeros(3)), "JSON string"),
        (
            lambda a: a.update(
                meta=np.array(
                    json.dumps(
                        {
                            "format": "ffn-digits/1",
                            "config": {"input_size": 784, "hidden_size_list": [10**6], "output_size": 10},
                        }
                    )
                )
            ),
            "config is invalid",
        ),
        (
            lambda a: a.update(
                meta=np.array(
                    json.dumps(
                        {
                            "format": "ffn-digits/1",
                            "config": {
                                "input_size": 784,
                                "hidden_size_list": [16, 8],
                                "output_size": 10,
                                "__class__": "x",
                            },
                        }
                    )
                )
            ),
            "unexpected",
        ),
    ],
)
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
        zf.writestr("W9.npy", b"\0" * (200 * 2**20))
    assert len(buf.getvalue()) < MAX_FILE_BYTES
    with pytest.raises(ValueError, match="unpacks to"):
        load_model(buf.getvalue())


# --- Hostile files: whatever the bytes, load_model raises ValueError and allocates little ---

APP_SIZES = dict(input_size=784, output_size=10, max_params=1_300_000)


def members_of(net, meta=None):
    out = {f"{k}.npy": npy(v) for k, v in net.params.items()}
    out["meta.npy"] = npy(np.array(json.dumps(meta or {"format": "ffn-digits/1", "config": net.config()})))
    return out


def loads_within(data, peak_mb, **kw):
    """load_model's outcome (a net or the ValueError), checked to peak under ``peak_mb``."""
    out, peak = load_traced(data, **kw)
    assert peak < peak_mb, f"peak {peak:.1f} MB"
    return out


def test_a_member_of_raw_bytes_gets_a_value_error(net):
    m = members_of(net)
    m["W1.npy"] = b"raw bytes, not an array"
    with pytest.raises(ValueError, match="W1.npy is not a readable .npy array"):
        load_model(zip_of(m))


def test_deeply_nested_meta_json_gets_a_value_error(net):
    m = members_of(net)
    m["meta.npy"] = npy(np.array("[" * 10_000 + "]" * 10_000))  # 80 KB of npy: over the cap
    with pytest.raises(ValueError, match="'meta' is 80,128 bytes; the limit is 65,536"):
        load_model(zip_of(m))
    m["meta.npy"] = npy(np.array("[" * 8000 + "]" * 8000))  # under the cap, deeper than Python recurses
    with pytest.raises(ValueError, match="nested too deeply"):
        load_model(zip_of(m))


def test_a_huge_meta_string_is_refused_before_it_is_read(net):
    m = members_of(net)
    m["meta.npy"] = npy(np.array("x" * 30_000_000))  # 120 MB unpacked, 117 KB packed
    out = loads_within(zip_of(m), peak_mb=8)
    assert isinstance(out, ValueError) and "limit is 65,536" in str(out)


@pytest.mark.parametrize(
    "sizes, message",
    [
        ((100, [16, 8], 10), "100 inputs; it must have 784"),
        ((4096, [16, 8], 10), "4096 inputs; it must have 784"),
        ((784, [16, 8], 4096), "4096 outputs; it must have 10"),
        ((784, [16, 8], 1), "1 outputs; it must have 10"),
    ],
)
def test_models_that_cannot_read_a_28x28_digit_are_refused(sizes, message):
    net = ffn.MultiLayerNet(*sizes, seed=0)
    with pytest.raises(ValueError, match=message):
        load_model(model_bytes(net), **APP_SIZES)
    assert load_model(model_bytes(net)).input_size == sizes[0]  # the library alone takes any size


def test_declared_sizes_are_checked_before_anything_is_allocated(net):
    # a file that declares huge layers used to build that net at random first (1.4 GB for 8 x 4096)
    cfg = {**net.config(), "input_size": 784, "hidden_size_list": [4096, 4096], "output_size": 10}
    data = zip_of(members_of(net, {"format": "ffn-digits/1", "config": cfg}))
    out = loads_within(data, peak_mb=4, **APP_SIZES)
    assert isinstance(out, ValueError) and "20,037,642 weights; the limit here is 1,300,000" in str(out)
    out = loads_within(data, peak_mb=4)  # no budget: the arrays don't match the declared sizes
    assert isinstance(
        out, ValueError
    ) and "W1 has shape (784, 16); the architecture needs (784, 4096)" in str(out)


def test_a_large_valid_model_over_the_budget_is_refused_cheaply():
    # a 784-4096-4096-10 model of zeros packs into about 80 KB and used to cost 105 MB
    shapes = ffn.network.param_shapes(784, [4096, 4096], 10)
    cfg = ffn.MultiLayerNet(784, [8, 8], 10).config() | {"hidden_size_list": [4096, 4096]}
    m = {f"{k}.npy": npy(np.zeros(s, np.float32)) for k, s in shapes.items()}
    m["meta.npy"] = npy(np.array(json.dumps({"format": "ffn-digits/1", "config": cfg})))
    data = zip_of(m)
    assert len(data) < 200_000
    out = loads_within(data, peak_mb=4, **APP_SIZES)
    assert isinstance(out, ValueError) and "20,037,642 weights" in str(out)


def test_a_member_whose_size_disagrees_with_its_header_is_refused(net):
    m = members_of(net)
    m["b1.npy"] = m["b1.npy"] + b"\0" * 64
    with pytest.raises(ValueError, match="b1 is 256 bytes; its header says 192"):
        load_model(zip_of(m))


def test_huge_but_finite_weights_are_refused():
    net = ffn.MultiLayerNet(784, [16, 8], 10, seed=0)
    for p in net.params.values():
        p[...] = 3e38
    with pytest.raises(ValueError, match="probabilities are not finite"):
        load_model(model_bytes(net))


@pytest.mark.parametrize("value", ["<b>0.99</b>", float("nan"), 2.0, True, [0.5]])
def test_accuracy_in_meta_must_be_a_fraction(net, value):
    with pytest.raises(ValueError, match="test_accuracy must be a number"):
        load_model(model_bytes(net, test_accuracy=value))


def test_a_loaded_network_is_built_from_the_file_without_random_weights(net, monkeypatch):
    def no_random(*a, **k):
        raise AssertionError("random initialisation while loading")

    monkeypatch.setattr(ffn.network, "initial_params", no_random)
    loaded = load_model(model_bytes(net))
    np.testing.assert_array_equal(loaded.params["W1"], net.params["W1"])


@pytest.mark.parametrize("method", [zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA])
def test_members_that_zipfile_would_inflate_unbounded_are_refused(net, method):
    """zipfile bounds deflate by the declared size, but inflates a whole bzip2 or lzma read
    first: 300 MB of zeros in a 48 KB file, declared as 128 bytes, peaked at 608 MB."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for k, v in net.params.items():
            zf.writestr(f"{k}.npy", npy(v))
        zf.writestr(zipfile.ZipInfo("meta.npy"), b"\0" * (50 * 2**20), compress_type=method)
    out = loads_within(buf.getvalue(), peak_mb=8)
    assert isinstance(out, ValueError) and "stored or deflated" in str(out)


def test_a_huge_npy_header_is_refused_before_it_is_read(net):
    m = members_of(net)
    raw = m["b1.npy"]
    m["b1.npy"] = raw[:8] + (10 * 2**20).to_bytes(4, "little") + b" " * (10 * 2**20)  # a v2.0 header of 10 MB
    m["b1.npy"] = b"\x93NUMPY\x02\x00" + m["b1.npy"][8:]
    out = loads_within(zip_of(m), peak_mb=4)
    assert isinstance(out, ValueError) and "b1 is 10,485,772 bytes" in str(out)


def many_entries(n):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for i in range(n):
            zf.writestr(f"x{i}", b"")
    return bytearray(buf.getvalue())


def test_a_zip_directory_of_many_entries_is_refused_before_it_is_parsed():
    out = loads_within(bytes(many_entries(5000)), peak_mb=2)
    assert isinstance(out, ValueError) and "5,000 members in 253,890 bytes; a model has at most 51" in str(
        out
    )


def test_an_end_record_that_lies_about_the_count_is_refused_by_the_directory_size():
    """zipfile reads the directory by its byte size, not by the count: a count of 1 over
    114,000 entries (a 5 MB upload) cost 40 MB."""
    data = many_entries(20_000)
    end = data.rfind(b"PK\x05\x06")
    data[end + 8 : end + 12] = (1).to_bytes(2, "little") * 2  # the entry counts say 1
    out = loads_within(bytes(data), peak_mb=2)
    assert isinstance(out, ValueError) and "1 members in 1,028,890 bytes" in str(out)


def test_a_zip64_archive_is_refused(net):
    """zipfile takes the directory's size from a zip64 record when a locator precedes the
    end record; numpy never writes one for a file this small."""
    data = bytearray(zip_of(members_of(net)))
    end = data.rfind(b"PK\x05\x06")
    locator = (
        b"PK\x06\x07" + (0).to_bytes(4, "little") + (0).to_bytes(8, "little") + (1).to_bytes(4, "little")
    )
    data[end:end] = locator
    with pytest.raises(ValueError, match="zip64"):
        load_model(bytes(data))


def test_weights_that_cancel_on_uniform_inputs_are_caught_by_the_random_probes():
    net = ffn.MultiLayerNet(784, [16, 8], 10, seed=0, dtype=np.float64)
    net.params["W1"][0::2, 0] = 1e200  # sums to 0 on all-0, all-0.5 and all-1 inputs...
    net.params["W1"][1::2, 0] = -1e200
    net.params["W2"][0, 0] = 1e200  # ...and overflows on almost any other
    with pytest.raises(ValueError, match="probabilities are not finite"):
        load_model(model_bytes(net))


@pytest.fixture
def tricks_net(rng):
    net = ffn.MultiLayerNet(
        784, [16, 16, 8], 10, normalization="batch", dropout_ratio=0.3, residual=True, seed=3
    )
    net.gradient(rng.random((32, 784)).astype(np.float32), rng.integers(0, 10, 32))  # measured statistics
    return net


def test_a_network_with_the_tricks_saves_and_loads_and_predicts_the_same(tricks_net, rng):
    loaded = load_model(model_bytes(tricks_net), input_size=784, output_size=10)
    assert loaded.config() == tricks_net.config()
    np.testing.assert_array_equal(loaded.state_vector, tricks_net.state_vector)  # running statistics too
    assert loaded.stats["running_var2"].any() and not np.array_equal(loaded.stats["running_var2"], 1)
    x = rng.random((20, 784)).astype(np.float32)
    np.testing.assert_array_equal(loaded.predict_proba(x), tricks_net.predict_proba(x))
    assert loaded.named_layers()["BatchNorm2"].running_mean is loaded.stats["running_mean2"]
    layer = ffn.MultiLayerNet(784, [16, 8], 10, normalization="layer", seed=1)
    np.testing.assert_array_equal(load_model(model_bytes(layer)).predict(x), layer.predict(x))


def test_a_model_saved_before_the_tricks_existed_still_loads(net):
    meta = {
        "format": "ffn-digits/1",
        "config": {
            k: v for k, v in net.config().items() if k not in ("normalization", "dropout_ratio", "residual")
        },
    }
    loaded = load_model(npz_bytes(**good_arrays(net, meta)))
    assert loaded.normalization == "none" and loaded.dropout_ratio == 0 and loaded.residual is False


def with_config(arrays, **changes):
    meta = json.loads(str(arrays["meta"]))
    meta["config"].update(changes)
    arrays["meta"] = np.array(json.dumps(meta))


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda a: a["running_var1"].__setitem__(0, -1.0), "running_var1 holds a negative variance"),
        (lambda a: a["running_mean2"].__setitem__(3, np.nan), "running_mean2 contains NaN"),
        (lambda a: a["gamma3"].__setitem__(0, np.inf), "gamma3 contains NaN or infinite"),
        (lambda a: a.pop("running_var3"), "expected arrays"),
        (lambda a: a.pop("beta1"), "expected arrays"),
        (lambda a: a.update(gamma2=np.ones(15, np.float32)), r"gamma2 has shape \(15,\)"),
        (
            lambda a: a.update(running_mean1=np.zeros((16, 16), np.float32)),
            r"running_mean1 has shape \(16, 16\)",
        ),
        (lambda a: a.update(running_mean9=np.zeros(16, np.float32)), "expected arrays"),
        (lambda a: a.update(running_mean1=a["running_mean1"].astype(np.float64)), "float32 or all float64"),
        (lambda a: a.update(gamma_1=np.zeros(16, np.float32)), "not an ffn model"),
        (lambda a: with_config(a, normalization="layer"), "expected arrays"),  # LayerNorm keeps no statistics
        (lambda a: with_config(a, normalization="<b>group</b>"), "normalization must be one of"),
        (lambda a: with_config(a, dropout_ratio=1.5), "dropout_ratio must be in"),
        (lambda a: with_config(a, residual="true"), "residual must be True or False"),
        (lambda a: with_config(a, hidden_size_list=[16, 8, 8], residual=True), "expected arrays|has shape"),
        (lambda a: with_config(a, hidden_size_list=[16, 12, 8], residual=True), "same size"),
    ],
)
def test_hostile_files_with_the_tricks_arrays_are_refused(tricks_net, change, message):
    arrays = good_arrays(tricks_net)
    arrays.update({k: v.copy() for k, v in tricks_net.stats.items()})
    load_model(npz_bytes(**arrays))  # the untouched arrays load
    change(arrays)
    with pytest.raises(ffn.ModelFileError, match=message):
        load_model(npz_bytes(**arrays), input_size=784, output_size=10)
