"""The queue's wait estimate."""
import pytest

from ffn.poolrun import estimate_wait


@pytest.mark.parametrize("busy_left, ahead, wait", [
    ([0.0], [], 0.0),                 # an idle worker: no wait
    ([5.0], [], 5.0),                 # the run in progress ends
    ([5.0], [3.0, 4.0], 12.0),        # ... then the two ahead of it
    ([5.0, 1.0], [3.0], 4.0),         # the one ahead takes the worker free first (at 1 s)
    ([5.0, 1.0], [3.0, 2.0], 5.0),    # 1+3=4, then 5: both workers busy until 4 and 5
])
def test_estimate_wait(busy_left, ahead, wait):
    assert estimate_wait(busy_left, ahead) == pytest.approx(wait)
