from pathlib import Path

import numpy as np
import pytest

APP = str(Path(__file__).resolve().parent.parent / "app.py")


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
    return at
