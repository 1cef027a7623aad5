import numpy as np
import pytest

from tests.support.sketch import LOOKS, STYLES, random_drawing, render


def test_every_style_renders_in_every_look():
    for d, styles in STYLES.items():
        for style in styles:
            for look in LOOKS:
                a = render(d, style, look=look)
                assert a.shape == (280, 280, 4) and a.dtype == np.uint8
    t = render(1, "stick", look="transparent")
    assert t[..., 3].max() == 255 and t[0, 0, 3] == 0


def test_random_drawings_are_reproducible():
    a, pa = random_drawing(4, "open", np.random.default_rng(5))
    b, pb = random_drawing(4, "open", np.random.default_rng(5))
    assert pa == pb and np.array_equal(a, b)


def test_unknown_look():
    with pytest.raises(ValueError, match="'sepia'"):
        render(1, "stick", look="sepia")
