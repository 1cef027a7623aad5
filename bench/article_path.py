"""The article's own path, timed here and at a reference commit (default 8dae029).

A student who follows the article builds ``ThreeLayerNet(784, 64, 10)`` (the article's
H = 64, so 784 -> 64 -> 32 -> 10; the network's own defaults otherwise: float32, ReLU,
weights drawn with std 0.01), and runs the article's loop: draw a batch of 200 images
(the article's ``batch_size``), ``grads = net.gradient(x_batch, t_batch)`` with one-hot
labels (the article loads them so), ``params[key] -= lr * grads[key]`` by hand (lr 0.01),
and ``net.accuracy(x, t)`` on whole sets. This bench times

- a step: ``net.gradient`` plus the by-hand update; the batch is drawn and gathered
  before the clock starts. Median over a few hundred steps, after a warm-up;
- ``net.accuracy(x_train, t_train)`` on all 60,000 training images, median of a few calls,

in this checkout and in a ``git worktree`` of the reference commit, each side in a fresh
Python whose working directory and PYTHONPATH are its checkout (so it imports that
checkout's ``ffn``), alternating A B B A ..., with the same MNIST files (this checkout's
``data/mnist``, passed to both loaders as ``directory``), the same environment (the
machine's OPENBLAS_* variables left as they are) and one BLAS thread on both sides
(threadpoolctl). The timing code uses only what both versions share:
``ThreeLayerNet(input_size, hidden_size, output_size, weight_init=, seed=)``, ``params``,
``gradient``, ``accuracy``, ``lastLayer.loss`` and ``load_mnist(one_hot_label=, directory=)``.
Each median is given in wall time and in the thread's CPU time (with one BLAS thread all
the work is done in it; CPU time leaves out what other processes take on a busy machine).

    python -m bench.article_path [--against 8dae029] [--repeats 5] [--hidden 64] [--batch 200]
                                 [--steps 400] [--acc-calls 7] [--seed 0]

Only the standard library and NumPy are imported at the top (``ffn`` and threadpoolctl in
the worker): the file is run as is by the reference side's Python, which must import that
side's ``ffn``.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data" / "mnist"
HIDDEN, BATCH, LR = 64, 200, 0.01  # the article's: ThreeLayerNet(784, 64, 10), batch_size 200, SGD lr 0.01
BLAS_THREADS = 1


def time_article_path(ffn, x, t, x_acc=None, t_acc=None, hidden=HIDDEN, batch=BATCH, lr=LR, steps=400,
                      warmup=20, acc_calls=7, seed=0, weight_init="std"):
    """Time the article's loop with the module ``ffn`` (whichever checkout's it is).

    ``x``, ``t``: the images and one-hot labels batches are drawn from; ``x_acc``, ``t_acc``:
    the set ``accuracy`` is timed on (default ``x``, ``t``). Returns a dict: ``step_ms``
    (median of ``steps`` steps after ``warmup`` untimed ones), ``acc_ms`` (median of
    ``acc_calls`` calls after one untimed call), ``step_cpu_ms`` and ``acc_cpu_ms`` (the same
    medians in this thread's CPU time: with one BLAS thread all the work is done in it, and
    time lost to other processes is left out), ``losses`` (each step's batch loss, warm-up
    included, as ``lastLayer.loss`` leaves it) and ``accuracy`` (the last call's value).
    """
    x_acc = x if x_acc is None else x_acc
    t_acc = t if t_acc is None else t_acc
    net = ffn.ThreeLayerNet(x.shape[1], hidden, t.shape[1], weight_init=weight_init, seed=seed)
    params = net.params
    rng = np.random.default_rng(seed)
    clock, cpu = time.perf_counter, time.thread_time
    step_s, step_c, losses = [], [], []
    for i in range(warmup + steps):
        mask = rng.integers(0, len(x), batch)  # with replacement, as np.random.choice in the article
        xb, tb = x[mask], t[mask]
        c0 = cpu()
        t0 = clock()
        grads = net.gradient(xb, tb)
        for key in params:
            params[key] -= lr * grads[key]
        t1 = clock()
        c1 = cpu()
        losses.append(float(net.lastLayer.loss))
        if i >= warmup:
            step_s.append(t1 - t0)
            step_c.append(c1 - c0)
    acc_s, acc_c = [], []
    for i in range(acc_calls + 1):
        c0 = cpu()
        t0 = clock()
        acc = net.accuracy(x_acc, t_acc)
        t1 = clock()
        c1 = cpu()
        if i:
            acc_s.append(t1 - t0)
            acc_c.append(c1 - c0)
    def ms(v):
        return 1e3 * statistics.median(v)
    return {"step_ms": ms(step_s), "acc_ms": ms(acc_s), "step_cpu_ms": ms(step_c), "acc_cpu_ms": ms(acc_c),
            "losses": losses, "accuracy": float(acc)}


def _worker(args):
    """One side's measurement in this process: prints one JSON line."""
    from threadpoolctl import threadpool_info, threadpool_limits

    import ffn
    (x, t), _ = ffn.load_mnist(one_hot_label=True, directory=args.data_dir)
    with threadpool_limits(limits=BLAS_THREADS, user_api="blas"):
        info = [{k: d.get(k) for k in ("internal_api", "version", "architecture", "threading_layer",
                                        "num_threads", "filepath")} for d in threadpool_info()]
        res = time_article_path(ffn, x, t, hidden=args.hidden, batch=args.batch, steps=args.steps,
                                acc_calls=args.acc_calls, seed=args.seed)
    res["losses"] = [res["losses"][0], res["losses"][-1]]
    res.update(ffn=str(Path(ffn.__file__).resolve()), blas=info, n=len(x), python=sys.version.split()[0],
               numpy=np.__version__)
    print(json.dumps(res))


def _run_side(root, args):
    """A fresh Python in ``root`` (its ``ffn``), running this file's worker; its JSON result."""
    env = dict(os.environ, PYTHONPATH=str(root))  # OPENBLAS_* and the rest as they are, the same for both
    # -c puts the working directory (root) first on sys.path; the file runs as __main__
    cmd = [sys.executable, "-c",
           "import runpy, sys; f = sys.argv[1]; sys.argv = sys.argv[1:]; "
           "runpy.run_path(f, run_name='__main__')",
           str(Path(__file__).resolve()), "--worker", "--data-dir", str(args.data_dir),
           "--hidden", str(args.hidden), "--batch", str(args.batch), "--steps", str(args.steps),
           "--acc-calls", str(args.acc_calls), "--seed", str(args.seed)]
    out = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True, check=False)
    if out.returncode:
        raise RuntimeError(f"the run in {root} failed:\n{out.stderr}")
    res = json.loads(out.stdout.strip().splitlines()[-1])
    if not res["ffn"].startswith(str(Path(root).resolve()) + os.sep):
        raise RuntimeError(f"the run in {root} imported {res['ffn']}, not its own ffn")
    return res


def _spread(values, fmt="{:.3f}"):
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}-{fmt.format(max(values))})"


def _load():
    try:
        return os.getloadavg()
    except OSError:
        return None


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--against", default="8dae029", help="the reference commit (default 8dae029)")
    p.add_argument("--repeats", type=int, default=5, help="processes per side (default 5)")
    p.add_argument("--hidden", type=int, default=HIDDEN, help=f"H (default {HIDDEN}, the article's)")
    p.add_argument("--batch", type=int, default=BATCH, help=f"batch size (default {BATCH}, the article's)")
    p.add_argument("--steps", type=int, default=400, help="timed steps per process (default 400)")
    p.add_argument("--acc-calls", type=int, default=7, help="timed accuracy calls per process (default 7)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data-dir", type=Path, default=DATA_DIR, help=argparse.SUPPRESS)
    p.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        return _worker(args)

    commit = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", f"{args.against}^{{commit}}"],
                            capture_output=True, text=True, check=True).stdout.strip()
    head = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
                          capture_output=True, text=True, check=True).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(ROOT), "status", "--porcelain", "--", "ffn"],
                           capture_output=True, text=True, check=True).stdout.strip()
    blas_env = {k: v for k, v in sorted(os.environ.items()) if k.startswith(("OPENBLAS", "OMP_", "MKL_"))}
    print(f"The article's path: ThreeLayerNet(784, {args.hidden}, 10) float32, std 0.01; "
          f"batch {args.batch} one-hot, lr {LR}; a step = gradient + update by hand; "
          f"accuracy on all training images")
    print(f"now = {head}{' + uncommitted changes in ffn/' if dirty else ''} ({ROOT}), ref = {commit}; "
          f"{args.repeats} processes a side, order A B B A ..., {args.steps} steps and {args.acc_calls} "
          f"accuracy calls each; BLAS threads pinned to {BLAS_THREADS} (threadpoolctl) on both sides")
    print(f"environment, the same for both: {blas_env or 'no OPENBLAS_/OMP_/MKL_ variables set'}")
    print(f"load average before: {_load()}")

    tmp = tempfile.mkdtemp(prefix="ffn-ref-")
    ref_root = Path(tmp) / commit
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", "--quiet", str(ref_root), commit],
                   check=True)
    results = {"now": [], "ref": []}
    try:
        sides = {"now": ROOT, "ref": ref_root}
        for r in range(args.repeats):
            order = ("now", "ref") if r % 2 == 0 else ("ref", "now")
            for side in order:
                results[side].append(_run_side(sides[side], args))
            a, b = results["now"][-1], results["ref"][-1]
            print(f"  repeat {r + 1} ({order[0]} first): step now {a['step_ms']:.3f} ms, "
                  f"ref {b['step_ms']:.3f} ms; accuracy now {a['acc_ms']:.1f} ms, "
                  f"ref {b['acc_ms']:.1f} ms; load {_load()[0]:.2f}",
                  flush=True)
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(ref_root)], check=False)
        try:
            os.rmdir(tmp)
        except OSError:
            pass
    print(f"load average after: {_load()}")

    now, ref = results["now"], results["ref"]
    if now[0]["blas"] != ref[0]["blas"]:
        print(f"WARNING: the two sides' BLAS differ: now {now[0]['blas']}, ref {ref[0]['blas']}")
    for info in now[0]["blas"]:
        print(f"threadpoolctl: {info['internal_api']} {info['version']}, kernel {info['architecture']}, "
              f"{info['threading_layer']}, {info['num_threads']} thread(s) while timed; {info['filepath']}")
    print(f"Python {now[0]['python']}, NumPy {now[0]['numpy']}; {now[0]['n']} training images; "
          f"loss over a process's {20 + args.steps} steps: now {now[0]['losses'][0]:.4f} -> "
          f"{now[0]['losses'][1]:.4f}, ref {ref[0]['losses'][0]:.4f} -> {ref[0]['losses'][1]:.4f}")
    print()
    print("| median (min-max) over processes | now | ref " + commit + " | now / ref |")
    print("|---|---|---|---|")
    n = f"{now[0]['n']:,}"
    for key, label, fmt in (("step_ms", f"ms a step (batch {args.batch}), wall", "{:.3f}"),
                            ("acc_ms", f"ms for accuracy on {n} images, wall", "{:.1f}"),
                            ("step_cpu_ms", "ms a step, CPU (this thread)", "{:.3f}"),
                            ("acc_cpu_ms", f"ms for accuracy on {n} images, CPU", "{:.1f}")):
        a, b = [x[key] for x in now], [x[key] for x in ref]
        ratios = [x / y for x, y in zip(a, b)]
        print(f"| {label} | {_spread(a, fmt)} | {_spread(b, fmt)} | {_spread(ratios)} |")
    print("(each process's figure is its median over steps or calls; now / ref is the median of the "
          "repeats' ratios, with their range)")
    return results


if __name__ == "__main__":
    main()
