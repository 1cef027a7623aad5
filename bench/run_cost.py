"""The cost of a run (issue 28): what :mod:`serve.cost` predicts against the seconds a run takes.

    python -m bench.run_cost [--only NAME ...] [--parts]   # the runs, end to end (about 70 s)
    python -m bench.run_cost --fit [--verbose]             # serve.cost's constants (about 70 s)

Each run is trained as a worker trains it (``serve.worker._build`` and ``_run``): the app's
job (``ui.run.app_job``: its limits, accuracy subsets and evaluations), built by
``ffn.settings.build_trainer`` on MNIST, stepped in chunks to its end, its final accuracy
on the full sets and its model's file; one BLAS thread throughout. Its seconds are the
wall time from the build to the model's bytes. One speed (work a second) is fitted over
the runs marked ``fit``, the geometric mean of their implied speeds; the ``check`` runs
had no part in any fit, neither of the speed nor of the constants (none of their settings
is in ``--fit``'s grids). ``--parts`` adds, per run, each part's predicted seconds beside
the measured: build, training (with the gradient health), evaluations, final.

``--fit`` times each part of a run on a grid of networks and fits :mod:`serve.cost`'s
tables to the timings (:mod:`bench.support.cost_fit`); it prints them in MACs, to be
copied into ``serve/cost.py``. Run both pinned to one core (``taskset -c 1``), the
machine otherwise idle.
"""
import argparse
import math
import statistics
import time

from threadpoolctl import threadpool_limits

import ffn
from bench.support.cost_fit import fit
from ffn.model_io import model_bytes
from ffn.settings import build_trainer, run_metadata
from serve import cost
from ui.run import app_job

CHUNK = 0.2  # seconds between two reports, as the pool's workers train

# name -> (settings, role): 'fit' runs set the one speed, 'check' runs only test it
RUNS = {
    "article": (ffn.preset("article"), "fit"),
    "article_he": (ffn.preset("article_he"), "fit"),
    "fast": (ffn.preset("fast"), "fit"),
    "H32 B16": (ffn.preset("article_he", hidden_size=32, batch_size=16, iters=10000), "fit"),
    "H512 B1024 adam": (ffn.preset("fast", hidden_size=512, batch_size=1024, epochs=0, iters=300), "fit"),
    "depth 6 H128 B64 momentum": (ffn.preset("article_he", hidden_size=128, depth=6, batch_size=64,
                                             optimizer="momentum", learning_rate=0.02, iters=3000), "fit"),
    "H256 dropout adam": (ffn.preset("fast", dropout=0.3, batch_size=128, epochs=0, iters=1500), "fit"),
    "H128 augment adam": (ffn.preset("fast", hidden_size=128, augment=True, epochs=0, iters=600), "fit"),
    "depth 3 tanh layer norm rmsprop": (ffn.preset("fast", depth=3, activation="tanh", normalization="layer",
                                                   optimizer="rmsprop", learning_rate=1e-3, batch_size=512,
                                                   epochs=0, iters=500), "fit"),
    "depth 6 H512 batch norm": (ffn.preset("fast", hidden_size=512, depth=6, normalization="batch",
                                           epochs=0, iters=200), "fit"),
    "deep_bn": (ffn.preset("deep_bn"), "check"),
    "384-192-96 tanh dropout nesterov decay": (
        ffn.TrainSettings(hidden_size_list=(384, 192, 96), activation="tanh", weight_init="xavier",
                          optimizer="nesterov", learning_rate=0.02, batch_size=48, iters=3000, dropout=0.1,
                          weight_decay=1e-4), "check"),
    "depth 3 H256 residual augment adagrad": (
        ffn.preset("fast", depth=3, residual=True, augment=True, optimizer="adagrad", learning_rate=0.01,
                   batch_size=512, epochs=0, iters=300), "check"),
    "784-128-64 adam lr 0.01 B100": (ffn.TrainSettings(hidden_size=128, weight_init="he", optimizer="adam",
                                                       batch_size=100, iters=3000), "check"),
    "H96 B32 10k images": (ffn.preset("article_he", hidden_size=96, batch_size=32, train_size=10000,
                                      valid_ratio=0.2, iters=4000), "check"),
}


def timed_run(s, data):
    """A run as a worker trains it: (seconds in all, seconds by part, the job)."""
    (x, t), (xt, tt) = data
    job = app_job(s)
    with threadpool_limits(1, user_api="blas"):
        t0 = time.perf_counter()
        tr = build_trainer(s, x, t, limits=job.limits, eval_size=job.eval_size,
                           evals_per_run=job.evals_per_run)
        t1 = time.perf_counter()
        while not tr.done:
            tr.step(max_seconds=CHUNK)
        t2 = time.perf_counter()
        final = tr.final_accuracy(xt, tt)
        tr.net.meta.update(run_metadata(tr, s, final, command=job.command))
        model_bytes(tr.net)
        t3 = time.perf_counter()
    parts = {"build": t1 - t0, "train": tr.train_seconds, "evaluations": t2 - t1 - tr.train_seconds,
             "final": t3 - t2}
    return t3 - t0, parts, job


def runs(names, data, show_parts):
    rows = []
    for name in names:
        s, role = RUNS[name]
        seconds, parts, job = timed_run(s, data)
        rows.append((name, role, job, seconds, parts, cost.run_work(job)))
        print(f"  ran {name}: {seconds:.2f} s", flush=True)
    fit = [w / sec for _, role, _, sec, _, w in rows if role == "fit"] or [w / sec for *_, sec, _, w in rows]
    speed = math.exp(statistics.fmean(math.log(v) for v in fit))
    print(f"\n{'run':<40}{'set':>6}{'iters x batch':>15}{'work (G)':>10}{'seconds':>9}{'work/s (G)':>11}"
          f"{'predicted/real':>16}")
    worst = {}
    for name, role, job, seconds, parts, w in rows:
        iters, batch = job.length()
        ratio = w / speed / seconds
        worst[role] = max(worst.get(role, 1.0), ratio, 1 / ratio, key=lambda r: max(r, 1 / r))
        print(f"{name:<40}{role:>6}{f'{iters} x {batch}':>15}{w / 1e9:>10.1f}{seconds:>9.2f}"
              f"{w / seconds / 1e9:>11.1f}{ratio:>16.2f}")
        if show_parts:
            predicted = cost.run_parts(job)
            predicted["train"] += predicted.pop("health")
            print("      " + ", ".join(f"{k} {predicted[k] / speed:.2f}/{parts[k]:.2f} s" for k in parts))
    print(f"\none speed, fitted over the fit runs: {speed / 1e9:.1f} G work/s (serve.cost.SPEED "
          f"{cost.SPEED / 1e9:.1f} G)")
    for role, r in worst.items():
        print(f"worst ratio, {role} runs: {r:.2f}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="+", choices=list(RUNS), metavar="NAME", help="these runs only")
    ap.add_argument("--parts", action="store_true", help="each part's predicted and measured seconds")
    ap.add_argument("--fit", action="store_true", help="fit serve.cost's constants instead")
    ap.add_argument("--verbose", action="store_true", help="with --fit, how far the fit is from each timing")
    args = ap.parse_args()
    data = ffn.load_mnist()
    if args.fit:
        with threadpool_limits(1, user_api="blas"):
            fit(data, args.verbose)
    else:
        runs(args.only or list(RUNS), data, args.parts)


if __name__ == "__main__":
    main()
