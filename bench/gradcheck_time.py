"""How long the on-screen gradient check takes at the largest network the app allows.

    python -m bench.gradcheck_time [--repeats 3]

784-512-256-10 (H = 512, the sidebar's most), each activation, with L2 weight decay (its
term makes every loss evaluation sum the squares of all 535,818 weights). Two timings:
the check itself in this process (one BLAS thread, as a worker that shares the machine),
and the whole pool job as the page waits for it: from submitting it to a fresh
TrainingPool's idle worker to its table arriving.
"""
import argparse
import os
import statistics
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads
import ffn
from ffn.gradcheck import BATCH, ENTRIES, gradient_check
from serve.pool import TrainingPool
from serve.protocol import GRADCHECK
from serve.runs import DONE, ENDED
from ui.run import APP_LIMITS, app_job


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=3)
    args = ap.parse_args()
    (x, t), _ = ffn.load_mnist()
    hidden = [APP_LIMITS.max_units, APP_LIMITS.max_units // 2]
    print(f"784-{hidden[0]}-{hidden[1]}-10, {BATCH} images, up to {ENTRIES} entries an array, float64")
    for act in ("relu", "sigmoid", "tanh"):
        net = ffn.MultiLayerNet(784, hidden, 10, activation=act, weight_decay_lambda=1e-3, seed=0)
        times = []
        for _ in range(args.repeats):
            t0 = time.perf_counter()
            rows = gradient_check(net, x[:BATCH], t[:BATCH])
            times.append(time.perf_counter() - t0)
        worst = max(r["relative_error"] for r in rows)
        checked = sum(r["checked"] for r in rows)
        print(f"  {act:<8} in-process median {statistics.median(times):.2f} s (max {max(times):.2f}); "
              f"{checked} entries checked; largest relative error {worst:.1e}")
    pool = TrainingPool(workers=1)
    try:
        while pool.status()["workers"] < 1:
            time.sleep(0.1)
        s = ffn.preset("article_he", hidden_size=APP_LIMITS.max_units, weight_decay=1e-3)
        times = []
        for k in range(args.repeats):
            t0 = time.perf_counter()
            job = pool.submit(f"bench:{k}", app_job(s, task=GRADCHECK))
            while job.state not in ENDED:
                job.wait_for_change(0.05)
            times.append(time.perf_counter() - t0)
            assert job.state == DONE, job.error
        print(f"  as a pool job (ReLU, submit to table): median {statistics.median(times):.2f} s "
              f"(max {max(times):.2f})")
    finally:
        pool.shutdown()


if __name__ == "__main__":
    main()
