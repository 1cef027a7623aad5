"""Whether a run's numbers depend on its BLAS threads, and what one thread costs.

    python -m bench.blas_threads [--iters 300] [--repeats 2]

Issue 28 asks that a run's weights depend on its settings and seed only. The pool used to
give a lone run one BLAS thread per free core and shared runs one each, so the thread
count followed the load; now the ``Trainer`` computes with ``ffn.threads.RUN_THREADS``
(one). This measures, in the library's own ``Trainer``:

- one matrix product of each shape a training step makes (forward ``X @ W``, backward
  ``X.T @ dY`` and ``dY @ W.T``), with 1 and 2 threads: bit-identical or not;
- three presets' first ``--iters`` iterations with the run's count set to 1 and to 2:
  identical weights or not, and the seconds each took (alternating, ``--repeats`` times),
  on this machine's cores: what the fixed one thread costs a lone run;
- the fix: with the run's one thread, a caller that set 1 or 2 BLAS threads gets the same
  weights.
"""
import argparse
import statistics
import time

import numpy as np
from threadpoolctl import threadpool_limits

import ffn
from ffn import threads as ffn_threads

RUNS = {"article_he": {}, "fast": {}, "fast, H 512, batch 512": {"hidden_size": 512, "batch_size": 512}}


def products(rng):
    """For each product of a 784-256-… step: are 1 and 2 threads' results bit-identical?"""
    out = {}
    for batch in (128, 1000):
        x = rng.standard_normal((batch, 784)).astype(np.float32)
        w = rng.standard_normal((784, 256)).astype(np.float32)
        dy = rng.standard_normal((batch, 256)).astype(np.float32)
        got = {}
        for n in (1, 2):
            with threadpool_limits(n, user_api="blas"):
                got[n] = {"X @ W": x @ w, "X.T @ dY": x.T @ dy, "dY @ W.T": dy @ w.T}
        for name in got[1]:
            out[f"{name}, batch {batch}"] = np.array_equal(got[1][name], got[2][name])
    return out


def one_run(x, t, preset, more, iters, threads, run_threads=None):
    """Seconds and weights of a run under ``threads`` BLAS threads set by its caller, the
    run's own count (``ffn.threads.RUN_THREADS``) set to ``run_threads`` (default the same)."""
    s = ffn.preset(preset.split(",")[0], iters=iters, **more)
    tr = ffn.build_trainer(s, x, t, eval_size=500, evals_per_run=2)
    kept, ffn_threads.RUN_THREADS = ffn_threads.RUN_THREADS, run_threads or threads
    try:
        with threadpool_limits(threads, user_api="blas"):
            start = time.perf_counter()
            tr.step()
            seconds = time.perf_counter() - start
    finally:
        ffn_threads.RUN_THREADS = kept
    return seconds, {k: v.copy() for k, v in tr.net.params.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--iters", type=int, default=300)
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args()
    print("one product, 1 and 2 BLAS threads, bit-identical:")
    for name, same in products(np.random.default_rng(0)).items():
        print(f"  {name:<24}{'yes' if same else 'no'}")
    (x, t), _ = ffn.load_mnist()
    print(f"\n{args.iters} iterations of the Trainer; seconds, median of {args.repeats} "
          "(1 and 2 threads alternating)")
    print(f"{'run':<26}{'1 thread':>10}{'2 threads':>11}{'1 / 2':>8}  same weights (1 vs 2; 1 vs 1)")
    for preset, more in RUNS.items():
        times, weights = {1: [], 2: []}, {1: [], 2: []}
        for r in range(args.repeats):
            for n in ((1, 2) if r % 2 == 0 else (2, 1)):
                seconds, params = one_run(x, t, preset, more, args.iters, n)
                times[n].append(seconds)
                weights[n].append(params)
        same = lambda a, b: all(np.array_equal(a[k], b[k]) for k in a)  # noqa: E731
        one, two = statistics.median(times[1]), statistics.median(times[2])
        again = same(weights[1][0], weights[1][-1]) if args.repeats > 1 else None
        print(f"{preset:<26}{one:>10.2f}{two:>11.2f}{one / two:>8.2f}  "
              f"{'yes' if same(weights[1][0], weights[2][0]) else 'no'}; {'yes' if again else 'no'}")
    print("\nthe fix: the run's one thread (ffn.threads), its caller's 1 or 2 BLAS threads: same weights?")
    for preset, more in RUNS.items():
        _s, one = one_run(x, t, preset, more, args.iters, 1, run_threads=1)
        _s, two = one_run(x, t, preset, more, args.iters, 2, run_threads=1)
        print(f"  {preset:<26}{'yes' if same(one, two) else 'no'}")


if __name__ == "__main__":
    main()
