"""The grace period: how long a session that disconnected keeps its runs."""
import threading

GRACE_SECONDS = 45.0  # a session that disconnects keeps its run this long (a phone asleep, a dropped network)


class GracePeriod:
    """Ends a session's runs some seconds after the session leaves, unless it comes back.

    A phone that sleeps or a network that drops for a moment disconnects a session
    without ending it; a reconnect within ``seconds`` keeps its run.

    Parameters
    ----------
    end : callable
        ``end(session)``, called once the grace period has passed (the pool's
        ``end_session``).
    seconds : float
    timer : callable, optional
        ``timer(seconds, function, args)`` returning an object with ``start`` and ``cancel``:
        a daemon :class:`threading.Timer` by default; a test gives one it fires itself.
    """

    def __init__(self, end, seconds=GRACE_SECONDS, timer=None):
        self.end = end
        self.seconds = seconds
        self.timer = _daemon_timer if timer is None else timer
        self._timers = {}  # session -> (token, timer): the latest departure decides
        self._lock = threading.Lock()

    def left(self, session):
        """The session disconnected: end its runs in ``seconds`` unless :meth:`back` is called."""
        token = object()
        timer = self.timer(self.seconds, self._expire, args=(session, token))
        with self._lock:
            old = self._timers.pop(session, None)
            self._timers[session] = (token, timer)
        if old is not None:
            old[1].cancel()
        timer.start()

    def away(self, session):
        """Whether ``session`` has left and its grace period runs."""
        with self._lock:
            return session in self._timers

    def back(self, session):
        """The session is here (a script run): keep its runs."""
        with self._lock:
            old = self._timers.pop(session, None)
        if old is not None:
            old[1].cancel()

    def _expire(self, session, token):
        with self._lock:
            latest = self._timers.get(session)
            if latest is None or latest[0] is not token:
                return  # it came back, or left again later: a newer timer decides
            del self._timers[session]
        self.end(session)


def _daemon_timer(seconds, function, args):
    timer = threading.Timer(seconds, function, args=args)
    timer.daemon = True  # a server that stops does not wait for it
    return timer
