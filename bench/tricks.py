"""The article's tricks, measured: the two lesson presets, and what each trick costs.

    python -m bench.tricks [--seeds 0 1 2] [--rounds 3] [--part presets|cost|all]

**presets**: 'deep_stuck' (five Sigmoid layers, std 0.01, SGD) and 'deep_bn' (the same with
batch normalisation), each built as the app's worker builds it, on each seed: test
accuracy, training time, the last 100 losses' mean, and layer 1's and layer 5's gradient
norm ||dW|| at iteration 1 and at the end (what the gradient chart shows).

**cost**: one epoch (54,000 images in batches of 256, Adam) of 784-256-256-128-10 with ReLU
and He init, plain and with each trick alone (batch norm, layer norm, dropout 0.2,
residual) and all of them. The variants run in turn, one after another, ``--rounds``
times; the median of each is reported with its ratio to the plain network's median of the
same run. One BLAS thread, so that the two noisy cores do not decide the ratio.
"""
import argparse
import os
import statistics
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads
import numpy as np

import ffn
from ui.run import APP_LIMITS, EVAL_SIZE, EVALS_PER_RUN

COST = {"plain": {}, "batch norm": dict(normalization="batch"), "layer norm": dict(normalization="layer"),
        "dropout 0.2": dict(dropout=0.2), "residual": dict(residual=True),
        "all four": dict(normalization="batch", dropout=0.2, residual=True)}


def presets(seeds, data, test):
    print(f"{'preset':<12}{'seed':>5}{'test acc':>10}{'train s':>9}{'wall s':>8}{'loss last 100':>15}"
          f"{'|dW1| it 1':>12}{'|dW1| end':>11}{'|dW5| it 1':>12}{'|dW5| end':>11}")
    summary = {}
    for name in ("deep_stuck", "deep_bn"):
        for seed in seeds:
            s = ffn.preset(name, seed=seed)
            start = time.perf_counter()
            tr = ffn.build_trainer(s, *data, limits=APP_LIMITS, eval_size=EVAL_SIZE,
                                   evals_per_run=EVALS_PER_RUN)
            tr.step()
            wall = time.perf_counter() - start
            acc = tr.net.accuracy(*test)
            g = tr.history["grad_norm"]
            loss = float(np.mean(tr.history["loss"][-100:]))
            summary.setdefault(name, []).append((acc, tr.train_seconds))
            print(f"{name:<12}{seed:>5}{acc:>10.2%}{tr.train_seconds:>9.1f}{wall:>8.1f}{loss:>15.3f}"
                  f"{g[0][0]:>12.1e}{g[-1][0]:>11.1e}{g[0][4]:>12.1e}{g[-1][4]:>11.1e}")
    for name, rows in summary.items():
        accs, secs = zip(*rows)
        print(f"{name}: test accuracy {min(accs):.2%}-{max(accs):.2%} (mean {np.mean(accs):.2%}), "
              f"training {min(secs):.1f}-{max(secs):.1f} s over {len(rows)} seeds")


def cost(rounds, data):
    times = {k: [] for k in COST}
    for _ in range(rounds):
        for name, changes in COST.items():
            s = ffn.TrainSettings(hidden_size=256, depth=3, weight_init="he", optimizer="adam",
                                  learning_rate=1e-3, batch_size=256, epochs=1, **changes)
            tr = ffn.build_trainer(s, *data, eval_size=EVAL_SIZE)
            tr.step()
            times[name].append(tr.train_seconds)
    base = statistics.median(times["plain"])
    print(f"\none epoch of 784-256-256-128-10 (ReLU, He, Adam, batch 256), {rounds} rounds, one BLAS thread")
    print(f"{'variant':<14}{'median s':>10}{'all rounds':>28}{'vs plain':>10}")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"{name:<14}{med:>10.2f}{'  '.join(f'{t:.2f}' for t in ts):>28}{med / base:>9.2f}x")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--part", choices=("presets", "cost", "all"), default="all")
    args = ap.parse_args()
    data, test = ffn.load_mnist()
    if args.part in ("presets", "all"):
        presets(args.seeds, data, test)
    if args.part in ("cost", "all"):
        cost(args.rounds, data)


if __name__ == "__main__":
    main()
