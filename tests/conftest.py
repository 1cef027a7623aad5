"""Fixtures every test folder shares: MNIST, a seeded rng, the page in AppTest, a pool."""
import numpy as np
import pytest

from tests.support import APP


@pytest.fixture(scope="session")
def mnist():
    import ffn
    return ffn.load_mnist()


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture
def at():
    """The app in Streamlit's AppTest, run once: its first page, without an exception."""
    from streamlit.testing.v1 import AppTest
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    _a_fresh_class()
    return at


def _a_fresh_class():
    """Every AppTest session of this process shares one pool, which keeps finished runs for
    others to join: each test starts as a fresh class, whose Start trains."""
    from serve.seats import SharedRuns
    from ui.resources import training_pool
    pool = training_pool()
    with pool._lock:
        pool._shared = SharedRuns()


@pytest.fixture
def pool():
    """A training pool of one worker that reports every 0.05 s, shut down after the test."""
    from serve.pool import TrainingPool
    p = TrainingPool(workers=1, chunk=0.05)
    yield p
    p.shutdown()
