"""One BLAS thread for everything a run computes: the same settings give the same bits.

A matrix product split over two BLAS threads adds its partial sums in another order than
one thread does, and the last bits of the weights differ; over a run they grow into a
different test accuracy (97.22 % against 97.29 % for one preset and seed). Which count
a run got used to depend on the machine's load. So a run computes with exactly
:data:`RUN_THREADS` BLAS threads, wherever it trains: the library's :class:`~ffn.Trainer`,
a worker of the app's pool, the command line. ``python -m bench.blas_threads`` measures
what it costs a lone run (1.15-1.48x on a 2-core machine) and that it is the fix.

OpenBLAS as NumPy ships it (0.3.31) takes a thread count only from the process's main
thread: set from another thread, it is ignored. A run stepped in the main thread (the
command line, a script, a worker of the pool) gets its one thread; one stepped from
another thread computes with the count the main thread last set, and this module warns
once when that is not one. Set it there first (``threadpoolctl.threadpool_limits(1)``)
to drive runs from threads with the same bits.

The same bits are those of one machine's kind: another CPU, or another BLAS build, may
round differently (replicas on different hardware can end a few hundredths of a percent
apart).
"""
import contextlib
import threading
import warnings

from threadpoolctl import ThreadpoolController

RUN_THREADS = 1

_controller = None
_lock = threading.Lock()  # held while the count of runs, and the limit, change


def _blas():
    """threadpoolctl's view of the BLAS libraries loaded (NumPy's), made once: it scans them."""
    global _controller
    if _controller is None:
        _controller = ThreadpoolController()
    return _controller


_depth = 0        # runs computing now, in any thread of this process
_limiter = None   # threadpoolctl's limit while any does


@contextlib.contextmanager
def run_threads():
    """Within it, BLAS uses :data:`RUN_THREADS` threads; the count before is restored once
    no run in this process computes.

    threadpoolctl's limit is process-wide, so it is counted: a run that ends in one thread
    does not give another run, still computing in another, two threads. A thread computing
    beside a run (a page's prediction) gets one BLAS thread meanwhile too, which costs it
    time but no bits.
    """
    global _depth, _limiter
    with _lock:
        if _depth == 0:
            _limiter = _blas().limit(limits=RUN_THREADS, user_api="blas")
            _check_taken()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                _limiter.restore_original_limits()
                _limiter = None


_warned = False


def _check_taken():
    """Warn once if BLAS did not take the count (it was set from a thread other than the main one)."""
    global _warned
    counts = {lib.num_threads for lib in _blas().select(user_api="blas").lib_controllers}
    if RUN_THREADS is not None and counts - {RUN_THREADS} and not _warned:
        _warned = True
        warnings.warn(f"BLAS kept {sorted(counts)} thread(s), not {RUN_THREADS}: a run's last bits may "
                      f"depend on the thread count. Set it from the main thread "
                      f"(threadpoolctl.threadpool_limits(1)) to drive runs from other threads.",
                      RuntimeWarning, stacklevel=4)
