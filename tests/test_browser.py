"""The app in headless Chromium: draw with the mouse, read the prediction; train and stop."""
import os
import re
from pathlib import Path

import pytest

from browser import CHROMIUM, CHROMIUM_ARGS, draw, streamlit_app

playwright = pytest.importorskip("playwright.sync_api")

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError(f"{CHROMIUM} is missing: .ci/run must install Debian's chromium")
    pytest.skip(f"no browser at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)

SEVEN = [[(50, 50), (230, 50), (110, 250)]]
ONE = [[(130, 30), (145, 140), (150, 250)]]  # a hand is never exactly vertical (fabric drops zero-width paths)


@pytest.fixture(scope="module")
def app_url():
    with streamlit_app() as url:
        yield url


@pytest.fixture
def page(app_url):
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.goto(app_url)
        page.get_by_text("Hyperparameters").wait_for(timeout=30000)
        yield page
        browser.close()


def prediction(page, timeout=15000):
    metric = page.get_by_test_id("stMetric").filter(has_text="Prediction")
    metric.wait_for(timeout=timeout)
    return metric.get_by_test_id("stMetricValue").inner_text().strip()


def test_draw_a_digit_and_read_the_prediction(page, tmp_path):
    page.get_by_role("tab", name="Draw").click()
    page.get_by_text("The canvas is empty").wait_for(timeout=30000)
    draw(page, SEVEN)
    assert prediction(page) == "7"
    page.get_by_test_id("stMetric").filter(has_text="confident").wait_for()
    page.get_by_text("Softmax probabilities").wait_for()
    page.screenshot(path=str(tmp_path / "draw.png"), full_page=True)
    assert (tmp_path / "draw.png").stat().st_size > 10000

    page.get_by_test_id("stTabs").get_by_role("button", name="Clear").click()
    page.get_by_text("The canvas is empty").wait_for(timeout=15000)
    page.wait_for_timeout(500)  # the canvas empties itself when its new (empty) drawing arrives
    draw(page, ONE)
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stMetric"]')]
                 .some(m => m.innerText.includes('Prediction') && /\\b1\\b/.test(m.querySelector('[data-testid="stMetricValue"]').innerText))""",
        timeout=15000)
    assert prediction(page) == "1"


def test_train_see_the_chart_and_stop(page, tmp_path):
    page.get_by_test_id("stTabs").get_by_role("button", name="Start").click()
    page.get_by_text("Loss").first.wait_for(timeout=30000)
    page.locator(".js-plotly-plot").first.wait_for(timeout=30000)
    page.get_by_text(re.compile(r"iteration [\d,]+ / 5,000")).wait_for(timeout=30000)
    page.get_by_test_id("stTabs").get_by_role("button", name="Stop").click()
    page.get_by_text("Stopped by you").wait_for(timeout=15000)
    page.get_by_text("Test accuracy (10,000 images)").wait_for(timeout=30000)
    page.screenshot(path=str(tmp_path / "train.png"), full_page=True)
    assert page.get_by_test_id("stTabs").get_by_role("button", name="Start").is_enabled()
