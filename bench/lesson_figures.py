"""The figures the README's presets and lessons quote, as the app trains them.

    python -m bench.lesson_figures

Each run is built as the app's worker builds it (``ui.run.app_job``'s limits and accuracy
subsets, ``ffn.settings.build_trainer``) and computes with one BLAS thread, as every run
does (``ffn.threads``). So the app, ``python -m ffn.train`` and this script give the same
bits for the same settings and seed: the default preset is trained twice, under its
caller's 1 and 2 BLAS threads, to show it. Test accuracy is on MNIST's 10,000 test images.
"""
import numpy as np
from threadpoolctl import threadpool_limits

import ffn
from ui.run import APP_LIMITS, EVAL_SIZE, EVALS_PER_RUN

LESSONS = {  # name -> (preset, changes), as the README's tables say to press them
    "Article's exact settings": ("article", {}),
    "Article's network, He init (default)": ("article_he", {}),
    "ReLU against Sigmoid: Sigmoid": ("article_he", {"activation": "sigmoid"}),
    "SGD against Adam: Adam lr 0.001": ("article_he", {"optimizer": "adam", "learning_rate": 0.001}),
}


def train(preset, seed=0, **changes):
    (x, t), (xt, tt) = ffn.load_mnist()
    tr = ffn.build_trainer(ffn.preset(preset, seed=seed, **changes), x, t, limits=APP_LIMITS,
                           eval_size=EVAL_SIZE, evals_per_run=EVALS_PER_RUN)
    tr.step()
    final = tr.final_accuracy(xt, tt)
    h = tr.history
    to_90 = next((i for i, a in zip(h["eval_iteration"], h["valid_acc"]) if a >= 0.9), None)
    return final["test"], to_90, tr.train_seconds, tr.net.state_vector


def main():
    with threadpool_limits(1, user_api="blas"):
        one = train("article_he")
    with threadpool_limits(2, user_api="blas"):
        two = train("article_he")
    print(f"default preset, seed 0, its caller's 1 and 2 BLAS threads: test {one[0]:.2%} and {two[0]:.2%}; "
          f"weights identical: {'yes' if np.array_equal(one[3], two[3]) else 'NO'}")
    for name, (preset, changes) in LESSONS.items():
        acc, to_90, seconds, _w = train(preset, **changes)
        print(f"{name}: test {acc:.2%}, 90 % validation accuracy at iteration {to_90}, "
              f"{seconds:.1f} s of training")
    accs, secs = [], []
    for seed in range(5):
        acc, _to, seconds, _w = train("fast", seed=seed)
        accs.append(acc)
        secs.append(seconds)
        print(f"  fast, seed {seed}: test {acc:.2%}, {seconds:.2f} s of training")
    print(f"Fast and accurate, seeds 0-4: test median {np.median(accs):.2%} (min {min(accs):.2%}), training "
          f"median {np.median(secs):.2f} s")


if __name__ == "__main__":
    main()
