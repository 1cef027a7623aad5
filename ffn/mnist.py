"""MNIST from the gzipped IDX files in ``data/mnist/``, read with NumPy and checksummed.

Never touches the network: the four files ship with the project. The SHA-256 of each
file's decompressed bytes is checked, so a truncated or altered file is refused.
"""
import gzip
import hashlib
import os
import tempfile
import zlib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

DEFAULT_DIR = Path(__file__).resolve().parent.parent / "data" / "mnist"

# file name -> (SHA-256 of the decompressed bytes, header bytes, item count)
FILES = {
    "train_img": ("train-images-idx3-ubyte.gz",
                  "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db", 16, 60000),
    "train_label": ("train-labels-idx1-ubyte.gz",
                    "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5", 8, 60000),
    "test_img": ("t10k-images-idx3-ubyte.gz",
                 "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7", 16, 10000),
    "test_label": ("t10k-labels-idx1-ubyte.gz",
                   "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2", 8, 10000),
}
IMG_SIZE = 784


def _read(directory, key):
    name, sha, header, count = FILES[key]
    path = Path(directory) / name
    if not path.is_file():
        raise FileNotFoundError(
            f"MNIST file {path} is missing. The project ships the four MNIST files in "
            f"data/mnist/; restore them (e.g. `git checkout data/mnist`).")
    try:
        with open(path, "rb") as f:
            raw = gzip.decompress(f.read())
    except (OSError, EOFError, zlib.error) as e:
        raise ValueError(f"MNIST file {path} is not a readable gzip file ({e})") from e
    if hashlib.sha256(raw).hexdigest() != sha:
        raise ValueError(f"MNIST file {path} is corrupt: the SHA-256 of its content does not match")
    data = np.frombuffer(raw, np.uint8, offset=header)
    return data.reshape(count, IMG_SIZE) if key.endswith("img") else data


def _to_float(img):
    """uint8 -> float32 in [0, 1], in two threads: on a fresh 188 MB array the page
    faults, not the arithmetic, dominate, and they proceed in parallel."""
    out = np.empty(img.shape, dtype=np.float32)
    half = len(img) // 2
    parts = (slice(0, half), slice(half, None))
    scale = np.float32(1 / 255)
    with ThreadPoolExecutor(2) as ex:
        list(ex.map(lambda s: np.multiply(img[s], scale, out=out[s], dtype=np.float32), parts))
    return out


def _one_hot(t, num_classes=10):
    T = np.zeros((t.size, num_classes), dtype=np.float32)
    T[np.arange(t.size), t] = 1
    return T


def load_mnist(normalize=True, flatten=True, one_hot_label=False, directory=None):
    """Load MNIST as the article's loader does.

    Parameters
    ----------
    normalize : bool
        Pixels as float32 in [0, 1]; otherwise uint8 in [0, 255].
    flatten : bool
        Images as (N, 784); otherwise (N, 1, 28, 28).
    one_hot_label : bool
        Labels as (N, 10) float32 one-hot rows; otherwise (N,) uint8 indices.
    directory : path-like, optional
        Where the four ``.gz`` files are; default ``data/mnist/`` in the project.

    Returns
    -------
    (x_train, t_train), (x_test, t_test)
        60,000 training and 10,000 test samples.

    Raises
    ------
    FileNotFoundError
        A file is missing.
    ValueError
        A file is not gzip or its content fails the checksum.
    """
    directory = DEFAULT_DIR if directory is None else Path(os.fspath(directory))
    # zlib and hashlib release the GIL: the four files are read side by side.
    with ThreadPoolExecutor(len(FILES)) as ex:
        d = dict(zip(FILES, ex.map(lambda key: _read(directory, key), FILES)))
    for key in ("train_img", "test_img"):
        if normalize:
            d[key] = _to_float(d[key])
        if not flatten:
            d[key] = d[key].reshape(-1, 1, 28, 28)
    if one_hot_label:
        d["train_label"], d["test_label"] = _one_hot(d["train_label"]), _one_hot(d["test_label"])
    return (d["train_img"], d["train_label"]), (d["test_img"], d["test_label"])


def split_validation(x, t, ratio=0.1):
    """Hold out the first ``ratio`` of the samples for validation, as the article does.

    Returns
    -------
    (x_train, t_train), (x_valid, t_valid)
        Views into ``x`` and ``t`` (no copy).
    """
    if not (isinstance(ratio, (int, float)) and 0 <= ratio < 1):
        raise ValueError(f"ratio must be in [0, 1), got {ratio!r}")
    if len(x) != len(t):
        raise ValueError(f"x and t must have the same length, got {len(x)} and {len(t)}")
    n_valid = int(len(x) * ratio)
    return (x[n_valid:], t[n_valid:]), (x[:n_valid], t[:n_valid])


SHARED_NAMES = ("x_train", "t_train", "x_test", "t_test")


def save_shared(directory):
    """Write MNIST, normalised and flattened, as four ``.npy`` files in ``directory``.

    Worker processes then map the same files (:func:`load_shared`): the operating system
    keeps one copy of the 220 MB in memory for all of them, where each loading its own
    would hold its own. Written to a temporary name and renamed, so a reader never sees
    half a file.
    """
    directory = Path(os.fspath(directory))
    directory.mkdir(parents=True, exist_ok=True)
    (x, t), (xt, tt) = load_mnist()
    for name, a in zip(SHARED_NAMES, (x, t, xt, tt)):
        tmp = directory / f".{name}.{os.getpid()}.npy"
        np.save(tmp, a, allow_pickle=False)
        os.replace(tmp, directory / f"{name}.npy")
    return directory


def load_shared(directory):
    """MNIST as :func:`save_shared` wrote it, mapped read-only: ``(x_train, t_train), (x_test, t_test)``."""
    directory = Path(os.fspath(directory))
    x, t, xt, tt = (np.load(directory / f"{name}.npy", mmap_mode="r", allow_pickle=False)
                    for name in SHARED_NAMES)
    if x.shape != (60000, 784) or xt.shape != (10000, 784) or len(t) != 60000 or len(tt) != 10000:
        raise ValueError(f"the shared MNIST in {directory} has shapes "
                         f"{x.shape}, {t.shape}, {xt.shape}, {tt.shape}")
    return (x, t), (xt, tt)


def shared_copy(directory=None):
    """The folder of MNIST's shared files, written by :func:`save_shared` unless a good copy
    is already there: one per machine (the system's temporary folder by default), reused
    by every server and never left behind as another copy."""
    directory = Path(tempfile.gettempdir()) / "ffn-mnist-shared" if directory is None else Path(directory)
    try:
        load_shared(directory)
        return directory
    except (OSError, ValueError):
        return save_shared(directory)
