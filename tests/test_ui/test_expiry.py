"""ui/expiry.py without a server: whatever takes sessions out of Streamlit's store for their
age has them shut down, one failure leaving the others to theirs (the real server:
tests/test_app/test_expiry.py)."""
import types

from ui import expiry


class Session:
    def __init__(self, fails=False):
        self.fails, self.shut = fails, 0

    def shutdown(self):
        self.shut += 1
        if self.fails:
            raise RuntimeError("a session that breaks on the way out")


def test_sessions_streamlit_expires_itself_are_shut_down_once_each_even_if_one_fails():
    sessions = [Session(), Session(fails=True), Session()]
    expired = [[(str(i), types.SimpleNamespace(session=s)) for i, s in enumerate(sessions)], []]
    store = types.SimpleNamespace(expire=lambda at_time=None: expired.pop(0))
    loop = types.SimpleNamespace(call_soon_threadsafe=lambda f, *args: f(*args))  # the loop runs it at once
    expiry._shut_down_what_expires(store, loop)
    expiry._shut_down_what_expires(store, loop)  # installed once, not twice
    gone = store.expire()  # as Streamlit's store does when it next saves a session
    assert [s for _i, info in gone for s in [info.session]] == sessions
    assert [s.shut for s in sessions] == [1, 1, 1]  # the failing one did not stop the third
    assert store.expire() == [] and [s.shut for s in sessions] == [1, 1, 1]


def test_without_a_running_server_nothing_is_expired():
    assert expiry.expire() is False
