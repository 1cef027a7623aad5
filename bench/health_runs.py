"""The article's initialisation against He's, as the Gradients chart shows them.

    python -m bench.health_runs [--seeds 0 1 2]

Runs the presets 'article' (std 0.01, SGD lr 0.01) and 'article_he' (He, lr 0.1) as the
app's worker builds them, and prints layer 1's gradient norm ||dW1|| and update-to-weight
ratio at the first iteration and around iteration 500 (when the app calls a run
stalled), the ratio He / article, the dead units and the activation spread. The stall
message's words ("a hundred times larger or more") and the tiles' caption rest on these.
"""
import argparse
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before NumPy loads
import numpy as np

import ffn
from ui.run import APP_LIMITS, EVAL_SIZE, EVALS_PER_RUN


def at(history, key, iteration):
    """The point of series ``key`` nearest to ``iteration``."""
    i = int(np.argmin(np.abs(np.asarray(history["health_iteration"]) - iteration)))
    return history["health_iteration"][i], history[key][i]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = ap.parse_args()
    data, _ = ffn.load_mnist()
    print(f"{'seed':<5}{'preset':<12}{'|dW1| it 1':>11}{'|dW1| ~500':>11}{'dW/W ~500':>11}"
          f"  {'act std ~500':<18}{'dead ~500':<18}{'loss last 100':>14}")
    ratios = {1: [], 500: []}
    for seed in args.seeds:
        g = {}
        for preset in ("article", "article_he"):
            tr = ffn.build_trainer(ffn.preset(preset, seed=seed), *data, limits=APP_LIMITS,
                                   eval_size=EVAL_SIZE, evals_per_run=EVALS_PER_RUN)
            tr.step()
            h = tr.history
            first = h["grad_norm"][0][0]
            it, mid = at(h, "grad_norm", 500)
            g[preset] = (first, mid[0])
            ratio = at(h, "update_ratio", 500)[1][0]
            spread = [round(v, 3) for v in at(h, "act_std", 500)[1]]
            dead = [round(v, 3) for v in at(h, "inactive", 500)[1]]
            print(f"{seed:<5}{preset:<12}{first:>11.2e}{mid[0]:>11.2e}{ratio:>11.1e}"
                  f"  {str(spread):<18}{str(dead):<18}{np.mean(h['loss'][-100:]):>14.3f}")
        ratios[1].append(g["article_he"][0] / g["article"][0])
        ratios[500].append(g["article_he"][1] / g["article"][1])
    for k, v in ratios.items():
        print(f"layer 1's gradient, He / article, near iteration {k}: " + ", ".join(f"{r:.0f}x" for r in v))


if __name__ == "__main__":
    main()
