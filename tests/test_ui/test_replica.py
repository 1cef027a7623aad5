"""The notice for a student whom the balancer moved off a replica that died (ui/replica.py)."""
import pytest
from streamlit.testing.v1 import AppTest

from tests.support import APP
from ui import replica
from ui.replica import moved_from

MOVED = "The server restarted: your run was lost"


def test_moved_only_when_the_cookie_names_another_replica():
    assert moved_from({"ffn_replica": "r1"}, "r2")
    assert not moved_from({"ffn_replica": "r2"}, "r2")
    assert not moved_from({}, "r2")  # a new visitor
    assert not moved_from({"ffn_replica": "r1"}, None)  # the app alone, without a balancer


def _warnings(at):
    return [w.value for w in at.warning]


@pytest.mark.parametrize("cookie, shown", [("r1", True), ("r2", False), (None, False)])
def test_the_page_tells_a_moved_student_once_until_dismissed(monkeypatch, cookie, shown):
    monkeypatch.setenv("FFN_REPLICA", "r2")
    monkeypatch.setattr(replica, "browser_cookies", lambda: {"ffn_replica": cookie} if cookie else {})
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    assert any(MOVED in w for w in _warnings(at)) == shown
    if shown:
        at.button(key="moved_ok").click().run()
        assert not any(MOVED in w for w in _warnings(at))
        at.run()  # the cookie is read at the session's first run only
        assert not any(MOVED in w for w in _warnings(at))


def test_the_notice_is_in_chinese_on_a_chinese_page(monkeypatch):
    monkeypatch.setenv("FFN_REPLICA", "r2")
    monkeypatch.setattr(replica, "browser_cookies", lambda: {"ffn_replica": "r1"})
    at = AppTest.from_file(APP, default_timeout=60)
    at.query_params["lang"] = "zh"
    at.run()
    assert not at.exception
    assert not any(MOVED in w for w in _warnings(at))
    assert any("服务器重启了" in w for w in _warnings(at))
