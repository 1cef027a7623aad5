"""Whether this machine's BLAS gives other bits with two threads than with one: a test of the
same-bits guarantee (ffn.threads) could not fail where it does not, so it skips there."""
import numpy as np
import pytest
from threadpoolctl import threadpool_limits


def skip_unless_threads_change_bits():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 784)).astype(np.float32)
    w = rng.standard_normal((784, 256)).astype(np.float32)
    with threadpool_limits(1, user_api="blas"):
        one = x @ w
    with threadpool_limits(2, user_api="blas"):
        two = x @ w
    if np.array_equal(one, two):
        pytest.skip("this machine's BLAS gives the same bits with one thread and two")
