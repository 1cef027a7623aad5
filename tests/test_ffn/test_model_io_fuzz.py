"""Fuzzing ``load_model``: mutated model files must give a usable network or a ValueError.

The oracle is two hand-written lists, not the loader's own checks: files that must load
and files that must not. Mutations of the loadable ones (bit flips, truncation, renamed
members, edited ``meta`` and edited ``.npy`` headers) must either load into a network
that reads a 28x28 image into ten finite probabilities, or raise ``ValueError``, and
never cost much memory. ``FFN_FUZZ_EXAMPLES`` sets the examples per mutation (CI: 400;
``python -m bench.fuzz_model_io`` runs many more).
"""

import io
import json
import os
import pickle
import zipfile

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import ffn  # noqa: E402
from tests.support.hostile import load_traced, npy, zip_of  # noqa: E402

EXAMPLES = int(os.environ.get("FFN_FUZZ_EXAMPLES", "400"))
APP = dict(input_size=784, output_size=10, max_params=1_300_000)
PEAK_MB = 24  # budget 1.3 M float64 weights = 10 MB, plus the file and its reading
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not os.environ.get("FFN_FUZZ_RANDOM"),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def meta_npy(cfg, **extra):
    return npy(np.array(json.dumps({"format": "ffn-digits/1", "config": cfg, **extra})))


def members(net, **extra):
    out = {f"{k}.npy": npy(v) for k, v in net.params.items()}
    out["meta.npy"] = meta_npy(net.config(), **extra)
    return out


RELU = ffn.MultiLayerNet(784, [16, 8], 10, seed=0)
TANH64 = ffn.MultiLayerNet(784, [32], 10, activation="tanh", weight_init="xavier", seed=1, dtype=np.float64)
SIG = ffn.MultiLayerNet(
    784, [12, 12, 6], 10, activation="sigmoid", weight_init_std=0.5, weight_decay_lambda=1e-4, seed=2
)

# --- the oracle, written by hand ---
MUST_LOAD = {
    "saved by save_model": ffn.model_bytes(RELU),
    "float64, one hidden layer, uncompressed": zip_of(members(TANH64), zipfile.ZIP_STORED),
    "three hidden layers, with the app's metadata": ffn.model_bytes(
        SIG, test_accuracy=0.5, train_accuracy=0.6, valid_accuracy=None, command="app", settings={"seed": 2}
    ),
    "accuracy 0 and 1, integer-valued": ffn.model_bytes(RELU, test_accuracy=0, train_accuracy=1),
    "members in another order": zip_of(dict(reversed(list(members(RELU).items())))),
    "Fortran-ordered arrays": zip_of({**members(RELU), "W1.npy": npy(np.asfortranarray(RELU.params["W1"]))}),
}


def _replace(m, **new):
    return zip_of({**m, **{k.replace("_npy", ".npy"): v for k, v in new.items()}})


M = members(RELU)
MUST_NOT_LOAD = {
    "empty": b"",
    "a text file": b"W1 = [[0.1, 0.2]]",
    "half a model": MUST_LOAD["saved by save_model"][:9000],
    "a pickled object array": zip_of({**M, "W1.npy": pickle.dumps({"W1": 1}, protocol=2)}),
    "an object-dtype .npy": _replace(
        M,
        W1_npy=b"\x93NUMPY\x01\x00v\x00{'descr': '|O', 'fortran_order': False, 'shape': (1,), }".ljust(
            128, b" "
        )[:127]
        + b"\n"
        + pickle.dumps([1]),
    ),
    "raw bytes in W1": _replace(M, W1_npy=b"not an array"),
    "W2 of the wrong shape": _replace(M, W2_npy=npy(np.zeros((16, 9), np.float32))),
    "NaN in b3": _replace(M, b3_npy=npy(np.full(10, np.nan, np.float32))),
    "int weights": _replace(M, W1_npy=npy(np.zeros((784, 16), np.int32))),
    "float16 weights": _replace(M, W1_npy=npy(np.zeros((784, 16), np.float16))),
    "float32 and float64 mixed": _replace(M, b1_npy=npy(np.zeros(16, np.float64))),
    "b2 missing": zip_of({k: v for k, v in M.items() if k != "b2.npy"}),
    "an extra member": _replace(M, W9_npy=npy(np.zeros(3, np.float32))),
    "a member outside the format": _replace(M, **{"../evil_npy": b""}),
    "no meta": zip_of({k: v for k, v in M.items() if k != "meta.npy"}),
    "meta of another format": _replace(
        M, meta_npy=npy(np.array(json.dumps({"format": "keras", "config": {}})))
    ),
    "meta that is a number": _replace(M, meta_npy=npy(np.float32(3))),
    "meta that is not JSON": _replace(M, meta_npy=npy(np.array("{config: 1"))),
    "an unknown config key": _replace(M, meta_npy=meta_npy({**RELU.config(), "__class__": "os.system"})),
    "an unknown activation": _replace(M, meta_npy=meta_npy({**RELU.config(), "activation": "gelu"})),
    "100 inputs": ffn.model_bytes(ffn.MultiLayerNet(100, [16, 8], 10, seed=0)),
    "4096 outputs": ffn.model_bytes(ffn.MultiLayerNet(784, [8], 4096, seed=0)),
    "one output": ffn.model_bytes(ffn.MultiLayerNet(784, [8], 1, seed=0)),
    "over the weight budget": ffn.model_bytes(ffn.MultiLayerNet(784, [1024, 1024], 10, seed=0)),
    "weights of 3e38": _replace(
        M, **{f"{k}_npy": npy(np.full_like(v, 3e38)) for k, v in RELU.params.items()}
    ),
    "an accuracy that is HTML": ffn.model_bytes(RELU, test_accuracy="<img src=x>"),
    "an accuracy over 1": ffn.model_bytes(RELU, test_accuracy=99.3),
    "a bzip2 member": zip_of(M, zipfile.ZIP_BZIP2),
    "an lzma member": zip_of(M, zipfile.ZIP_LZMA),
    "a 1 MB .npy header": _replace(
        M, b1_npy=b"\x93NUMPY\x02\x00" + (2**20).to_bytes(4, "little") + b" " * 2**20
    ),
    "twenty-one members": _replace(
        M,
        **{f"W{i}_npy": b"" for i in range(4, 10)},
        **{f"b{i}_npy": b"" for i in range(4, 10)},
        **{"W10_npy": b"", "b10_npy": b""},
    ),
}


def outcome(data):
    """load_model's result or ValueError, with the peak memory it traced, in MB."""
    return load_traced(data, **APP)


def assert_usable_or_refused(data):
    out, peak = outcome(data)
    assert peak < PEAK_MB, f"peak {peak:.1f} MB"
    if isinstance(out, ValueError):
        return
    assert out.input_size == 784 and out.output_size == 10
    assert sum(p.size for p in out.params.values()) <= APP["max_params"]
    p = out.predict_proba(np.linspace(0, 1, 784))
    assert p.shape == (1, 10) and np.all(np.isfinite(p)) and abs(p.sum() - 1) < 1e-4


@pytest.mark.parametrize("name", MUST_LOAD)
def test_files_that_must_load(name):
    out, _ = outcome(MUST_LOAD[name])
    assert isinstance(out, ffn.MultiLayerNet), out


@pytest.mark.parametrize("name", MUST_NOT_LOAD)
def test_files_that_must_not_load(name):
    out, peak = outcome(MUST_NOT_LOAD[name])
    assert isinstance(out, ValueError), f"{name} loaded"
    assert peak < PEAK_MB


BASES = st.sampled_from(sorted(MUST_LOAD))
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


@FUZZ
@given(
    base=BASES,
    flips=st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.integers(0, 7)), min_size=1, max_size=8),
)
def test_fuzz_bit_flips(base, flips):
    data = bytearray(MUST_LOAD[base])
    for where, bit in flips:
        data[int(where * len(data))] ^= 1 << bit
    assert_usable_or_refused(bytes(data))


@FUZZ
@given(base=BASES, keep=st.floats(0, 1))
def test_fuzz_truncation(base, keep):
    data = MUST_LOAD[base]
    assert_usable_or_refused(data[: int(keep * len(data))])


def _members_of(base):
    with zipfile.ZipFile(io.BytesIO(MUST_LOAD[base])) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


@FUZZ
@given(base=BASES, data=st.data())
def test_fuzz_member_renames(base, data):
    m = _members_of(base)
    old = data.draw(st.sampled_from(sorted(m)))
    new = data.draw(
        st.sampled_from(
            [
                "W1.npy",
                "b1.npy",
                "W9.npy",
                "b10.npy",
                "meta.npy",
                "W1",
                "w1.npy",
                "W01.npy",
                "meta.npy/",
                "../W1.npy",
            ]
        )
        | st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=12)
    )
    m[new] = m.pop(old)
    assert_usable_or_refused(zip_of(m))


@FUZZ
@given(base=BASES, data=st.data())
def test_fuzz_meta_edits(base, data):
    m = _members_of(base)
    with zipfile.ZipFile(io.BytesIO(MUST_LOAD[base])) as zf:
        meta = json.loads(str(np.load(zf.open("meta.npy"))))
    where = data.draw(st.sampled_from(["top", "config"]))
    target = meta if where == "top" else meta["config"]
    key = data.draw(st.sampled_from(sorted(target) + ["test_accuracy", "extra"]) | st.text(max_size=8))
    if data.draw(st.booleans()):
        target[key] = data.draw(JSON | st.integers(0, 5000) | st.lists(st.integers(0, 5000), max_size=9))
    else:
        target.pop(key, None)
    m["meta.npy"] = npy(np.array(json.dumps(meta)))
    assert_usable_or_refused(zip_of(m))


def _with_header(raw, header):
    """An .npy member whose header dict is replaced by ``header`` (data bytes kept)."""
    hlen = int.from_bytes(raw[8:10], "little")
    text = header.encode("latin1")
    text += b" " * (-(10 + len(text) + 1) % 64) + b"\n"
    return raw[:8] + len(text).to_bytes(2, "little") + text + raw[10 + hlen :]


@FUZZ
@given(base=BASES, data=st.data())
def test_fuzz_header_edits(base, data):
    m = _members_of(base)
    name = data.draw(st.sampled_from(sorted(m)))
    descr = data.draw(st.sampled_from(["<f4", "<f8", ">f4", "<f2", "|O", "<i8", "<U10", "|V8", "<c16"]))
    shape = data.draw(
        st.lists(st.integers(0, 2**40), max_size=3).map(tuple) | st.just((784, 16)) | st.just((16,))
    )
    fortran = data.draw(st.booleans())
    header = data.draw(
        st.just(f"{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape}, }}")
        | st.text(st.characters(codec="latin-1"), max_size=40)
    )
    m[name] = _with_header(m[name], header)
    assert_usable_or_refused(zip_of(m))
