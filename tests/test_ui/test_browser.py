"""The browser a session is in, from Streamlit's XSRF cookie, the same in all its tabs."""
import pytest

from ui.browser import COOKIE, browser_name, token_of

# Two tabs of one Chromium, as Streamlit 1.x's Tornado wrote the cookie to each: a new mask
# every time, the same token under it.
TAB_1 = "2|746cc406|06bdd96ea44955e857adf47ec09c2691|1796521168"
TAB_2 = "2|f9297ce3|8bf8618b290ced0ddae84c9b4dd99e74|1796521168"


def test_two_tabs_of_one_browser_have_one_name_and_another_browser_another():
    assert token_of(TAB_1) == token_of(TAB_2) and len(token_of(TAB_1)) == 16
    assert browser_name({COOKIE: TAB_1}) == browser_name({COOKIE: TAB_2})
    other = "2|746cc406|16bdd96ea44955e857adf47ec09c2691|1796521168"
    assert browser_name({COOKIE: other}) != browser_name({COOKIE: TAB_1})
    secret, name = token_of(TAB_1).hex(), browser_name({COOKIE: TAB_1})
    assert not any(secret[i:i + 6] in name for i in range(len(secret) - 5))  # no part of the secret


@pytest.mark.parametrize("cookie", [None, "", "2|zz|00|1", "2|746cc406||1", "2|1|2", "not hex", "3|a|b|c|d"])
def test_no_cookie_or_a_malformed_one_names_no_browser(cookie):
    assert browser_name({COOKIE: cookie} if cookie is not None else {}) is None
