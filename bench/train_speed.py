"""Training speed of ffn against the article's code path, scikit-learn and PyTorch.

    python bench/train_speed.py [--seeds 3] [--skip-article]

1. The article's exact run (784-64-32-10, std 0.01, SGD lr 0.01, batch 200, 5000
   iterations, 10 % validation) by the article's code path (bench/article_baseline.py)
   and by ffn, per seed: wall time and test accuracy, then the ratio of mean times.
2. One epoch of 784-256-128-10 (ReLU, He init, Adam lr 1e-3, batch 128) in ffn,
   scikit-learn's MLPClassifier and PyTorch on the CPU, where installed (bench-only:
   `pip install scikit-learn torch==2.13.0`; neither is in requirements).
3. The "fast" preset over several seeds: wall time and MNIST test accuracy.

Figures are wall-clock seconds on this machine: compare the ratios printed in one run.
"""
import argparse
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))
import ffn  # noqa: E402
from article_baseline import train_article  # noqa: E402


def article(seeds):
    print("== 1. The article's run: 784-64-32-10, std 0.01, SGD lr 0.01, batch 200, 5000 iterations")
    (x, t), (xt, tt) = ffn.load_mnist()
    t_onehot = np.eye(10, dtype=np.float32)[t]
    tt_onehot = np.eye(10, dtype=np.float32)[tt]
    base_t, base_a, ffn_t, ffn_a = [], [], [], []
    for seed in seeds:
        t0 = time.perf_counter()
        net = train_article(x, t_onehot, seed)
        base_t.append(time.perf_counter() - t0)
        base_a.append(net.accuracy(xt, tt_onehot))
        t0 = time.perf_counter()
        tr = ffn.build_trainer(ffn.preset("article", seed=seed), x, t)
        tr.step()
        ffn_t.append(time.perf_counter() - t0)
        ffn_a.append(tr.net.accuracy(xt, tt))
        print(f"seed {seed}: article code {base_t[-1]:6.2f} s, test {base_a[-1]:.4f} | "
              f"ffn {ffn_t[-1]:5.2f} s, test {ffn_a[-1]:.4f}", flush=True)
    print(f"mean: article code {np.mean(base_t):.2f} s, test {np.mean(base_a):.4f} | "
          f"ffn {np.mean(ffn_t):.2f} s, test {np.mean(ffn_a):.4f} | "
          f"ffn is {np.mean(base_t) / np.mean(ffn_t):.1f}x faster (target >= 4x)")


def epoch_ffn(x, t):
    net = ffn.MultiLayerNet(784, [256, 128], 10, weight_init="he", seed=0)
    tr = ffn.Trainer(net, ffn.Adam(1e-3), x, t, batch_size=128, epochs=1, eval_every=10 ** 9,
                     eval_size=1, seed=0)
    t0 = time.perf_counter()
    tr.step()
    return time.perf_counter() - t0


def epoch_sklearn(x, t):
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.neural_network import MLPClassifier
    clf = MLPClassifier((256, 128), batch_size=128, max_iter=1, learning_rate_init=1e-3,
                        random_state=0, shuffle=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        t0 = time.perf_counter()
        clf.fit(x, t)
    return time.perf_counter() - t0


def epoch_torch(x, t):
    import torch
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(784, 256), torch.nn.ReLU(), torch.nn.Linear(256, 128),
                                torch.nn.ReLU(), torch.nn.Linear(128, 10))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    loss_fn = torch.nn.CrossEntropyLoss()
    X, T = torch.from_numpy(x), torch.from_numpy(t.astype(np.int64))
    t0 = time.perf_counter()
    perm = torch.randperm(len(X))
    for i in range(0, len(X) - 127, 128):
        idx = perm[i:i + 128]
        opt.zero_grad()
        loss_fn(model(X[idx]), T[idx]).backward()
        opt.step()
    return time.perf_counter() - t0


def epochs(repeats=3):
    print("\n== 2. One epoch of 784-256-128-10, Adam lr 1e-3, batch 128 (best of %d)" % repeats)
    (x, t), _ = ffn.load_mnist()
    times = {}
    for name, fn in (("ffn (NumPy)", epoch_ffn), ("scikit-learn MLPClassifier", epoch_sklearn),
                     ("PyTorch CPU", epoch_torch)):
        try:
            times[name] = min(fn(x, t) for _ in range(repeats))
            print(f"{name:28s} {times[name]:6.2f} s", flush=True)
        except ImportError as e:
            print(f"{name:28s} skipped: {e.name} is not installed (pip install it to compare)")
    if "PyTorch CPU" in times:
        print(f"ffn / PyTorch epoch time: {times['ffn (NumPy)'] / times['PyTorch CPU']:.2f} (target <= 0.7)")
    if "scikit-learn MLPClassifier" in times:
        print(f"ffn / scikit-learn epoch time: {times['ffn (NumPy)'] / times['scikit-learn MLPClassifier']:.2f}")


def fast(seeds):
    s = ffn.PRESETS["fast"]
    print(f"\n== 3. Preset 'fast': 784-256-128-10, He, Adam lr {s.learning_rate:g} cosine, batch "
          f"{s.batch_size}, {s.epochs:g} epochs on all 60,000 images")
    (x, t), (xt, tt) = ffn.load_mnist()
    res = []
    for seed in seeds:
        tr = ffn.build_trainer(ffn.preset("fast", seed=seed), x, t)
        t0 = time.perf_counter()
        tr.step()
        res.append((time.perf_counter() - t0, tr.net.accuracy(xt, tt)))
        print(f"seed {seed}: {res[-1][0]:.2f} s, test accuracy {res[-1][1]:.4f}", flush=True)
    secs, accs = zip(*res)
    print(f"median {np.median(secs):.2f} s, test accuracy min {min(accs):.4f} median {np.median(accs):.4f} "
          f"(target >= 0.980 in <= 4 s)")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--skip-article", action="store_true")
    args = ap.parse_args()
    seeds = list(range(args.seeds))
    if not args.skip_article:
        article(seeds)
    epochs()
    fast(seeds)


if __name__ == "__main__":
    main()
