"""Saving and loading networks as ``.npz`` files, safely.

A model file is a zip of plain arrays (``W1``, ``b1``, ..., and with normalisation
``gamma1``, ``beta1``, ``running_mean1``, ``running_var1``, ...) and one string array
``meta`` holding JSON: the architecture, the training settings and the accuracy. Loading
never unpickles (``allow_pickle=False``) and checks sizes, names, shapes, dtypes and
finiteness before building a network, so a file handed in by a user can do no harm.
"""

import io
import json
import os
import zipfile
from pathlib import Path

import numpy as np

from .archive import MAX_NPY_HEADER, ModelFileError, count_members, header, members, read_array, read_source
from .architecture import CONFIG_KEYS, check_config, param_count, param_shapes, stat_shapes
from .network import MultiLayerNet

FORMAT = "ffn-digits/1"
BUNDLED = Path(__file__).resolve().parent.parent / "weights" / "model.npz"
_ACCURACIES = ("test_accuracy", "train_accuracy", "valid_accuracy")


def save_model(net, path, **meta):
    """Write ``net`` to ``path`` (a path or a binary file object) as ``.npz``.

    Parameters
    ----------
    net : MultiLayerNet
        Its ``meta`` is saved with it.
    path : path-like or writable binary file
    **meta
        More JSON-serialisable facts to keep with the weights, e.g.
        ``test_accuracy=0.98``, ``command="python -m ffn.train ..."``.
    """
    info = {**net.meta, **meta, "format": FORMAT, "config": net.config()}
    arrays = {k: np.ascontiguousarray(v) for k, v in (*net.params.items(), *net.stats.items())}
    arrays["meta"] = np.array(json.dumps(info))
    if isinstance(path, (str, os.PathLike)):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    # Stored, not deflated: trained float weights are close to random bits, so deflate saves
    # little space for much time, time a worker spends after every run before the page shows its figures.
    np.savez(path, **arrays)


def model_bytes(net, **meta):
    """The ``.npz`` file of ``net`` as bytes (for a download button)."""
    buf = io.BytesIO()
    save_model(net, buf, **meta)
    return buf.getvalue()


def _read_meta(zf, size):
    shape, dtype, nbytes = header(zf, "meta.npy")
    if dtype.kind != "U" or shape != () or nbytes != size:
        raise ModelFileError("not_a_model", f"'meta' must be a JSON string, got dtype {dtype} shape {shape}")
    try:
        meta = json.loads(str(read_array(zf, "meta.npy")))
    except RecursionError as e:
        raise ModelFileError("not_a_model", "'meta' is JSON nested too deeply") from e
    except ValueError as e:
        raise ModelFileError("not_a_model", f"'meta' is not valid JSON ({e})") from e
    if not isinstance(meta, dict) or meta.get("format") != FORMAT or not isinstance(meta.get("config"), dict):
        raise ModelFileError(
            "not_a_model", f"not an ffn model: 'meta' must say format {FORMAT!r} and hold a 'config'"
        )
    for key in _ACCURACIES:
        v = meta.get(key)
        if not (v is None or (isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1)):
            raise ModelFileError(
                "not_a_model", f"'meta' {key} must be a number in [0, 1] or null, got {v!r:.40}"
            )
    return meta


def _read_config(cfg, input_size, output_size, max_params):
    """The checked config, refused before anything is allocated if it is out of bounds."""
    if not set(cfg) <= set(CONFIG_KEYS) or not {"input_size", "hidden_size_list", "output_size"} <= set(cfg):
        raise ModelFileError(
            "not_a_model", f"model config has unexpected or missing keys: {sorted(cfg)!r:.300}"
        )
    try:
        cfg = check_config(**cfg)
    except ValueError as e:
        raise ModelFileError("not_a_model", f"model config is invalid: {e!s:.300}") from e
    for name, want in (("input_size", input_size), ("output_size", output_size)):
        if want is not None and cfg[name] != want:
            raise ModelFileError(
                "wrong_size",
                f"this model has {cfg[name]} {name.split('_')[0]}s; it must have "
                f"{want} (a 28x28 image in, ten digits out)",
                inputs=cfg["input_size"],
                outputs=cfg["output_size"],
            )
    n = param_count(cfg["input_size"], cfg["hidden_size_list"], cfg["output_size"], cfg["normalization"])
    if max_params is not None and n > max_params:
        raise ModelFileError(
            "too_many_weights",
            f"this model has {n:,} weights; the limit here is {max_params:,}",
            count=n,
            limit=max_params,
        )
    return cfg


def _probe(net):
    """Refuse weights so large that the probabilities overflow on plain inputs: all 0,
    all 0.5, all 1 and four fixed random ones in [0, 1]. Weights built to cancel on these
    may still overflow on another input: a caller that predicts on untrusted data checks
    the result too, as the app does."""
    n = net.input_size
    x = np.vstack([np.zeros(n), np.full(n, 0.5), np.ones(n), np.random.default_rng(0).random((4, n))])
    with np.errstate(all="ignore"):
        p = net.predict_proba(x)
    if not np.all(np.isfinite(p)):
        raise ModelFileError(
            "not_finite", "the model's probabilities are not finite numbers (its weights are too large)"
        )


def load_model(path=None, *, input_size=None, output_size=None, max_params=None):
    """Load a network saved by :func:`save_model`, checking everything.

    Only the headers are read until the declared architecture has been checked against
    the arrays' shapes and ``max_params``, so a small file cannot make it allocate much:
    the arrays it reads are those of a network within the budget. The network is built
    from the file's arrays; nothing is initialised at random.

    Parameters
    ----------
    path : path-like, bytes or binary file, optional
        Default: the bundled model, ``weights/model.npz``.
    input_size, output_size : int, optional
        The sizes the caller can use (784 and 10 for MNIST); others are refused.
    max_params : int, optional
        The most weights and biases accepted.

    Returns
    -------
    net : MultiLayerNet
        With the file's metadata in ``net.meta`` (a dict).

    Raises
    ------
    ValueError
        Whatever the bytes: the file is missing, too large, not a zip, holds pickled
        objects or unexpected arrays, its arrays have wrong shapes, dtypes or
        non-finite values, it is larger than allowed, or its probabilities overflow.
        No other exception escapes.
    """
    data = read_source(BUNDLED if path is None else path)
    try:
        return _load(data, input_size, output_size, max_params)
    except ModelFileError:
        raise
    except Exception as e:  # a malformed archive or .npy can fail anywhere in the readers
        raise ModelFileError(
            "unreadable", f"could not read the model file ({type(e).__name__}: {e!s:.200})"
        ) from e


def _load(data, input_size, output_size, max_params):
    """The checks and the reading of :func:`load_model`, in the order that bounds memory."""
    count_members(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        sizes = members(zf)
        meta = _read_meta(zf, sizes["meta.npy"])
        cfg = _read_config(meta["config"], input_size, output_size, max_params)
        shapes = {
            **param_shapes(
                cfg["input_size"], cfg["hidden_size_list"], cfg["output_size"], cfg["normalization"]
            ),
            **stat_shapes(cfg["hidden_size_list"], cfg["normalization"]),
        }
        if set(sizes) - {"meta.npy"} != {f"{k}.npy" for k in shapes}:
            found = sorted(n[:-4] for n in sizes if n != "meta.npy")
            raise ModelFileError("not_a_model", f"expected arrays {sorted(shapes)}, found {found!r}")
        dtypes = set()
        for key, shape in shapes.items():
            most = int(np.prod(shape)) * 8 + MAX_NPY_HEADER  # float64 numbers and a header
            if sizes[f"{key}.npy"] > most:  # before the header is read: it could be 100 MB long
                raise ModelFileError(
                    "not_a_model",
                    f"{key} is {sizes[f'{key}.npy']:,} bytes; its shape {shape} needs at most {most:,}",
                )
            got, dtype, nbytes = header(zf, f"{key}.npy")
            if got != shape:
                raise ModelFileError("not_a_model", f"{key} has shape {got}; the architecture needs {shape}")
            if nbytes != sizes[f"{key}.npy"]:
                raise ModelFileError(
                    "not_a_model", f"{key} is {sizes[f'{key}.npy']:,} bytes; its header says {nbytes:,}"
                )
            dtypes.add(dtype)
        if not dtypes <= {np.dtype(np.float32), np.dtype(np.float64)} or len(dtypes) != 1:
            raise ModelFileError(
                "not_plain_numbers",
                f"weights must all be float32 or all float64, got {sorted(map(str, dtypes))}",
            )
        params = {}
        for key in shapes:
            params[key] = read_array(zf, f"{key}.npy")
            if not np.all(np.isfinite(params[key])):
                raise ModelFileError("not_finite", f"{key} contains NaN or infinite values")
            if key.startswith("running_var") and np.any(params[key] < 0):
                raise ModelFileError(
                    "not_a_model", f"{key} holds a negative variance, {params[key].min():.3g}"
                )
    stats = {k: params.pop(k) for k in list(params) if k.startswith("running_")}
    net = MultiLayerNet(**cfg, dtype=dtypes.pop(), params=params, stats=stats)
    _probe(net)
    net.meta = meta
    return net
