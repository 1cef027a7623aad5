"""Training speed of ffn: per phase against its floor, against PyTorch, the fast preset,
and the article's run against the article's code path.

    python -m bench.train_speed [--pairs 5] [--seeds 5] [--skip-article] [--skip-torch]

1. One training step of 784-256-128-10 (ReLU, He, Adam 1e-3, batch 128, float32), timed
   per layer and phase over an epoch, beside its floor: the step's own matrix products
   with the same shapes, dtype and BLAS threads, back to back into preallocated outputs.
2. One epoch of the same network in ffn and in PyTorch on the CPU (bench-only:
   `pip install torch==2.13.0`), both with the data preloaded, indices shuffled and the
   same thread count, in alternating pairs; the median ratio.
3. The "fast" preset over seeds 0..N-1: wall time and MNIST test accuracy.
4. The article's run (784-64-32-10, std 0.01, SGD lr 0.01, batch 200, 5000 iterations)
   by the article's code path (bench/support/article_baseline.py) and by ffn doing the same
   evaluations (the full training and validation sets every epoch), and by ffn with its
   own cheaper ones (2,000-image subsets, 25 times a run, as the app measures).

Figures are wall-clock seconds on this machine: compare the ratios printed in one run.
"""
import argparse
import time

import numpy as np
from threadpoolctl import threadpool_limits

import ffn
from ffn.threads import RUN_THREADS
from bench.support.article_baseline import train_article

THREADS = RUN_THREADS  # PyTorch gets the BLAS threads ffn's Trainer computes with (ffn.threads: one)


def _net(seed=0):
    return ffn.MultiLayerNet(784, [256, 128], 10, weight_init="he", seed=seed)


def _epoch_trainer(x, t, seed=0):
    return ffn.Trainer(_net(seed), ffn.Adam(1e-3), x, t, batch_size=128, epochs=1, eval_every=10 ** 9,
                       eval_size=1, seed=seed)


PHASES = {  # what each timed call is, for the breakdown's totals
    "Affine": "matrix products (and bias)", "Relu": "element-wise", "SoftmaxWithLoss": "element-wise",
    "optimizer": "optimizer update", "batch": "batch gather",
}


def phases(x, t):
    """Seconds per layer and phase over one epoch of the trainer's own step, and the step's wall time.

    Each layer's forward and backward, the optimizer's update and the batch gather are
    wrapped in a timer on this one trainer, and ``Trainer.step`` runs as it always does:
    the code timed is the code that trains.
    """
    tr = _epoch_trainer(x, t)
    T = {}

    def timed(key, fn):
        def wrapper(*a, **kw):
            t0 = time.perf_counter()
            out = fn(*a, **kw)
            T[key] = T.get(key, 0.0) + time.perf_counter() - t0
            return out
        return wrapper
    for name, layer in [*tr.net.layers.items(), ("SoftmaxWithLoss", tr.net.lastLayer)]:
        layer.forward = timed(f"{name} forward", layer.forward)
        layer.backward = timed(f"{name} backward", layer.backward)
    tr.optimizer.update = timed("optimizer update", tr.optimizer.update)
    tr._batch = timed("batch gather", tr._batch)
    t0 = time.perf_counter()
    tr.step()
    T["the rest (trainer's loop, network's bookkeeping, timers)"] = time.perf_counter() - t0 - sum(T.values())
    return T, tr.total_iters


def floor(n_steps, batch=128, sizes=(784, 256, 128, 10), repeats=3):
    """The step's own matrix products, back to back into preallocated outputs."""
    rng = np.random.default_rng(0)
    Ws = [rng.standard_normal((a, b)).astype(np.float32) for a, b in zip(sizes, sizes[1:])]
    hs = [rng.standard_normal((batch, s)).astype(np.float32) for s in sizes]
    outs = [np.empty((batch, s), np.float32) for s in sizes]
    dWs = [np.empty_like(W) for W in Ws]
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        for _ in range(n_steps):
            for i, W in enumerate(Ws):                       # forward: h @ W
                np.matmul(hs[i], W, out=outs[i + 1])
            for i in reversed(range(len(Ws))):               # backward: dW = h.T @ dout, dx = dout @ W.T
                np.matmul(hs[i].T, hs[i + 1], out=dWs[i])
                if i:                                        # the first layer's dx is not needed
                    np.matmul(hs[i + 1], Ws[i].T, out=outs[i])
        best = min(best, time.perf_counter() - t0)
    return best


def breakdown(x, t):
    print("== 1. One training step of 784-256-128-10, Adam, batch 128, float32: "
          "per layer and phase over an epoch")
    T, n = phases(x, t)
    total = sum(T.values())
    groups = {}
    for key, sec in T.items():
        print(f"  {key:34s} {sec:6.3f} s  {sec / n * 1e3:6.3f} ms/step  {sec / total:5.1%}")
        group = next((g for prefix, g in PHASES.items() if key.startswith(prefix)), "the rest")
        groups[group] = groups.get(group, 0.0) + sec
    print("  by phase: " + "; ".join(f"{g} {sec / n * 1e3:.3f} ms ({sec / total:.0%})"
                                     for g, sec in groups.items()))
    steps, floors = [], []
    for _ in range(3):  # alternate: the machine's speed drifts
        steps.append(epoch_ffn(x, t) / n)
        floors.append(floor(n, repeats=1) / n)
    step, fl = min(steps), min(floors)
    print(f"  one step, untimed: {step * 1e3:.3f} ms (best of 3 epochs); its floor, the same matrix products "
          f"alone: {fl * 1e3:.3f} ms; step / floor = {step / fl:.2f} (target <= 1.8)")


def epoch_ffn(x, t):
    tr = _epoch_trainer(x, t)
    t0 = time.perf_counter()
    tr.step()
    return time.perf_counter() - t0


def epoch_torch(x, t):
    import torch
    torch.set_num_threads(THREADS)
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


def versus_torch(x, t, pairs):
    print(f"\n== 2. One epoch of 784-256-128-10, Adam 1e-3, batch 128: ffn and PyTorch CPU, "
          f"{pairs} alternating pairs, {THREADS} threads")
    try:
        epoch_torch(x[:1280], t[:1280])  # warm up PyTorch's kernels
    except ImportError:
        print("PyTorch is not installed (pip install torch==2.13.0 to compare)")
        return
    epoch_ffn(x[:1280], t[:1280])
    ratios = []
    for i in range(pairs):
        a, b = epoch_ffn(x, t), epoch_torch(x, t)
        ratios.append(a / b)
        print(f"  pair {i + 1}: ffn {a:.3f} s, PyTorch {b:.3f} s, ratio {a / b:.2f}", flush=True)
    print(f"  median ffn / PyTorch = {np.median(ratios):.2f} (target <= 0.75)")


def fast(x, t, xt, tt, seeds):
    s = ffn.PRESETS["fast"]
    print(f"\n== 3. Preset 'fast': {'-'.join(map(str, s.layer_sizes()))}, Adam lr {s.learning_rate:g} "
          f"{s.lr_schedule}, batch {s.batch_size}, {s.epochs:g} epochs, seeds 0-{len(seeds) - 1}")
    res = []
    for seed in seeds:
        tr = ffn.build_trainer(ffn.preset("fast", seed=seed), x, t)
        t0 = time.perf_counter()
        tr.step()
        res.append((time.perf_counter() - t0, tr.net.accuracy(xt, tt)))
        print(f"  seed {seed}: {res[-1][0]:.2f} s, test accuracy {res[-1][1]:.4f}", flush=True)
    secs, accs = zip(*res)
    print(f"  median {np.median(secs):.2f} s (target <= 2.5); test accuracy median {np.median(accs):.4f} "
          f"(target >= 0.980), min {min(accs):.4f} (target >= 0.979)")


def eval_floor(x, sizes, evals, chunk=5000):
    """The matrix products of ``evals`` forward passes over ``x``, into preallocated outputs."""
    rng = np.random.default_rng(0)
    Ws = [rng.standard_normal((a, b)).astype(np.float32) for a, b in zip(sizes, sizes[1:])]
    outs = [np.empty((chunk, s), np.float32) for s in sizes[1:]]
    t0 = time.perf_counter()
    for _ in range(evals):
        for s in range(0, len(x) - chunk + 1, chunk):
            h = x[s:s + chunk]
            for W, out in zip(Ws, outs):
                h = np.matmul(h, W, out=out)
    return time.perf_counter() - t0


def article(x, t, xt, tt, seeds):
    print("\n== 4. The article's run: 784-64-32-10, std 0.01, SGD lr 0.01, batch 200, 5000 iterations")
    t_onehot = np.eye(10, dtype=np.float32)[t]
    rows = []
    for seed in seeds:
        t0 = time.perf_counter()
        train_article(x, t_onehot, seed)
        base = time.perf_counter() - t0
        s = ffn.preset("article", seed=seed)
        same = ffn.build_trainer(s, x, t, eval_size=len(x))      # the full sets...
        same.eval_every = same.iter_per_epoch                       # ...every epoch, as the article
        t0 = time.perf_counter()
        same.step()
        ffn_same = time.perf_counter() - t0
        own = ffn.build_trainer(s, x, t, eval_size=2000, evals_per_run=25)
        t0 = time.perf_counter()
        own.step()
        ffn_own = time.perf_counter() - t0
        # The floor of the same work: its training steps' matrix products and those of its
        # evaluations (the whole 60,000 images, as many times as ffn measured them).
        n_evals = len(same.history["eval_iteration"])
        sizes = (784, 64, 32, 10)
        low = floor(5000, batch=200, sizes=sizes, repeats=1) + eval_floor(x, sizes, n_evals)
        rows.append((base, ffn_same, ffn_own, low))
        print(f"  seed {seed}: article code {base:6.2f} s | ffn, same evaluations {ffn_same:5.2f} s "
              f"({n_evals} of the full sets) | ffn, its own {ffn_own:5.2f} s | the same work's matrix "
              f"products alone {low:5.2f} s; test {same.net.accuracy(xt, tt):.4f}", flush=True)
    base, same, own, low = np.mean(rows, axis=0)
    print(f"  mean: article code {base:.2f} s; ffn {base / same:.1f}x faster doing the same work "
          f"(target >= 8x), {base / own:.1f}x with its own evaluations; "
          f"no engine can beat {base / low:.1f}x here, the article's time over the matrix products alone")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--pairs", type=int, default=5)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--skip-article", action="store_true")
    ap.add_argument("--skip-torch", action="store_true")
    args = ap.parse_args()
    (x, t), (xt, tt) = ffn.load_mnist()
    # Everything with the BLAS threads of ffn's runs: the floors, the article's code path, PyTorch.
    with threadpool_limits(THREADS, user_api="blas"):
        breakdown(x, t)
        if not args.skip_torch:
            versus_torch(x, t, args.pairs)
        fast(x, t, xt, tt, range(args.seeds))
        if not args.skip_article:
            article(x, t, xt, tt, range(min(args.seeds, 3)))


if __name__ == "__main__":
    main()
