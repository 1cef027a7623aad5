"""The memory of the five runs a session keeps, at the largest the app allows.

    python -m bench.kept_memory

Each kept run is as large as the app's caps make it: the network 784-512-256-10 (535,818
weights), a history of 20,000 iterations (the most a run may have) with 25 evaluations
and its gradient-health points, the first layer's starting tiles. The history comes from
a real trainer's series (a short run of that network), stretched to 20,000 iterations.
tracemalloc counts what five kept runs hold in the server (a handle to the model's file in
the pool's folder, the compacted and thinned history, the tiles), against the same runs
kept with their history as the worker's lists and their network in memory (as before
issue 30).
"""
import argparse
import tracemalloc

import ffn
from ffn.health import first_layer
from serve.files import FileStore
from ui.kept import MAX_KEPT, KeptRun, compact

ITERS = 20000


def history(tr):
    """A 20,000-iteration history shaped like ``tr``'s (lists of Python numbers, as reported)."""
    h = tr.history
    reps = ITERS // len(h["loss"]) + 1
    out = {"iteration": list(range(1, ITERS + 1)), "loss": [float(v) for v in (h["loss"] * reps)[:ITERS]]}
    for key in ("eval_iteration", "epoch", "train_acc", "valid_acc"):
        out[key] = [float(v) for v in (h[key] * 2)[:25]]
    n = len(h["health_iteration"])
    for key in ("health_iteration", "health_seconds", "grad_norm", "update_ratio", "inactive",
                "act_mean", "act_std"):
        out[key] = [h[key][i % n] for i in range(130)]
    return out


def measure(make):
    tracemalloc.start()
    before = tracemalloc.take_snapshot()
    runs = [make(k) for k in range(MAX_KEPT)]
    after = tracemalloc.take_snapshot()
    tracemalloc.stop()
    size = sum(s.size_diff for s in after.compare_to(before, "filename"))
    return runs, size / 2**20


def main():
    argparse.ArgumentParser(description=__doc__.split("\n")[0]).parse_args()  # no options: --help
    (x, t), _ = ffn.load_mnist()
    s = ffn.preset("article_he", hidden_size=512, iters=200, batch_size=64)
    tr = ffn.build_trainer(s, x, t, eval_size=500, evals_per_run=10)
    tr.step()
    model = ffn.model_bytes(tr.net)
    store = FileStore("ffn-bench-")
    files = [store.put(model) for _k in range(MAX_KEPT)]  # the pool writes them when the runs end

    def kept(k, pack=True):
        h = history(tr)
        if pack:  # now: a handle to its file, the history compacted
            return KeptRun(k + 1, s, compact(h), {"test": 0.9}, ("finished", {}), 30.0, files[k],
                           first_layer(tr.net))
        net = ffn.load_model(model)  # before: its own network, and the history as lists
        return (h, net, first_layer(net))
    _runs, packed = measure(kept)
    _runs, lists = measure(lambda k: kept(k, pack=False))
    store.close()
    weights = sum(p.nbytes for p in tr.net.params.values()) / 2**20
    print(f"{MAX_KEPT} kept runs of 784-512-256-10 ({weights:.2f} MB of weights each), "
          f"{ITERS:,} iterations each:")
    print(f"  now (a model file's handle, the history thinned): {packed:.2f} MB in all, "
          f"{packed / MAX_KEPT:.2f} MB a run")
    print(f"  before (a network each, the history as lists): {lists:.1f} MB in all, "
          f"{lists / MAX_KEPT:.2f} MB a run")


if __name__ == "__main__":
    main()
