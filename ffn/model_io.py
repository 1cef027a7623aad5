"""Saving and loading networks as ``.npz`` files, safely.

A model file is a zip of plain arrays (``W1``, ``b1``, ...) and one string array
``meta`` holding JSON: the architecture, the training settings and the accuracy. Loading
never unpickles (``allow_pickle=False``) and checks sizes, names, shapes, dtypes and
finiteness before building a network, so a file handed in by a user can do no harm.
"""
import io
import json
import os
import re
import zipfile
from pathlib import Path

import numpy as np

from .network import MultiLayerNet

FORMAT = "ffn-digits/1"
BUNDLED = Path(__file__).resolve().parent.parent / "weights" / "model.npz"
MAX_FILE_BYTES = 32 * 1024 * 1024       # on disk / upload
MAX_UNPACKED_BYTES = 128 * 1024 * 1024  # all members decompressed (zip bombs)
_MEMBER = re.compile(r"^(?:[Wb][1-9][0-9]?|meta)\.npy$")


def save_model(net, path, **meta):
    """Write ``net`` to ``path`` (a path or a binary file object) as ``.npz``.

    Parameters
    ----------
    net : MultiLayerNet
    path : path-like or writable binary file
    **meta
        JSON-serialisable facts to keep with the weights, e.g. ``test_accuracy=0.98``,
        ``command="python -m ffn.train ..."``.
    """
    info = {"format": FORMAT, "config": net.config(), **meta}
    arrays = {k: np.ascontiguousarray(v) for k, v in net.params.items()}
    arrays["meta"] = np.array(json.dumps(info))
    if isinstance(path, (str, os.PathLike)):
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)


def model_bytes(net, **meta):
    """The ``.npz`` file of ``net`` as bytes (for a download button)."""
    buf = io.BytesIO()
    save_model(net, buf, **meta)
    return buf.getvalue()


def _read_source(source):
    """Return the file's bytes, refusing anything over MAX_FILE_BYTES without reading it all."""
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise ValueError(f"no model file at {path}")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ValueError(f"model file is {size / 2**20:.1f} MB; the limit is {MAX_FILE_BYTES // 2**20} MB")
        data = path.read_bytes()
    elif hasattr(source, "read"):
        data = source.read(MAX_FILE_BYTES + 1)
    else:
        raise ValueError(f"expected a path, bytes or a binary file, got {type(source).__name__}")
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(f"model file is over {MAX_FILE_BYTES // 2**20} MB; refused")
    return data


def _check_members(data):
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ValueError("not a model file: an .npz model is a zip archive, and this is not one")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = zf.infolist()
    except zipfile.BadZipFile as e:
        raise ValueError(f"not a readable .npz file ({e})") from e
    names = [i.filename for i in infos]
    bad = [n for n in names if not _MEMBER.match(n)]
    if bad or "meta.npy" not in names:
        raise ValueError(f"not an ffn model: expected arrays W1, b1, ..., meta; found {sorted(names)[:12]}")
    total = sum(i.file_size for i in infos)
    if total > MAX_UNPACKED_BYTES:
        raise ValueError(f"model file unpacks to {total / 2**20:.0f} MB; the limit is {MAX_UNPACKED_BYTES // 2**20} MB")


def load_model(path=None):
    """Load a network saved by :func:`save_model`, checking everything.

    Parameters
    ----------
    path : path-like, bytes or binary file, optional
        Default: the bundled model, ``weights/model.npz``.

    Returns
    -------
    net : MultiLayerNet
        With the file's metadata in ``net.meta`` (a dict).

    Raises
    ------
    ValueError
        The file is missing, too large, not a zip, holds pickled objects or unexpected
        arrays, or its arrays have wrong shapes, dtypes or non-finite values.
    """
    data = _read_source(BUNDLED if path is None else path)
    _check_members(data)
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except ValueError as e:  # object arrays need pickle: refused
        raise ValueError(f"model file holds something other than plain numbers ({e})") from e
    except Exception as e:
        raise ValueError(f"could not read the model file ({type(e).__name__}: {e})") from e

    meta_arr = arrays.pop("meta")
    if meta_arr.dtype.kind != "U" or meta_arr.ndim != 0:
        raise ValueError(f"'meta' must be a JSON string, got dtype {meta_arr.dtype} shape {meta_arr.shape}")
    try:
        meta = json.loads(str(meta_arr))
    except json.JSONDecodeError as e:
        raise ValueError(f"'meta' is not valid JSON ({e})") from e
    if not isinstance(meta, dict) or meta.get("format") != FORMAT or not isinstance(meta.get("config"), dict):
        raise ValueError(f"not an ffn model: 'meta' must say format {FORMAT!r} and hold a 'config'")
    cfg = meta["config"]
    allowed = {"input_size", "hidden_size_list", "output_size", "activation", "weight_init",
               "weight_init_std", "weight_decay_lambda"}
    if not set(cfg) <= allowed or not {"input_size", "hidden_size_list", "output_size"} <= set(cfg):
        raise ValueError(f"model config has unexpected or missing keys: {sorted(cfg)}")
    hidden = cfg["hidden_size_list"]
    if not isinstance(hidden, list) or not 1 <= len(hidden) <= 8:
        raise ValueError(f"hidden_size_list must be a list of 1 to 8 sizes, got {hidden!r}")

    dtypes = {a.dtype for a in arrays.values()}
    if not dtypes <= {np.dtype(np.float32), np.dtype(np.float64)} or len(dtypes) != 1:
        raise ValueError(f"weights must all be float32 or all float64, got {sorted(map(str, dtypes))}")
    dtype = dtypes.pop()
    try:
        net = MultiLayerNet(**cfg, seed=0, dtype=dtype)
    except (TypeError, ValueError) as e:
        raise ValueError(f"model config is invalid: {e}") from e
    if set(arrays) != set(net.params):
        raise ValueError(f"expected arrays {sorted(net.params)}, found {sorted(arrays)}")
    for key, p in net.params.items():
        a = arrays[key]
        if a.shape != p.shape:
            raise ValueError(f"{key} has shape {a.shape}; the architecture needs {p.shape}")
        if not np.all(np.isfinite(a)):
            raise ValueError(f"{key} contains NaN or infinite values")
        p[...] = a  # in place: the layers keep their arrays
    net.meta = meta
    return net
