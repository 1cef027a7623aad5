import numpy as np
import pytest


@pytest.fixture(scope="session")
def mnist():
    import ffn
    return ffn.load_mnist()


@pytest.fixture
def rng():
    return np.random.default_rng(0)
