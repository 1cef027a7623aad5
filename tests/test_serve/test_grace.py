"""The grace period: a session that leaves and stays away has its runs ended, once."""
import threading

from serve.grace import GracePeriod


class Timers(list):
    """Timers that fire when the test says, in the order they were made."""

    def __call__(self, seconds, function, args):
        timer = Timer(seconds, function, args)
        self.append(timer)
        return timer


class Timer:
    def __init__(self, seconds, function, args):
        self.seconds = seconds
        self.function = function
        self.args = args
        self.started = False
        self.cancelled = False

    def start(self):
        self.started = True

    def cancel(self):
        self.cancelled = True

    def fire(self):
        """The grace period has passed: what a threading.Timer does, cancelled or not."""
        if self.started and not self.cancelled:
            self.function(*self.args)


def test_a_session_that_leaves_and_stays_away_is_ended_once():
    ended = []
    timers = Timers()
    grace = GracePeriod(ended.append, seconds=45.0, timer=timers)
    grace.left("a")
    grace.left("b")
    grace.back("b")     # a reconnect within the grace period keeps its run
    grace.left("c")
    grace.left("c")     # leaving twice counts once
    assert [t.args[0] for t in timers] == ["a", "b", "c", "c"] and {t.seconds for t in timers} == {45.0}
    assert [t.cancelled for t in timers] == [False, True, True, False]
    for t in timers:
        t.fire()
    assert ended == ["a", "c"]


def test_a_timer_that_fires_after_a_newer_departure_ends_nothing():
    """A cancel can come too late (the timer's thread is already running): the newer timer decides."""
    ended = []
    timers = Timers()
    grace = GracePeriod(ended.append, timer=timers)
    grace.left("a")
    grace.left("a")
    timers[0].function(*timers[0].args)  # the first timer fired as it was being cancelled
    assert ended == []
    grace.back("a")
    timers[1].function(*timers[1].args)  # so did the second, as the session came back
    assert ended == []


def test_the_real_timer_ends_a_session_on_its_own():
    ended = threading.Event()
    grace = GracePeriod(lambda session: ended.set(), seconds=0.01)
    grace.left("a")
    assert ended.wait(30)
