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
import re
import struct
import zipfile
from pathlib import Path

import numpy as np

from .architecture import CONFIG_KEYS, check_config, param_count, param_shapes, stat_shapes
from .network import MultiLayerNet

FORMAT = "ffn-digits/1"
BUNDLED = Path(__file__).resolve().parent.parent / "weights" / "model.npz"
MAX_FILE_BYTES = 32 * 1024 * 1024       # on disk / upload
MAX_UNPACKED_BYTES = 128 * 1024 * 1024  # all members decompressed (zip bombs)
MAX_META_BYTES = 64 * 1024              # the meta member: JSON of about 1 KB in practice
MAX_MEMBERS = 2 * 9 + 4 * 8 + 1         # W1..W9, b1..b9, 4 arrays of 8 batch-norm layers, and meta
MAX_NPY_HEADER = 4096                   # bytes an .npy member may carry beyond its numbers
MAX_DIR_ENTRY = 128                     # bytes of one directory entry (about 55 for 'W1.npy')
_MEMBER = re.compile(r"^(?:(?:W|b|gamma|beta|running_mean|running_var)[1-9][0-9]?|meta)\.npy$")
_ACCURACIES = ("test_accuracy", "train_accuracy", "valid_accuracy")


class ModelFileError(ValueError):
    """A model file that can't be used.

    ``reason`` says why in a word a page can translate: 'missing', 'too_large',
    'not_a_model', 'unreadable', 'not_plain_numbers', 'wrong_size' (``values`` hold
    ``inputs``, ``outputs``), 'too_many_weights' (``count``, ``limit``) or 'not_finite'.
    ``str()`` gives the details in English, and may quote the file's own text: show it
    as plain text.
    """

    def __init__(self, reason, message, **values):
        super().__init__(message)
        self.reason, self.values = reason, values


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
    # Stored, not deflated: trained float weights are close to random bits, so deflate
    # saves about 7 % of the size at 35 times the time (77 ms against 2 ms for the bundled
    # model), time that a worker spends after every run, before the page shows its figures.
    np.savez(path, **arrays)


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
            raise ModelFileError("missing", f"no model file at {path}")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ModelFileError("too_large", f"model file is {size / 2**20:.1f} MB; the limit is {MAX_FILE_BYTES // 2**20} MB")
        data = path.read_bytes()
    elif hasattr(source, "read"):
        data = source.read(MAX_FILE_BYTES + 1)
    else:
        raise ModelFileError("unreadable", f"expected a path, bytes or a binary file, got {type(source).__name__}")
    if len(data) > MAX_FILE_BYTES:
        raise ModelFileError("too_large", f"model file is over {MAX_FILE_BYTES // 2**20} MB; refused")
    return data


def _count_members(data):
    """Refuse a zip whose directory is larger than a model's, from its end record alone,
    before zipfile builds an object per entry (a 5 MB directory of empty entries cost
    40 MB). zipfile reads the directory by its byte size, so that is checked as well as
    the entry count; zip64 archives, which numpy writes only past 4 GB, are refused."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65557))
    if end < 0 or len(data) < end + 22:
        raise ModelFileError("not_a_model", "not a model file: an .npz model is a zip archive, and this is not one")
    count, dir_size = struct.unpack("<HL", data[end + 10:end + 16])
    if count > MAX_MEMBERS or dir_size > MAX_MEMBERS * MAX_DIR_ENTRY:
        raise ModelFileError("not_a_model", f"the archive's directory has {count:,} members in {dir_size:,} bytes; "
                                            f"a model has at most {MAX_MEMBERS}")
    if end >= 20 and data[end - 20:end - 16] == b"PK\x06\x07":
        raise ModelFileError("not_a_model", "a zip64 archive: a model file is never that large")


def _members(zf):
    """The archive's member sizes by name, checked against the names and caps allowed."""
    infos = zf.infolist()
    if any(i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for i in infos):
        # zipfile bounds what it inflates by the declared size only for deflate: a bzip2
        # or lzma member could expand to gigabytes before the size is checked
        raise ModelFileError("not_a_model", "model members must be stored or deflated, as numpy writes them")
    names = [i.filename for i in infos]
    bad = [n for n in names if not _MEMBER.match(n)]
    if bad or "meta.npy" not in names or len(set(names)) != len(names):
        raise ModelFileError("not_a_model", f"not an ffn model: expected arrays W1, b1, ..., meta; found {sorted(names)[:12]!r}")
    sizes = {i.filename: i.file_size for i in infos}
    total = sum(sizes.values())
    if total > MAX_UNPACKED_BYTES:
        raise ModelFileError("too_large", f"model file unpacks to {total / 2**20:.0f} MB; "
                                          f"the limit is {MAX_UNPACKED_BYTES // 2**20} MB")
    if sizes["meta.npy"] > MAX_META_BYTES:
        raise ModelFileError("too_large", f"the model's 'meta' is {sizes['meta.npy']:,} bytes; "
                                          f"the limit is {MAX_META_BYTES:,}")
    return sizes


def _header(zf, name):
    """(shape, dtype, bytes the member must have) from an .npy member's header alone."""
    with zf.open(name) as f:
        try:
            version = np.lib.format.read_magic(f)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(f)
            elif version == (2, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(f)
            else:
                raise ValueError(f"format {version}; expected 1.0 or 2.0")
        except ValueError as e:
            raise ModelFileError("unreadable", f"{name} is not a readable .npy array ({e!s:.200})") from e
        offset = f.tell()
    if dtype.hasobject:
        raise ModelFileError("not_plain_numbers", f"{name} holds something other than plain numbers ({dtype})")
    return shape, dtype, offset + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize


def _read(zf, name):
    """The array of an .npy member (never unpickled)."""
    with zf.open(name) as f:
        return np.lib.format.read_array(f, allow_pickle=False)


def _read_meta(zf, size):
    shape, dtype, nbytes = _header(zf, "meta.npy")
    if dtype.kind != "U" or shape != () or nbytes != size:
        raise ModelFileError("not_a_model", f"'meta' must be a JSON string, got dtype {dtype} shape {shape}")
    try:
        meta = json.loads(str(_read(zf, "meta.npy")))
    except RecursionError as e:
        raise ModelFileError("not_a_model", "'meta' is JSON nested too deeply") from e
    except ValueError as e:
        raise ModelFileError("not_a_model", f"'meta' is not valid JSON ({e})") from e
    if not isinstance(meta, dict) or meta.get("format") != FORMAT or not isinstance(meta.get("config"), dict):
        raise ModelFileError("not_a_model", f"not an ffn model: 'meta' must say format {FORMAT!r} and hold a 'config'")
    for key in _ACCURACIES:
        v = meta.get(key)
        if not (v is None or (isinstance(v, (int, float)) and not isinstance(v, bool) and 0 <= v <= 1)):
            raise ModelFileError("not_a_model", f"'meta' {key} must be a number in [0, 1] or null, got {v!r:.40}")
    return meta


def _read_config(cfg, input_size, output_size, max_params):
    """The checked config, refused before anything is allocated if it is out of bounds."""
    if not set(cfg) <= set(CONFIG_KEYS) or not {"input_size", "hidden_size_list", "output_size"} <= set(cfg):
        raise ModelFileError("not_a_model", f"model config has unexpected or missing keys: {sorted(cfg)!r:.300}")
    try:
        cfg = check_config(**cfg)
    except ValueError as e:
        raise ModelFileError("not_a_model", f"model config is invalid: {e!s:.300}") from e
    for name, want in (("input_size", input_size), ("output_size", output_size)):
        if want is not None and cfg[name] != want:
            raise ModelFileError("wrong_size", f"this model has {cfg[name]} {name.split('_')[0]}s; it must have "
                                               f"{want} (a 28x28 image in, ten digits out)",
                                 inputs=cfg["input_size"], outputs=cfg["output_size"])
    n = param_count(cfg["input_size"], cfg["hidden_size_list"], cfg["output_size"], cfg["normalization"])
    if max_params is not None and n > max_params:
        raise ModelFileError("too_many_weights", f"this model has {n:,} weights; the limit here is {max_params:,}",
                             count=n, limit=max_params)
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
        raise ModelFileError("not_finite", "the model's probabilities are not finite numbers (its weights are too large)")


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
    data = _read_source(BUNDLED if path is None else path)
    try:
        return _load(data, input_size, output_size, max_params)
    except ModelFileError:
        raise
    except Exception as e:  # a malformed archive or .npy can fail anywhere in the readers
        raise ModelFileError("unreadable", f"could not read the model file ({type(e).__name__}: {e!s:.200})") from e


def _load(data, input_size, output_size, max_params):
    """The checks and the reading of :func:`load_model`, in the order that bounds memory."""
    _count_members(data)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        sizes = _members(zf)
        meta = _read_meta(zf, sizes["meta.npy"])
        cfg = _read_config(meta["config"], input_size, output_size, max_params)
        shapes = {**param_shapes(cfg["input_size"], cfg["hidden_size_list"], cfg["output_size"], cfg["normalization"]),
                  **stat_shapes(cfg["hidden_size_list"], cfg["normalization"])}
        if set(sizes) - {"meta.npy"} != {f"{k}.npy" for k in shapes}:
            found = sorted(n[:-4] for n in sizes if n != "meta.npy")
            raise ModelFileError("not_a_model", f"expected arrays {sorted(shapes)}, found {found!r}")
        dtypes = set()
        for key, shape in shapes.items():
            most = int(np.prod(shape)) * 8 + MAX_NPY_HEADER  # float64 numbers and a header
            if sizes[f"{key}.npy"] > most:  # before the header is read: it could be 100 MB long
                raise ModelFileError("not_a_model", f"{key} is {sizes[f'{key}.npy']:,} bytes; "
                                                    f"its shape {shape} needs at most {most:,}")
            got, dtype, nbytes = _header(zf, f"{key}.npy")
            if got != shape:
                raise ModelFileError("not_a_model", f"{key} has shape {got}; the architecture needs {shape}")
            if nbytes != sizes[f"{key}.npy"]:
                raise ModelFileError("not_a_model", f"{key} is {sizes[f'{key}.npy']:,} bytes; its header says {nbytes:,}")
            dtypes.add(dtype)
        if not dtypes <= {np.dtype(np.float32), np.dtype(np.float64)} or len(dtypes) != 1:
            raise ModelFileError("not_plain_numbers", f"weights must all be float32 or all float64, got {sorted(map(str, dtypes))}")
        params = {}
        for key in shapes:
            params[key] = _read(zf, f"{key}.npy")
            if not np.all(np.isfinite(params[key])):
                raise ModelFileError("not_finite", f"{key} contains NaN or infinite values")
            if key.startswith("running_var") and np.any(params[key] < 0):
                raise ModelFileError("not_a_model", f"{key} holds a negative variance, {params[key].min():.3g}")
    stats = {k: params.pop(k) for k in list(params) if k.startswith("running_")}
    net = MultiLayerNet(**cfg, dtype=dtypes.pop(), params=params, stats=stats)
    _probe(net)
    net.meta = meta
    return net
