"""How well does a model read drawn digits? Free-hand strokes and printed digits.

Renders digits the way a mouse draws them on a 280x280 canvas (ffn.sketch: several
ways of writing each digit, sizes from small-in-a-corner to huge, off-centre, slanted,
brushes 8-30 px, three canvas looks) plus printed digits in the machine's TrueType
fonts, and prints accuracy per case for MNIST-style preprocessing
(ffn.preprocess_canvas) beside a naive resize of the whole canvas to 28x28. Also times
preprocess_canvas + predict_proba on one canvas.

    python -m bench.drawings [--model weights/model.npz] [--per-style 60] [--seed 0]
"""
import argparse
import glob
import time
from collections import defaultdict
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

import ffn
from ffn.preprocess import preprocess_canvas
from tests.support.sketch import LOOK_COLORS, LOOKS, STYLES, random_drawing

FONT_GLOBS = ["/usr/share/fonts/truetype/*/*.ttf", "/usr/share/fonts/opentype/*/*.otf"]


def naive(rgba):
    """What most demos do: composite on black, take grey levels, resize the whole canvas."""
    rgb = rgba[..., :3].astype(np.float32) * (rgba[..., 3:4] / 255.0)
    grey = rgb.mean(axis=2)
    return np.asarray(Image.fromarray(grey / 255.0, mode="F").resize((28, 28), Image.LANCZOS)).reshape(-1)


def printed(rng, fonts):
    """(rgba, digit, case) for each digit in each font, at a random size and position."""
    for path in fonts:
        try:
            font = ImageFont.truetype(path, int(rng.uniform(120, 220)))
        except OSError:
            continue
        for d in range(10):
            look = str(rng.choice(LOOKS))
            bg, ink = LOOK_COLORS[look]
            img = Image.new("RGBA", (280, 280), bg)
            ImageDraw.Draw(img).text((rng.uniform(60, 220), rng.uniform(60, 220)), str(d),
                                     font=font, fill=ink, anchor="mm")
            yield np.asarray(img), d, Path(path).stem


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default=None, help="model .npz (default: the bundled one)")
    ap.add_argument("--per-style", type=int, default=60, help="drawings per (digit, style)")
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    net = ffn.load_model(args.model)
    rng = np.random.default_rng(args.seed)

    rows = []  # (group, case, digit, x_pre or None, x_naive)
    for d, styles in STYLES.items():
        for style in styles:
            for _ in range(args.per_style):
                rgba, p = random_drawing(d, style, rng)
                size = "small" if p["height"] < 110 else ("huge" if p["height"] > 200 else "medium")
                cases = [f"style {d}:{style}", f"look {p['look']}", f"size {size}",
                         f"brush {p['width']}px" if p['width'] in (8, 12, 18, 24, 30) else "brush other"]
                rows.append(("free-hand", cases, d, preprocess_canvas(rgba), naive(rgba)))
    fonts = sorted({f for g in FONT_GLOBS for f in glob.glob(g)})
    for rgba, d, font in printed(rng, fonts):
        rows.append(("printed", [f"font {font}"], d, preprocess_canvas(rgba), naive(rgba)))

    def predict(xs):
        blank = np.array([x is None for x in xs])
        X = np.stack([np.zeros(784, np.float32) if x is None else x for x in xs])
        pred = net.predict_proba(X).argmax(axis=1)
        pred[blank] = -1  # a canvas judged blank counts as wrong
        return pred

    pre = predict([r[3] for r in rows])
    nai = predict([r[4] for r in rows])
    truth = np.array([r[2] for r in rows])
    stats = defaultdict(lambda: [0, 0, 0])
    for (group, cases, *_), p, q, t in zip(rows, pre, nai, truth):
        for key in [group, *[f"{group} / {c}" for c in cases]]:
            s = stats[key]
            s[0] += 1
            s[1] += p == t
            s[2] += q == t

    print(f"model: {args.model or 'bundled weights/model.npz'}  "
          f"({net.meta.get('command', '?')}; MNIST test {net.meta.get('test_accuracy', float('nan')):.4f})")
    print(f"{'case':48s} {'n':>5s} {'preprocess':>11s} {'naive':>8s}")
    for key in sorted(stats, key=lambda k: (k.count("/"), k)):
        n, a, b = stats[key]
        print(f"{key:48s} {n:5d} {a / n:11.1%} {b / n:8.1%}")
    styles = [k for k in stats if "/ style" in k]
    worst = min(styles, key=lambda k: stats[k][1] / stats[k][0])
    print(f"worst free-hand style: {worst} {stats[worst][1] / stats[worst][0]:.1%}")

    rgba, _ = random_drawing(3, "round", np.random.default_rng(1))
    times = []
    for _ in range(300):
        t0 = time.perf_counter()
        net.predict_proba(preprocess_canvas(rgba))
        times.append(time.perf_counter() - t0)
    print(f"preprocess_canvas + predict_proba, one 280x280 canvas: median {np.median(times) * 1e3:.2f} ms, "
          f"p90 {np.percentile(times, 90) * 1e3:.2f} ms")


if __name__ == "__main__":
    main()
