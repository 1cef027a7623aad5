import numpy as np
import pytest

import ffn
from ffn.preprocess import center_of_mass, network_view, preprocess_canvas
from ffn.sketch import LOOKS, STYLES, render


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
