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


def test_a_session_that_leaves_and_stays_away_is_ended_once():
    import time

    from ffn.poolrun import GracePeriod
    ended = []
    grace = GracePeriod(ended.append, seconds=0.2)
    grace.left("a")
    grace.left("b")
    time.sleep(0.05)
    grace.back("b")     # a reconnect within the grace period keeps its run
    grace.left("c")
    grace.left("c")     # leaving twice counts once
    time.sleep(0.5)
    assert sorted(ended) == ["a", "c"]
