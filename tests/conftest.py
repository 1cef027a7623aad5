import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


@pytest.fixture(scope="session")
def mnist():
    import ffn
    return ffn.load_mnist()


@pytest.fixture
def rng():
    return np.random.default_rng(0)
