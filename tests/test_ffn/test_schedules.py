import pytest

from ffn.schedules import learning_rate


def test_constant_step_and_cosine():
    assert learning_rate("constant", 0.1, 500, 1000) == 0.1
    assert learning_rate("step", 0.1, 0, 900) == pytest.approx(0.1)
    assert learning_rate("step", 0.1, 300, 900) == pytest.approx(0.01)
    assert learning_rate("step", 0.1, 50, 900, step_every=25, gamma=0.5) == pytest.approx(0.025)
    assert learning_rate("cosine", 0.1, 0, 100) == pytest.approx(0.1)
    assert learning_rate("cosine", 0.1, 50, 100) == pytest.approx(0.05)
    assert learning_rate("cosine", 0.1, 100, 100) == pytest.approx(0.0)


def test_unknown_schedule_is_refused():
    with pytest.raises(ValueError, match="'linear'"):
        learning_rate("linear", 0.1, 0, 10)
