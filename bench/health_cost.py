"""What recording gradient health costs: a preset's run with and without it.

    python -m bench.health_cost [--presets fast article article_he] [--repeats 4]

Method. The trainer the app's worker builds, stepped to the end, in this process, one
BLAS thread (OPENBLAS_NUM_THREADS=1 is set before NumPy loads). Each repeat times the
run with recording on and with it off (`Health.due` answering False), in the order
ABBA so that both see the machine's same moods; CPU seconds (process_time) of the
training alone. The cost is the ratio of the medians.
"""
import argparse
import os
import statistics
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads
import ffn
from ffn.health import Health
from ui.run import APP_LIMITS, EVAL_SIZE, EVALS_PER_RUN


def timed(preset, data, record):
    due = Health.due
    if not record:
        Health.due = lambda self, iteration: False
    try:
        tr = ffn.build_trainer(ffn.preset(preset), *data, limits=APP_LIMITS, eval_size=EVAL_SIZE,
                               evals_per_run=EVALS_PER_RUN)
        c0 = time.process_time()
        tr.step()
        return time.process_time() - c0, len(tr.history["health_iteration"]), tr.total_iters
    finally:
        Health.due = due


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--presets", nargs="+", default=["fast", "article", "article_he"])
    ap.add_argument("--repeats", type=int, default=4)
    args = ap.parse_args()
    data, _test = ffn.load_mnist()
    print(f"{'preset':<12}{'iterations':>11}{'points':>8}{'on (s)':>9}{'off (s)':>9}{'cost':>8}")
    for preset in args.presets:
        on, off = [], []
        for r in range(args.repeats):
            for record in ((True, False) if r % 2 == 0 else (False, True)):
                seconds, points, iters = timed(preset, data, record)
                (on if record else off).append(seconds)
                if record:
                    n_points = points
        a, b = statistics.median(on), statistics.median(off)
        print(f"{preset:<12}{iters:>11,}{n_points:>8}{a:>9.3f}{b:>9.3f}{a / b - 1:>+8.1%}")


if __name__ == "__main__":
    main()
