"""A class with something on its board, for the board's screenshots: twelve students, each
with a short run really trained (the jigsaw of the README: four learning rates, three
hidden sizes) and sent with its model, five labelled drawings each (synthetic handwriting
from tests/support/sketch.py, preprocessed as the canvas's are, labelled with the digit
drawn) and answers to the learning-rate lesson's question on a rate too large.

    python -m bench.demo_class --db sqlite:////tmp/demo.db     # prints CODE KEY
"""
import argparse
import io
import time

import numpy as np

import ffn
from board.figures import as_bytes
from board.store import Store
from ffn.compare import iterations_to
from ffn.model_io import save_model
from ffn.settings import TrainSettings, build_trainer
from tests.support.sketch import STYLES, random_drawing

NAMES = ["Ada", "Ben", "小明", "Chloé", "Dev", "Emma", "李华", "Finn", "Grace", "Hugo", "Ines", "王芳"]
RATES, SIZES = (0.001, 0.01, 0.1, 1.0), (32, 64, 128)


def trained(settings, x, t, x_test, t_test):
    """A real run of ``settings``: its final accuracies, wall time, iterations to 90 % and model."""
    tr = build_trainer(settings, x, t, evals_per_run=10)
    t0 = time.perf_counter()
    while not tr.done:
        tr.step(max_seconds=5)
    wall = time.perf_counter() - t0
    buf = io.BytesIO()
    save_model(tr.net, buf)
    final = tr.final_accuracy(x_test, t_test)
    return dict(final=final, wall_seconds=wall, iters_to_90=iterations_to(tr.history, 0.9),
                model=buf.getvalue())


def seed(url, students=12, drawings=5, rng_seed=0):
    """A new class on ``url`` as the module says: ``(code, key)``."""
    store = Store(url).create()
    code, key = store.new_class()
    (x, t), (x_test, t_test) = ffn.load_mnist()
    rng = np.random.default_rng(rng_seed)
    for i in range(students):
        token = f"demo-student-{i}"
        store.join(code, token, NAMES[i % len(NAMES)])
        s = TrainSettings(hidden_size=SIZES[i % 3], learning_rate=RATES[i % 4], weight_init="he",
                          iters=400, seed=i)
        store.submit_run(code, token, s.to_dict(), **trained(s, x, t, x_test, t_test))
        for _ in range(drawings):
            digit = int(rng.integers(10))
            style = str(rng.choice(sorted(STYLES[digit])))
            rgba, _params = random_drawing(digit, style, rng)
            store.submit_drawing(code, token, digit, as_bytes(ffn.preprocess_canvas(rgba)))
        store.submit_answers(code, token, "learning_rate", {"too-large": ("diverge", "faster", "diverge",
                                                                          "same")[i % 4]})
    return code, key


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--db", required=True, help="the board's database URL (as FFN_CLASS_DB)")
    args = ap.parse_args()
    print(*seed(args.db))


if __name__ == "__main__":
    main()
