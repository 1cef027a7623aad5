"""bench/article_path.py's timing function, on this checkout only and at tiny sizes: it returns
sane figures and its loop trains. Nothing here asserts a time."""
import math

import numpy as np

import ffn
from bench.article_path import time_article_path


def test_timing_returns_positive_figures_and_the_loop_trains(mnist):
    (x, t), (x_test, t_test) = mnist
    x, t = x[:2000], np.eye(10, dtype=x.dtype)[t[:2000]]  # one-hot, as the article loads them
    t_test = np.eye(10, dtype=x.dtype)[t_test[:500]]
    # He's init and lr 0.1: the article's own (std 0.01, lr 0.01) barely moves the loss in a few steps
    res = time_article_path(ffn, x, t, x_test[:500], t_test, hidden=32, batch=32, lr=0.1, steps=150,
                            warmup=5, acc_calls=3, weight_init="he")
    for key in ("step_ms", "acc_ms", "step_cpu_ms", "acc_cpu_ms"):
        assert math.isfinite(res[key]) and 0 < res[key] < 10_000, (key, res[key])
    losses = res["losses"]
    assert len(losses) == 155 and all(math.isfinite(v) for v in losses)
    first, last = sum(losses[:10]) / 10, sum(losses[-10:]) / 10
    assert last < 0.7 * first, (first, last)  # the by-hand update reaches the network's layers
    assert res["accuracy"] > 0.5  # held-out images, far above chance (0.1)
