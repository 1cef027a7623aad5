"""A lesson in a link in headless Chromium: the link's settings and tab, a drawing read;
a finger drawing on a phone without scrolling the page (presenter mode and the phone's layout:
test_browser_layout.py)."""


import pytest

from tests.support.browser import SEVEN, TWO, draw, draw_touch, prediction, require_chromium, settled_box

playwright = pytest.importorskip("playwright.sync_api")

require_chromium()



def link_set_h128_adam_and_draw(page, optimizer="Optimizer", draw_tab="Draw"):
    """The page a link ``hidden_size=128&optimizer=adam&tab=draw`` opened, as its reader sees it."""
    sidebar = page.get_by_test_id("stSidebar")
    # the sidebar draws top down: waited for, its first slider (hidden size H) says 128
    playwright.expect(sidebar.get_by_test_id("stSliderThumbValue").first).to_have_text("128", timeout=30000)
    menu = sidebar.get_by_test_id("stSelectbox").filter(has_text=optimizer).get_by_role("combobox")
    assert menu.input_value() == "Adam"
    assert (
        page.locator(".st-key-tab").get_by_role("radio", name=draw_tab).get_attribute("aria-checked")
        == "true"
    )


def test_a_link_opens_with_its_settings_and_tab_and_reads_a_drawing(browser, app_url):
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.goto(app_url + "?hidden_size=128&optimizer=adam&tab=draw")
    page.get_by_text("The canvas is empty").wait_for(timeout=60000)  # the Draw tab is the one open
    link_set_h128_adam_and_draw(page)
    draw(page, TWO)
    assert prediction(page) == "2"
    page.wait_for_function(
        "() => location.search.includes('hidden_size=128') && location.search.includes('seed=0')"
    )


def test_a_finger_draws_on_a_phone_and_the_page_does_not_scroll(browser, app_url):
    context = browser.new_context(
        viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True, device_scale_factor=2
    )
    page = context.new_page()
    page.goto(app_url + "?tab=draw")
    page.get_by_text("The canvas is empty").wait_for(timeout=60000)
    canvas = page.locator('[data-testid="stBidiComponentIsolated"]').first
    canvas.scroll_into_view_if_needed()
    box = settled_box(canvas)
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # the canvas fits the screen
    before = page.evaluate(
        "() => [window.scrollY, document.scrollingElement.scrollTop, "
        "[...document.querySelectorAll('*')].reduce((s, e) => s + e.scrollTop, 0)]"
    )
    draw_touch(page, SEVEN)
    assert prediction(page) == "7"
    after = page.evaluate(
        "() => [window.scrollY, document.scrollingElement.scrollTop, "
        "[...document.querySelectorAll('*')].reduce((s, e) => s + e.scrollTop, 0)]"
    )
    assert after == before, (before, after)
    metric = page.get_by_test_id("stMetric").filter(has_text="Prediction").bounding_box()
    assert metric["y"] > box["y"] + box["height"] - 1  # the prediction sits below the canvas
    context.close()


def test_the_chinese_page_from_a_link_reads_a_drawn_2(browser, app_url, tmp_path):
    context = browser.new_context(viewport={"width": 1400, "height": 1100}, locale="zh-CN")
    page = context.new_page()
    page.goto(app_url + "?lang=zh&hidden_size=128&optimizer=adam&tab=draw")
    page.get_by_text("超参数", exact=True).wait_for(timeout=60000)  # the sidebar's header, in Chinese
    link_set_h128_adam_and_draw(page, optimizer="优化器", draw_tab="手写")
    draw(page, TWO)
    assert prediction(page, label="预测") == "2"
    page.wait_for_timeout(1000)
    page.screenshot(path=str(tmp_path / "chinese.png"))
    assert (tmp_path / "chinese.png").stat().st_size > 20000
    context.close()
