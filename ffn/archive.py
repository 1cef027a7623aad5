"""Reading an untrusted ``.npz`` archive within caps: its bytes, its directory, its members'
headers and arrays. Nothing is unpickled, and nothing large is allocated before the sizes
are checked; :mod:`ffn.model_io` builds a network from what this reads.
"""

import os
import re
import struct
import zipfile
from pathlib import Path

import numpy as np

MAX_FILE_BYTES = 32 * 1024 * 1024  # on disk / upload
MAX_UNPACKED_BYTES = 128 * 1024 * 1024  # all members decompressed (zip bombs)
MAX_META_BYTES = 64 * 1024  # the meta member: JSON of about 1 KB in practice
MAX_MEMBERS = 2 * 9 + 4 * 8 + 1  # W1..W9, b1..b9, 4 arrays of 8 batch-norm layers, and meta
MAX_NPY_HEADER = 4096  # bytes an .npy member may carry beyond its numbers
MAX_DIR_ENTRY = 128  # bytes of one directory entry (about 55 for 'W1.npy')
_MEMBER = re.compile(r"^(?:(?:W|b|gamma|beta|running_mean|running_var)[1-9][0-9]?|meta)\.npy$")


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


def read_source(source):
    """Return the file's bytes, refusing anything over MAX_FILE_BYTES without reading it all."""
    if isinstance(source, (bytes, bytearray)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        if not path.is_file():
            raise ModelFileError("missing", f"no model file at {path}")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ModelFileError(
                "too_large", f"model file is {size / 2**20:.1f} MB; the limit is {MAX_FILE_BYTES // 2**20} MB"
            )
        data = path.read_bytes()
    elif hasattr(source, "read"):
        data = source.read(MAX_FILE_BYTES + 1)
    else:
        raise ModelFileError(
            "unreadable", f"expected a path, bytes or a binary file, got {type(source).__name__}"
        )
    if len(data) > MAX_FILE_BYTES:
        raise ModelFileError("too_large", f"model file is over {MAX_FILE_BYTES // 2**20} MB; refused")
    return data


def count_members(data):
    """Refuse a zip whose directory is larger than a model's, from its end record alone,
    before zipfile builds an object per entry, which costs far more memory than the
    directory's bytes. zipfile reads the directory by its byte size, so that is checked as
    well as the entry count; zip64 archives, which numpy writes only past 4 GB, are refused."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 65557))
    if end < 0 or len(data) < end + 22:
        raise ModelFileError(
            "not_a_model", "not a model file: an .npz model is a zip archive, and this is not one"
        )
    count, dir_size = struct.unpack("<HL", data[end + 10 : end + 16])
    if count > MAX_MEMBERS or dir_size > MAX_MEMBERS * MAX_DIR_ENTRY:
        raise ModelFileError(
            "not_a_model",
            f"the archive's directory has {count:,} members in {dir_size:,} bytes; "
            f"a model has at most {MAX_MEMBERS}",
        )
    if end >= 20 and data[end - 20 : end - 16] == b"PK\x06\x07":
        raise ModelFileError("not_a_model", "a zip64 archive: a model file is never that large")


def members(zf):
    """The archive's member sizes by name, checked against the names and caps allowed."""
    infos = zf.infolist()
    if any(i.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for i in infos):
        # zipfile bounds what it inflates by the declared size only for deflate: a bzip2
        # or lzma member could expand to gigabytes before the size is checked
        raise ModelFileError("not_a_model", "model members must be stored or deflated, as numpy writes them")
    names = [i.filename for i in infos]
    bad = [n for n in names if not _MEMBER.match(n)]
    if bad or "meta.npy" not in names or len(set(names)) != len(names):
        raise ModelFileError(
            "not_a_model",
            f"not an ffn model: expected arrays W1, b1, ..., meta; found {sorted(names)[:12]!r}",
        )
    sizes = {i.filename: i.file_size for i in infos}
    total = sum(sizes.values())
    if total > MAX_UNPACKED_BYTES:
        raise ModelFileError(
            "too_large",
            f"model file unpacks to {total / 2**20:.0f} MB; the limit is {MAX_UNPACKED_BYTES // 2**20} MB",
        )
    if sizes["meta.npy"] > MAX_META_BYTES:
        raise ModelFileError(
            "too_large", f"the model's 'meta' is {sizes['meta.npy']:,} bytes; the limit is {MAX_META_BYTES:,}"
        )
    return sizes


def header(zf, name):
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
        raise ModelFileError(
            "not_plain_numbers", f"{name} holds something other than plain numbers ({dtype})"
        )
    return shape, dtype, offset + int(np.prod(shape, dtype=np.int64)) * dtype.itemsize


def read_array(zf, name):
    """The array of an .npy member (never unpickled)."""
    with zf.open(name) as f:
        return np.lib.format.read_array(f, allow_pickle=False)
