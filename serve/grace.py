"""The grace period a disconnected session keeps its run for."""
import threading


class GracePeriod:
    """Ends a session's run some seconds after the session leaves, unless it comes back.

    A phone that sleeps or a network that drops for a moment disconnects a session
    without ending it; a reconnect within ``seconds`` keeps its run.

    Parameters
    ----------
    end : callable
        ``end(session)``, called once the grace period has passed (the pool's
        ``end_session``).
    seconds : float
    """

    def __init__(self, end, seconds=45.0):
        self.end, self.seconds = end, seconds
        self._timers = {}
        self._lock = threading.Lock()

    def left(self, session):
        """The session disconnected: end its run in ``seconds`` unless :meth:`back` is called."""
        timer = threading.Timer(self.seconds, self._expire, args=(session,))
        timer.daemon = True
        with self._lock:
            old = self._timers.pop(session, None)
            self._timers[session] = timer
        if old is not None:
            old.cancel()
        timer.start()

    def back(self, session):
        """The session is here (a script run): keep its run."""
        with self._lock:
            timer = self._timers.pop(session, None)
        if timer is not None:
            timer.cancel()

    def _expire(self, session):
        with self._lock:
            timer = self._timers.get(session)
            if timer is None or timer is not threading.current_thread():
                return  # it came back, or left again later: a newer timer decides
            del self._timers[session]
        self.end(session)
