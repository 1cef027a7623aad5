"""Synthetic mouse drawings of digits, for benchmarks and tests.

Each digit has several ways of writing it (a 1 with or without a flag, a 7 with or
without a bar, an open or closed 4, ...), given as strokes in a unit box (x right,
y down). :func:`render` draws one on a canvas the way the app's canvas records a mouse:
round-brush polylines, at a chosen size, position, slant and brush width, in one of
three canvas looks.
"""

import numpy as np
from PIL import Image, ImageDraw

# canvas look -> (background RGBA, ink RGBA)
LOOK_COLORS = {
    "transparent": ((0, 0, 0, 0), (0, 0, 0, 255)),
    "white_on_black": ((0, 0, 0, 255), (255, 255, 255, 255)),
    "black_on_white": ((255, 255, 255, 255), (0, 0, 0, 255)),
}
LOOKS = tuple(LOOK_COLORS)


def _arc(cx, cy, rx, ry, start, end, n=24):
    """Points along an ellipse from angle ``start`` to ``end`` (degrees, 0 = right, 90 = down)."""
    t = np.deg2rad(np.linspace(start, end, n))
    return list(zip(cx + rx * np.cos(t), cy + ry * np.sin(t)))


STYLES = {
    0: {
        "oval": [_arc(0.5, 0.5, 0.45, 0.5, -90, 270, 40)],
        "open-top": [_arc(0.5, 0.5, 0.45, 0.5, -80, 250, 40)],
    },
    1: {
        "stick": [[(0.5, 0), (0.5, 1)]],
        "flag": [[(0.2, 0.25), (0.55, 0), (0.55, 1)]],
        "flag-base": [[(0.2, 0.25), (0.55, 0), (0.55, 1)], [(0.15, 1), (0.95, 1)]],
    },
    2: {
        "curved": [_arc(0.5, 0.28, 0.42, 0.28, 190, 360, 16) + [(0.92, 0.38), (0.05, 1), (1, 1)]],
        "looped": [
            _arc(0.5, 0.3, 0.42, 0.3, 180, 380, 16)
            + [(0.1, 0.95)]
            + _arc(0.22, 0.9, 0.12, 0.1, 180, 450, 10)
            + [(1, 0.97)]
        ],
    },
    3: {
        "round": [_arc(0.45, 0.26, 0.42, 0.26, 200, 450, 18) + _arc(0.45, 0.74, 0.5, 0.26, 270, 520, 20)],
        "flat-top": [[(0.05, 0), (0.9, 0), (0.4, 0.42)] + _arc(0.45, 0.7, 0.5, 0.3, 270, 510, 20)],
    },
    4: {
        "closed": [[(0.7, 0), (0, 0.68), (1, 0.68)], [(0.72, 0.05), (0.72, 1)]],
        "open": [[(0.12, 0), (0.05, 0.6), (1, 0.6)], [(0.72, 0.12), (0.72, 1)]],
    },
    5: {
        "classic": [[(0.9, 0), (0.15, 0), (0.1, 0.45)] + _arc(0.45, 0.7, 0.48, 0.3, 225, 490, 20)],
        "two-strokes": [
            [(0.12, 0), (0.08, 0.45)] + _arc(0.45, 0.7, 0.48, 0.3, 225, 490, 20),
            [(0.12, 0), (0.95, 0)],
        ],
    },
    6: {
        "loop": [_arc(0.7, 0.55, 0.7, 0.55, 270, 180, 14) + _arc(0.5, 0.72, 0.42, 0.28, 180, 540, 26)],
        "straight": [[(0.75, 0), (0.1, 0.7)] + _arc(0.5, 0.72, 0.4, 0.28, 160, 520, 26)],
    },
    7: {
        "plain": [[(0, 0), (1, 0), (0.35, 1)]],
        "bar": [[(0, 0), (1, 0), (0.35, 1)], [(0.25, 0.5), (0.85, 0.5)]],
    },
    8: {
        "two-loops": [_arc(0.5, 0.25, 0.36, 0.25, 0, 360, 28), _arc(0.5, 0.74, 0.46, 0.26, 0, 360, 30)],
        "one-stroke": [
            _arc(0.5, 0.25, 0.38, 0.25, 0, -270, 20)
            + [(0.5, 0.5)]
            + _arc(0.5, 0.75, 0.45, 0.25, -90, 180, 24)
            + [(0.88, 0.25)]
        ],
    },
    9: {
        "stem": [_arc(0.48, 0.3, 0.42, 0.3, 0, 360, 30), [(0.9, 0.3), (0.85, 1)]],
        "curved-stem": [
            _arc(0.48, 0.3, 0.42, 0.3, 10, 360, 30)
            + [(0.9, 0.35), (0.8, 0.85)]
            + _arc(0.55, 0.85, 0.25, 0.15, 0, 150, 8)
        ],
    },
}


def render(
    digit,
    style,
    *,
    size=280,
    height=180,
    center=(140, 140),
    aspect=0.65,
    slant=0.0,
    width=18,
    look="transparent",
    wobble=0.0,
    sloppiness=0.0,
    rng=None,
):
    """Draw a digit as a mouse would, returning an (size, size, 4) uint8 RGBA canvas.

    Parameters
    ----------
    digit : int
    style : str
        A key of ``STYLES[digit]``.
    height : float
        Height of the digit in pixels; its width is ``height * aspect`` (a '1' is narrower).
    center : (float, float)
        Where the middle of the digit goes, (x, y) in pixels.
    slant : float
        Horizontal shear: positive leans the top to the right.
    width : int
        Brush diameter in pixels.
    look : {'transparent', 'white_on_black', 'black_on_white'}
        Ink and background: black ink on a transparent canvas (the app's canvas),
        white on black, or black on white.
    wobble : float
        Standard deviation, in pixels, of a hand's tremor added to every point.
    sloppiness : float
        How far, as a fraction of the height, each stroke as a whole is displaced and
        each of its points drifts (a slow random walk): strokes that miss each other,
        loops that do not close, bars placed a little high.
    rng : numpy.random.Generator, optional
        For the wobble and sloppiness.
    """
    if look not in LOOKS:
        raise ValueError(f"look must be one of {LOOKS}, got {look!r}")
    bg, ink = LOOK_COLORS[look]
    img = Image.new("RGBA", (size, size), bg)
    draw = ImageDraw.Draw(img)
    w = height * (aspect * (0.45 if digit == 1 else 1.0))
    r = width / 2
    for stroke in STYLES[digit][style]:
        pts = np.asarray(stroke, dtype=np.float64)
        x = (pts[:, 0] - 0.5) * w + slant * (0.5 - pts[:, 1]) * height + center[0]
        y = (pts[:, 1] - 0.5) * height + center[1]
        if sloppiness and rng is not None:
            drift = np.cumsum(rng.normal(0, sloppiness * height / 4, (len(x), 2)), axis=0)
            drift -= drift.mean(axis=0)
            drift += rng.normal(0, sloppiness * height, 2)
            x, y = x + drift[:, 0], y + drift[:, 1]
        if wobble and rng is not None:
            x = x + rng.normal(0, wobble, len(x))
            y = y + rng.normal(0, wobble, len(y))
        xy = list(zip(x.tolist(), y.tolist()))
        draw.line(xy, fill=ink, width=int(width), joint="curve")
        for px, py in (xy[0], xy[-1]):  # round caps, as a round brush leaves
            draw.ellipse([px - r, py - r, px + r, py + r], fill=ink)
    return np.asarray(img)


def random_drawing(digit, style, rng, look=None, size=280):
    """A drawing with random size, position, slant, brush and tremor; returns (rgba, params)."""
    height = float(rng.choice([rng.uniform(60, 110), rng.uniform(110, 200), rng.uniform(200, 260)]))
    aspect = float(rng.uniform(0.45, 0.9))
    half_w, half_h = height * aspect / 2 + 15, height / 2 + 15
    cx = float(rng.uniform(min(half_w, size / 2), max(size - half_w, size / 2)))
    cy = float(rng.uniform(min(half_h, size / 2), max(size - half_h, size / 2)))
    params = dict(
        height=height,
        aspect=aspect,
        center=(cx, cy),
        slant=float(rng.uniform(-0.4, 0.4)),
        width=int(min(rng.choice([8, 12, 18, 24, 30]), max(6, height / 5))),
        look=look or str(rng.choice(LOOKS)),
        wobble=float(rng.uniform(0, 2.5)),
        sloppiness=float(rng.uniform(0, 0.04)),
    )
    return render(digit, style, size=size, rng=rng, **params), params
