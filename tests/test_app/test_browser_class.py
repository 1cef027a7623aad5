"""A class in real browsers: two tabs of one browser get one run (Streamlit's XSRF cookie
names the browser), and another browser that starts the same run joins it."""
import pytest

from tests.support.browser import require_chromium

playwright = pytest.importorskip("playwright.sync_api")

require_chromium()


def open_link(context, url):
    page = context.new_page()
    page.set_viewport_size({"width": 1400, "height": 1000})
    page.goto(url)
    page.get_by_text("Hyperparameters", exact=True).wait_for(timeout=30000)
    return page


def start(page):
    page.locator(".st-key-start button >> visible=true").click()


@pytest.mark.timeout(180)
def test_two_tabs_of_one_browser_get_one_run_and_another_browser_joins_it(app_url, browser):
    link = f"{app_url}/?tab=train&iters=5000&seed="
    student = browser.new_context()
    tab1 = open_link(student, link + "2811")
    start(tab1)
    tab1.get_by_text("iteration").first.wait_for(timeout=30000)
    tab2 = open_link(student, link + "2812")  # the same browser, another run
    start(tab2)
    tab2.get_by_text("Another tab of this browser already has a run").wait_for(timeout=15000)
    assert tab2.get_by_text("Waiting for the first points").count() == 0  # no run began
    neighbour = open_link(browser.new_context(), link + "2811")  # another browser, the same run
    start(neighbour)
    neighbour.get_by_text("Training once for 2 students with these settings").wait_for(timeout=30000)
    tab1.get_by_text("Training once for 2 students with these settings").wait_for(timeout=30000)
    for page in (tab1, neighbour):
        page.locator(".st-key-reset button >> visible=true").click()
