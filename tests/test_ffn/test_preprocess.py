import struct
import tracemalloc
import zlib

import numpy as np
import pytest

import ffn
from ffn.preprocess import center_of_mass, network_view, preprocess_canvas
from tests.support.sketch import LOOKS, STYLES, render
from tests.support.hostile import png_declaring, png_of


def test_blank_and_nearly_blank_canvases_give_none():
    for bg in ((0, 0, 0, 0), (255, 255, 255, 255), (0, 0, 0, 255)):
        assert preprocess_canvas(np.full((280, 280, 4), bg, dtype=np.uint8)) is None
    speck = np.zeros((280, 280, 4), dtype=np.uint8)
    speck[10:13, 10:13, 3] = 255            # a 3x3 dot
    speck[200, 50:55, 3] = 255               # and a short scratch
    assert preprocess_canvas(speck) is None


def test_output_shape_dtype_and_range():
    x = preprocess_canvas(render(3, "round", look="transparent"))
    assert x.shape == (784,) and x.dtype == np.float32
    assert x.min() >= 0 and x.max() <= 1 and x.max() > 0.9


def test_the_three_canvas_looks_give_nearly_the_same_input():
    xs = [preprocess_canvas(render(5, "classic", look=look)) for look in LOOKS]
    for x in xs[1:]:
        assert np.abs(x - xs[0]).max() < 0.02


def test_small_digit_in_a_corner_comes_out_centred_and_20px():
    rgba = render(7, "plain", height=50, center=(40, 235), width=8)
    img = preprocess_canvas(rgba).reshape(28, 28)
    cy, cx = center_of_mass(img)
    assert abs(cy - 13.5) <= 0.5 and abs(cx - 13.5) <= 0.5
    rows = np.flatnonzero(img.max(axis=1) > 0.05)
    cols = np.flatnonzero(img.max(axis=0) > 0.05)
    assert 19 <= rows[-1] - rows[0] + 1 <= 21  # the longer side is ~20 px
    assert cols[-1] - cols[0] + 1 < rows[-1] - rows[0] + 1


def test_a_thin_one_stays_thin():
    img = preprocess_canvas(render(1, "stick", height=200, width=14)).reshape(28, 28)
    cols = np.flatnonzero(img.max(axis=0) > 0.2)
    assert len(cols) <= 5


@pytest.mark.parametrize("bad, message", [
    (np.zeros((280, 280), np.uint8), r"\(H, W, 4\).*got \(280, 280\)"),
    (np.zeros((280, 280, 3), np.uint8), r"got \(280, 280, 3\)"),
    (np.zeros((280, 280, 4), np.float32), "uint8, got float32"),
    (np.zeros((0, 280, 4), np.uint8), "empty"),
    (np.zeros((5000, 10, 4), np.uint8), "5000x10"),
    ([[1, 2, 3, 4]], "numpy array, got list"),
])
def test_wrong_input_is_refused(bad, message):
    with pytest.raises(ValueError, match=message):
        preprocess_canvas(bad)


def test_bundled_model_reads_rendered_drawings():
    net = ffn.load_model()
    rng = np.random.default_rng(0)
    xs, ts = [], []
    for d, styles in STYLES.items():
        for style in styles:
            look = LOOKS[rng.integers(3)]
            xs.append(preprocess_canvas(render(d, style, look=look, height=rng.uniform(80, 240),
                                               width=int(rng.integers(10, 26)), slant=rng.uniform(-.2, .2))))
            ts.append(d)
    pred = net.predict_proba(np.stack(xs)).argmax(axis=1)
    assert (pred == np.array(ts)).mean() >= 0.95, list(zip(ts, pred))


def test_network_view():
    v = network_view(np.linspace(0, 1, 784), scale=4)
    assert v.shape == (112, 112) and v.dtype == np.uint8 and v.max() == 255


def test_decode_png_reads_a_canvas_png():
    rgba = np.zeros((280, 280, 4), np.uint8)
    rgba[100:180, 130:150] = 255
    np.testing.assert_array_equal(ffn.decode_png(png_of(rgba), 280 * 280), rgba)
    grey = png_of(np.full((30, 40), 200, np.uint8))  # any PNG mode comes back as RGBA
    assert ffn.decode_png(grey, 10_000).shape == (30, 40, 4)


def test_a_huge_declared_png_is_refused_from_its_header():
    data = png_declaring(13000, 13000, rows=200)
    assert len(data) < 10_000
    tracemalloc.start()
    with pytest.raises(ValueError, match="13000x13000 pixels; at most 1,254,400"):
        ffn.decode_png(data, 1120 * 1120)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 1_000_000  # decoding it would take 676 MB


@pytest.mark.parametrize("data, message", [
    (None, "PNG bytes, got NoneType"),
    ("iVBORw0KGgo", "PNG bytes, got str"),
    (b"GIF89a....................", "not a PNG"),
    (b"\x89PNG\r\n\x1a\n", "not a PNG"),
    (png_declaring(0, 5), "0x5 pixels"),
])
def test_what_is_not_a_png_gets_a_value_error(data, message):
    with pytest.raises(ValueError, match=message):
        ffn.decode_png(data, 10_000)


def test_a_broken_png_gets_a_value_error_whatever_pillow_raises():
    good = png_of(np.full((280, 280, 4), 255, np.uint8))
    for broken in (good[:29] + b"\0\0\0\0" + good[33:],   # IHDR's checksum
                   good[:len(good) // 2],                  # truncated: OSError in Pillow
                   png_declaring(50, 50).replace(b"IDAT", b"IDAT\xff\xff", 1)):  # no zlib stream
        with pytest.raises(ValueError, match="PNG|chunk"):
            ffn.decode_png(broken, 100_000)


def test_a_png_with_text_or_profile_chunks_is_refused_before_pillow_opens_it():
    good = png_of(np.full((20, 20, 4), 255, np.uint8))
    ihdr_end = 8 + 25
    for kind in (b"zTXt", b"iTXt", b"iCCP", b"tEXt"):
        body = b"k\0\0" + zlib.compress(b"\0" * 2**20)  # a megabyte of text in 1 KB
        chunk = struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        with pytest.raises(ValueError, match="chunk, which a canvas never sends"):
            ffn.decode_png(good[:ihdr_end] + chunk + good[ihdr_end:], 10_000)
    with pytest.raises(ValueError, match="truncated"):
        ffn.decode_png(good[:ihdr_end + 10], 10_000)
