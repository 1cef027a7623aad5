"""The wall time the app reports for a short run, against the time the page waited for it.

    python -m bench.run_wall_time [--repeats 5] [--iters 150]

The 'article_he' preset on 2,000 training images, through a fresh one-worker
TrainingPool, as the app starts it (:meth:`ui.run.Run.start`). For each run: the wall
time the app shows (the pool's clock: the run's time in a worker), and the seconds from
the page's Start to the run seen ended (the queue, the worker's start-up and the final
figures included). tests/test_run.py checks that the first is the pool's clock; how long
it takes on this machine is this script's business.
"""
import argparse
import statistics
import time

import ffn
from serve.pool import TrainingPool
from ui.run import Run


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--iters", type=int, default=150)
    args = ap.parse_args()
    pool = TrainingPool(workers=1, chunk=0.05)
    try:
        shown, waited = [], []
        for k in range(args.repeats):
            t0 = time.perf_counter()
            run = Run.start(ffn.preset("article_he", iters=args.iters, train_size=2000), f"bench:{k}", pool)
            while not run.sync().done:
                run.wait_for_change(0.25)
            waited.append(time.perf_counter() - t0)
            shown.append(run.wall_seconds)
            print(f"  run {k + 1}: wall time shown {run.wall_seconds:.3f} s; "
                  f"Start to ended {waited[-1]:.3f} s")
        print(f"article_he, {args.iters} iterations on 2,000 images, one worker: wall time shown median "
              f"{statistics.median(shown):.3f} s (max {max(shown):.3f}); Start to ended median "
              f"{statistics.median(waited):.3f} s (max {max(waited):.3f})")
    finally:
        pool.shutdown()


if __name__ == "__main__":
    main()
