"""Helpers for the tests of what a hostile client or file can do: crafted PNGs and
model archives, and a loader call measured for its peak memory."""
import io
import struct
import tracemalloc
import zipfile
import zlib

import numpy as np
from PIL import Image

from ffn.model_io import load_model


def png_of(rgba):
    """PNG bytes of an image array."""
    buf = io.BytesIO()
    Image.fromarray(rgba).save(buf, "PNG")
    return buf.getvalue()


def png_declaring(width, height, rows=64):
    """A small PNG whose header declares ``width`` x ``height`` pixels (with ``rows`` rows of data)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    data = zlib.compress(b"\0" * (width + 1) * rows, 9)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", data) + chunk(b"IEND", b""))


def npy(a):
    """The ``.npy`` bytes of an array."""
    b = io.BytesIO()
    np.save(b, a)
    return b.getvalue()


def zip_of(members, compress=zipfile.ZIP_DEFLATED):
    """A zip archive of ``{name: bytes}``, as an ``.npz`` is."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compress) as zf:
        for name, raw in members.items():
            zf.writestr(name, raw)
    return buf.getvalue()


def load_traced(data, **kw):
    """``(load_model's network or its ValueError, peak traced memory in MB)``."""
    tracemalloc.start()
    try:
        out = load_model(data, **kw)
    except ValueError as e:
        out = e
    finally:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return out, peak
