"""The network diagram in Chromium: forward for a drawn 7 and backward for one Step, in English
and Chinese, at 1080p in presenter mode (text at least 24 px, circles at least 16 px, the
width filled) and at phone width (scrolled sideways); a click on a circle opens its unit."""
import pytest

from tests.support.browser import SEVEN, draw, require_chromium

playwright = pytest.importorskip("playwright.sync_api")

require_chromium()
PROJECTOR = {"viewport": {"width": 1920, "height": 1080}}
SIZES = """(box) => {
  const svg = document.querySelector(box + ' .main-svg');
  const texts = [...document.querySelectorAll(box + ' text')].filter(t => t.textContent.trim());
  const points = [...document.querySelectorAll(box + ' .scatterlayer path.point')];
  return {text: Math.min(...texts.map(t => parseFloat(getComputedStyle(t).fontSize))),
          circle: Math.min(...points.map(p => p.getBoundingClientRect().width)),
          width: svg.getBoundingClientRect().width, points: points.length};
}"""
FILLS = """(box) => [...document.querySelectorAll(box + ' .scatterlayer .trace')]
  .filter(t => t.querySelector('path.point'))
  .map(t => [...t.querySelectorAll('path.point')].map(p => getComputedStyle(p).fill))"""


def drawn_diagram(page, url, query):
    page.goto(url + query)
    page.locator(".st-key-canvas_box").wait_for(timeout=60000)
    draw(page, SEVEN)
    page.locator(".st-key-network_box .main-svg").first.wait_for(timeout=30000)
    page.locator(".st-key-network_box").scroll_into_view_if_needed()
    # the animation's last frame is the figure as drawn: wait until its ten outputs carry words
    page.wait_for_function("() => [...document.querySelectorAll('.st-key-network_box text')]"
                           ".some(t => t.textContent.includes('◀'))", timeout=20000)


def whiteness(fill):
    r, g, b = (int(v) for v in fill[fill.index("(") + 1:fill.index(")")].split(",")[:3])
    return (r + g + b) / 765


@pytest.mark.parametrize("lang, title", [("en", "layer 1: 512"), ("zh", "第 1 层：512")])
def test_the_forward_diagram_on_a_projector_is_read_from_the_back(browser, app_url, lang, title):
    page = browser.new_context(**PROJECTOR).new_page()
    drawn_diagram(page, app_url, f"?tab=draw&view=network&present=1&lang={lang}")
    page.locator(".st-key-network_box").get_by_text(title).wait_for()
    got = page.evaluate(SIZES, ".st-key-network_box")
    assert got["text"] >= 24 and got["circle"] >= 16, got
    assert got["width"] >= 0.85 * 1920 and got["points"] == 20 + 20 + 10, got
    frames = page.evaluate("() => document.querySelector('.st-key-network_box .js-plotly-plot')"
                           "._transitionData._frames.length")
    assert frames == 4  # the input alone, then each of the three columns lit in turn


def test_a_click_on_a_circle_opens_that_units_arithmetic(browser, app_url):
    """Layer 2's sixth unit shown (not the Inside view's default, layer 1's most active)."""
    page = browser.new_context(viewport={"width": 1400, "height": 1100}).new_page()
    drawn_diagram(page, app_url, "?tab=draw&view=network")
    unit = page.evaluate("() => document.querySelector('.st-key-network_box .js-plotly-plot').data"
                         ".find(t => t.customdata && t.customdata[0][0] === 2).customdata[5][1]")
    point = page.locator(".st-key-network_box .scatterlayer .trace").filter(
        has=page.locator("path.point")).nth(1).locator("path.point").nth(5)
    box = point.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.get_by_test_id("stCode").filter(has_text="z = ").first.wait_for(timeout=20000)
    view = page.get_by_test_id("stRadio").filter(has_text="View")
    assert view.get_by_role("radio", name="Inside the network").is_checked()
    layer = page.locator(".st-key-inside_layer").get_by_role("combobox").input_value()
    assert layer.startswith("Hidden layer 2")
    assert page.get_by_test_id("stSelectbox").filter(has_text="Unit").get_by_role(
        "combobox").input_value().startswith(f"unit {unit}:")


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_on_a_phone_the_diagram_keeps_its_width_and_scrolls_sideways(browser, app_url, lang):
    phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
    page = browser.new_context(**phone).new_page()
    drawn_diagram(page, app_url, f"?tab=draw&view=network&lang={lang}")
    box = page.locator(".st-key-network_box")
    sizes = box.evaluate("b => [b.scrollWidth, b.clientWidth]")
    assert sizes[0] >= 880 > sizes[1], sizes
    got = page.evaluate(SIZES, ".st-key-network_box")
    assert got["text"] >= 14 and got["circle"] >= 16, got


@pytest.mark.parametrize("lang, step", [("en", "Step"), ("zh", "单步")])
def test_a_step_of_deep_and_stuck_draws_its_gradient_fading_on_the_left(browser, app_url, lang, step):
    page = browser.new_context(**PROJECTOR).new_page()
    page.goto(app_url + f"?tab=train&preset=deep_stuck&present=1&lang={lang}")
    page.locator(".st-key-step").get_by_role("button", name=step).click(timeout=60000)
    page.locator(".st-key-network_back_box .main-svg").first.wait_for(timeout=60000)
    page.locator(".st-key-network_back_box").scroll_into_view_if_needed()
    got = page.evaluate(SIZES, ".st-key-network_back_box")
    assert got["text"] >= 24 and got["circle"] >= 16 and got["width"] >= 0.85 * 1920, got
    columns = page.evaluate(FILLS, ".st-key-network_back_box")  # layer 1 ... layer 5, then the outputs
    pale = [min(whiteness(f) for f in column) for column in columns[:5]]
    assert pale[0] > 0.97 and pale[4] < 0.9, pale  # layer 1 all but white; the last hidden layer coloured
    assert page.locator(".st-key-network_back_box").get_by_text("‖dW‖ =").count() == 6


def test_on_a_phone_a_steps_backward_scrolls_sideways_in_chinese(browser, app_url):
    phone = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
             "locale": "zh-CN"}
    page = browser.new_context(**phone).new_page()
    page.goto(app_url + "?tab=train&preset=deep_stuck")
    page.locator(".st-key-step").get_by_role("button", name="单步").click(timeout=60000)
    page.locator(".st-key-network_back_box .main-svg").first.wait_for(timeout=60000)
    box = page.locator(".st-key-network_back_box")
    box.get_by_text("第 1 层：128").wait_for()
    sizes = box.evaluate("b => [b.scrollWidth, b.clientWidth]")
    assert sizes[0] >= 880 > sizes[1], sizes
    got = page.evaluate(SIZES, ".st-key-network_back_box")
    assert got["text"] >= 14 and got["circle"] >= 16, got
