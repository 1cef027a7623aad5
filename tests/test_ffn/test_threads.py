"""Same settings, same numbers: a run's weights do not depend on the BLAS threads it was given."""
import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

import ffn
from ffn import threads
from ffn.settings import build_trainer
from tests.support.blas import skip_unless_threads_change_bits


def _blas_threads():
    return [d["num_threads"] for d in threadpool_info() if d["user_api"] == "blas"]


def _run(x, t, outer_threads):
    """The 'fast' preset's first 40 iterations (batch 256: its products split over threads),
    under ``outer_threads`` BLAS threads set by the caller; its weights and final figures."""
    with threadpool_limits(outer_threads, user_api="blas"):
        tr = build_trainer(ffn.preset("fast", iters=40), x, t, eval_size=500)
        tr.step()
        final = tr.final_accuracy(x[:2000], t[:2000])
    return tr.net.state_vector.copy(), final


@pytest.mark.timeout(120)
def test_a_run_gives_the_same_bits_with_one_blas_thread_or_two(mnist):
    (x, t), _test = mnist
    x, t = x[:10000], t[:10000]
    skip_unless_threads_change_bits()
    w1, f1 = _run(x, t, 1)
    w2, f2 = _run(x, t, 2)
    np.testing.assert_array_equal(w1, w2)
    assert f1 == f2


def test_run_threads_counts_nested_and_concurrent_runs_and_restores_the_count():
    with threadpool_limits(2, user_api="blas"):
        before = _blas_threads()
        with threads.run_threads():
            assert set(_blas_threads()) == {threads.RUN_THREADS}
            with threads.run_threads():  # a second run, in this thread or another
                pass
            assert set(_blas_threads()) == {threads.RUN_THREADS}  # the first still computes: still one
        assert _blas_threads() == before
