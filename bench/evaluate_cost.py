"""What evaluating a model on the 10,000 test images costs (the Evaluate tab, once per model).

    python -m bench.evaluate_cost [--repeats 5]

ffn.evaluate on MNIST's test set as the app holds it (uint8, scaled a chunk at a time),
for the bundled model (784-512-256-10, the largest the app trains) and the `fast`
preset's shape (784-256-128-10); wall time, median of the repeats, with one BLAS thread
and with every core (OPENBLAS_NUM_THREADS unset), each in a fresh process.
"""
import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = """
import statistics, time
import ffn
from ffn.evaluate import evaluate
_, (x, t) = ffn.load_mnist(normalize=False)
nets = (("bundled 784-512-256-10", ffn.load_model()),
        ("784-256-128-10", ffn.MultiLayerNet(784, [256, 128], 10, seed=0)))
for name, net in nets:
    times = []
    for _ in range({repeats}):
        t0 = time.perf_counter()
        r = evaluate(net, x, t)
        times.append(time.perf_counter() - t0)
    print(f"  {{name}}: median {{statistics.median(times):.3f}} s (min {{min(times):.3f}}, "
          f"max {{max(times):.3f}}), accuracy {{r['accuracy']:.2%}}")
"""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    for label, env in (("one BLAS thread", {"OPENBLAS_NUM_THREADS": "1"}), ("every core", {})):
        print(label)
        base = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
        # ``python -c`` puts its working directory, the checkout, first on sys.path: this ffn
        subprocess.run([sys.executable, "-c", SCRIPT.format(repeats=args.repeats)], cwd=ROOT,
                       env={**base, **env}, check=True)


if __name__ == "__main__":
    main()
