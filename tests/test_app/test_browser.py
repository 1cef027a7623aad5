"""The app in headless Chromium: draw with the mouse, read the prediction; train and stop."""

import os
import re

import pytest

from tests.support.browser import (CHROMIUM, CHROMIUM_ARGS, SEVEN, draw, open_tab, prediction,
                                   require_chromium, streamlit_app)

playwright = pytest.importorskip("playwright.sync_api")

require_chromium()

ONE = [
    [(130, 30), (145, 140), (150, 250)]
]  # a hand is never exactly vertical (fabric drops zero-width paths)


@pytest.fixture(scope="module")
def server_log(tmp_path_factory):
    return tmp_path_factory.mktemp("server") / "streamlit.log"


@pytest.fixture(scope="module")
def app_url(server_log):
    with streamlit_app(log_path=server_log, args=os.environ.get("FFN_STREAMLIT_ARGS", "").split()) as url:
        yield url


@pytest.fixture
def page(app_url):
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.goto(app_url)
        page.get_by_text("Hyperparameters", exact=True).wait_for(timeout=30000)
        yield page
        browser.close()


def test_draw_a_digit_and_read_the_prediction(page, tmp_path):
    open_tab(page, "Draw", "The canvas is empty")
    draw(page, SEVEN)
    assert prediction(page) == "7"
    page.get_by_test_id("stMetric").filter(has_text="confident").wait_for()
    page.get_by_text("Softmax probabilities").wait_for()
    page.screenshot(path=str(tmp_path / "draw.png"), full_page=True)
    assert (tmp_path / "draw.png").stat().st_size > 10000

    page.locator(".st-key-panels").get_by_role("button", name="Clear").click()
    page.get_by_text("The canvas is empty").wait_for(timeout=15000)
    page.wait_for_timeout(500)  # the canvas empties itself when its new (empty) drawing arrives
    draw(page, ONE)
    page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stMetric"]')]
                 .some(m => m.innerText.includes('Prediction')
                            && /\\b1\\b/.test(m.querySelector('[data-testid="stMetricValue"]').innerText))""",
        timeout=15000,
    )
    assert prediction(page) == "1"


def test_train_see_the_chart_and_stop(page, tmp_path):
    page.locator(".st-key-panels").get_by_role("button", name="Start").click()
    page.get_by_text("Loss", exact=True).first.wait_for(timeout=30000)
    page.locator(".js-plotly-plot").first.wait_for(timeout=30000)
    page.get_by_text(re.compile(r"iteration [\d,]+ / 5,000")).wait_for(timeout=30000)
    page.locator(".st-key-panels").get_by_role("button", name="Stop").click()
    page.get_by_text("Stopped by you").wait_for(timeout=15000)
    page.get_by_text("Test accuracy (10,000 images)").wait_for(timeout=30000)
    page.screenshot(path=str(tmp_path / "train.png"), full_page=True)
    # The figures come first; the buttons follow with the page's rerun, 0.2 s later (ui.live.SEND)
    start = page.locator(".st-key-panels").get_by_role("button", name="Start")
    playwright.expect(start).to_be_enabled(timeout=15000)


def bar_iteration(page):
    text = page.get_by_test_id("stProgress").first.inner_text()
    return int(re.search(r"iteration ([\d,]+) /", text).group(1).replace(",", ""))


@pytest.mark.timeout(240)
def test_clicks_during_a_run_never_train_it_twice(page, server_log):
    """Sidebar changes and Pause/Resume during a run, then Stop: the stop message and the
    progress bar name the same iteration, and the server logged no traceback."""
    tabs = page.locator(".st-key-panels")
    hidden = (
        page.get_by_test_id("stSidebar")
        .get_by_test_id("stSlider")
        .filter(has_text="Hidden size")
        .get_by_role("slider")
    )
    hidden.press("End")  # 784-512-256-10: a run long enough for every click below, on a slow machine too
    for _ in range(100):  # the slider reports its value once the rerun has taken it
        if hidden.get_attribute("aria-valuetext") == "512":
            break
        page.wait_for_timeout(100)
    assert hidden.get_attribute("aria-valuetext") == "512"
    iters = page.get_by_test_id("stSidebar").get_by_label("Iterations", exact=True)
    iters.fill("7000")
    iters.press("Enter")
    page.get_by_text("7,000 iterations of 200 images").wait_for(timeout=15000)
    tabs.get_by_role("button", name="Start").click()
    page.get_by_text(re.compile(r"iteration [\d,]+ / 7,000")).wait_for(timeout=30000)
    slider = (
        page.get_by_test_id("stSidebar")
        .get_by_test_id("stSlider")
        .filter(has_text="Validation ratio")
        .get_by_role("slider")
    )
    for i in range(10):
        slider.press("ArrowRight" if i % 2 == 0 else "ArrowLeft")
        page.wait_for_timeout(250)
        if i in (1, 3, 5, 7):  # Pause, Resume, Pause, Resume between the slider moves
            label = "Pause" if tabs.get_by_role("button", name="Pause").count() else "Resume"
            tabs.get_by_role("button", name=label).click()
            tabs.get_by_role("button", name="Resume" if label == "Pause" else "Pause").wait_for(timeout=15000)
    assert tabs.get_by_role("button", name="Pause").count() == 1  # 4 toggles: running again
    tabs.get_by_role("button", name="Stop").click()
    stopped = page.get_by_text(re.compile(r"Stopped by you at iteration [\d,]+ of 7,000"))
    stopped.wait_for(timeout=30000)
    page.get_by_text("Test accuracy (10,000 images)").wait_for(timeout=30000)
    n = int(re.search(r"iteration ([\d,]+) of", stopped.inner_text()).group(1).replace(",", ""))
    assert 0 < n < 7000
    assert bar_iteration(page) == n
    page.locator(".st-key-start button:not([disabled])").wait_for(timeout=15000)  # the run has ended
    assert bar_iteration(page) == n  # and nothing trained on after the Stop
    log = server_log.read_text(errors="replace")
    assert "Traceback" not in log and "Error" not in log, log[-3000:]


def test_a_drawing_on_a_high_density_screen_is_read(app_url):
    """A phone or a retina laptop sends the canvas at 3x: within the drawing size limit."""
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1100}, device_scale_factor=3)
        page.goto(app_url)
        open_tab(page, "Draw", "The canvas is empty")
        draw(page, SEVEN)
        assert prediction(page) == "7"
        assert page.get_by_text("could not be read").count() == 0
        browser.close()


def test_inside_the_network_and_why_this_digit(page, tmp_path):
    open_tab(page, "Draw", "The canvas is empty")
    draw(page, SEVEN)
    assert prediction(page) == "7"
    page.get_by_test_id("stRadio").filter(has_text="View").get_by_text("Inside the network").click()
    code = page.get_by_test_id("stCode").filter(has_text="z = Σ")
    code.wait_for(timeout=15000)
    assert "z = Σ wᵢ·xᵢ + b" in code.inner_text() and "ReLU" in code.inner_text()
    page.get_by_text("Crossed out").wait_for()
    first = code.inner_text()
    unit = page.get_by_test_id("stSelectbox").filter(has=page.get_by_text("Unit", exact=True))
    unit.get_by_role("combobox").click()
    page.keyboard.press("ArrowDown")  # the select box is a combo box: the arrow key opens its list
    page.get_by_role("option").nth(3).click()  # another unit: its own numbers
    page.wait_for_function(
        """(before) => [...document.querySelectorAll('[data-testid="stCode"]')]
        .some(c => c.innerText.includes('z = Σ') && c.innerText !== before)""",
        arg=first,
        timeout=15000,
    )
    page.get_by_text("The drawing's journey").evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(500)
    page.screenshot(path=str(tmp_path / "inside.png"))
    page.get_by_test_id("stRadio").filter(has_text="View").get_by_text("Why this digit?").click()
    page.get_by_text("backpropagation put to a second use").wait_for(timeout=15000)
    overlay = page.get_by_test_id("stPlotlyChart").first
    assert page.get_by_test_id("stPlotlyChart").count() == 1  # only this view: the saliency map
    overlay.wait_for()
    assert overlay.locator(".heatmaplayer, .hm, image").count() >= 1  # the map is drawn, not only a frame
    overlay.evaluate("e => e.scrollIntoView({block: 'center'})")
    page.wait_for_timeout(500)
    page.screenshot(path=str(tmp_path / "why.png"))
    assert (tmp_path / "inside.png").stat().st_size > 10000 and (tmp_path / "why.png").stat().st_size > 10000


def _preset(page, label):
    page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(has_text="Preset").first.click()
    page.get_by_role("option", name=label).click()
    page.wait_for_timeout(800)


def _finished(page):
    """Wait for the run just started to end (the last run's figures go first)."""
    done = """() => [...document.querySelectorAll('[data-testid="stAlertContentSuccess"]')]
        .some(e => /Wall time/.test(e.innerText))"""
    page.wait_for_function(f"() => !({done})()", timeout=30000)
    page.wait_for_function(done, timeout=120000)
    page.wait_for_timeout(800)


def _train_presets(page, tmp_path, presets, first_layer, after=None):
    """Run each preset of ``presets`` ((label, name), ...) to its end and screenshot its charts
    as ``gradients-<name>.png``; ``after(name)`` checks the page once each run has ended."""
    charts = (
        page.get_by_test_id("stHorizontalBlock")
        .filter(has=page.get_by_test_id("stPlotlyChart"))
        .filter(has=page.get_by_text(first_layer))
    )
    for preset, name in presets:
        _preset(page, preset)
        page.locator(".st-key-panels").get_by_role("button", name="Start").click()
        _finished(page)
        charts.first.scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        charts.first.screenshot(path=str(tmp_path / f"gradients-{name}.png"))
        if after is not None:
            after(name)


def test_gradients_tiles_a_step_and_the_gradient_check(page, tmp_path):
    """The README's screenshots of issue 12: the gradient chart for the article's settings and
    for He's, the first layer's tiles, and a Step."""
    tabs = page.locator(".st-key-panels")
    _train_presets(
        page,
        tmp_path,
        (("Article's exact settings", "article"), ("Article's network, He init", "he")),
        "layer 1 (784→64)",
    )
    assert page.get_by_text("shows why: layer 1").count() == 0  # He does not stall
    page.get_by_test_id("stCheckbox").filter(has_text="Tiles: what training changed").first.click()
    tiles = page.get_by_test_id("stImage").filter(has_text="What training changed")
    tiles.first.wait_for(timeout=15000)
    tiles.first.screenshot(path=str(tmp_path / "tiles.png"))
    tabs.get_by_role("button", name="Step", exact=True).click()  # a new run, one iteration, paused
    step = page.get_by_text("Step: iteration 1")
    step.wait_for(timeout=30000)
    tabs.get_by_role("button", name="Step", exact=True).click()
    page.get_by_text("Step: iteration 2").wait_for(timeout=30000)
    page.wait_for_timeout(800)
    panel = page.locator(".st-key-step_panel")
    panel.scroll_into_view_if_needed()
    panel.screenshot(path=str(tmp_path / "step.png"))
    page.get_by_text("Check backpropagation against numerical gradients").click()
    page.get_by_role("button", name="Check the gradients").click()
    page.get_by_text("backprop is right").wait_for(timeout=30000)
    assert page.get_by_text("the run's network at iteration 2").count() == 1
    for name in ("gradients-article", "gradients-he", "tiles", "step"):
        assert (tmp_path / f"{name}.png").stat().st_size > 5000


def _cell_centre(page, chart, x, y):
    """Where the confusion chart draws cell (predicted ``x``, true ``y``), in page pixels."""
    return chart.locator(".js-plotly-plot").evaluate(
        """(gd, [x, y]) => {
        const L = gd._fullLayout, box = gd.getBoundingClientRect();
        return [box.left + L._size.l + L.xaxis.d2p(x), box.top + L._size.t + L.yaxis.d2p(y)];
    }""",
        [str(x), str(y)],
    )


def test_two_runs_compared_and_a_confusion_cell_chosen_by_a_click(page, tmp_path):
    tabs = page.locator(".st-key-panels")
    seed = page.locator(".st-key-seed input")  # a seed of its own: no run an earlier test finished to join
    seed.fill("2827")
    seed.press("Enter")
    page.wait_for_timeout(800)
    tabs.get_by_role("button", name="Start").click()
    _finished(page)
    activation = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(has_text="Activation")
    activation.get_by_role("combobox").click()
    page.keyboard.press("ArrowDown")
    page.get_by_role("option", name="Sigmoid").click()
    page.wait_for_timeout(800)
    tabs.get_by_role("button", name="Start").click()
    _finished(page)
    compared = page.get_by_text("Your runs compared")
    compared.wait_for(timeout=30000)
    loss = page.locator(".st-key-compare_loss")
    for label in ("activation = ReLU", "activation = Sigmoid"):
        loss.get_by_text(label).wait_for(timeout=15000)  # in the overlay's legend
    compared.scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    page.locator(".st-key-compare_panel").screenshot(path=str(tmp_path / "compare.png"))
    page.locator(".st-key-tab").get_by_role("radio", name="Evaluate").click()
    page.get_by_text("The most confident mistakes").wait_for(timeout=60000)
    chart = page.locator(".st-key-confusion_chart")
    chart.locator(".js-plotly-plot").wait_for(timeout=30000)
    page.wait_for_timeout(1000)
    chart.scroll_into_view_if_needed()
    x, y = _cell_centre(page, chart, 7, 2)  # true 2 read as 7: an off-diagonal cell
    page.mouse.click(x, y)
    page.get_by_text(re.compile(r"^True 2, read as 7: ")).wait_for(
        timeout=15000
    )  # not the tooltip's "true 2"
    true = page.get_by_test_id("stSelectbox").filter(has_text="True digit").get_by_role("combobox")
    assert true.input_value() == "2"  # the click chose the cell: the select boxes show it
    shares = page.get_by_test_id("stCheckbox").filter(has_text="Share of each row").first
    for x_, y_ in ((4, 9), (7, 2)):  # a chart redrawn by the toggle still takes clicks
        shares.click()
        page.wait_for_timeout(1500)
        x, y = _cell_centre(page, chart, x_, y_)
        page.mouse.click(x, y)
        page.get_by_text(re.compile(rf"^True {y_}, read as {x_}: ")).wait_for(timeout=15000)
    page.wait_for_timeout(800)
    page.locator(".st-key-confusion_chart").locator(
        "xpath=ancestor::*[@data-testid='stHorizontalBlock'][1]"
    ).screenshot(path=str(tmp_path / "confusion.png"))
    mistakes = page.locator(".st-key-mistakes_panel")
    mistakes.scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    mistakes.screenshot(path=str(tmp_path / "mistakes.png"))
    for name in ("compare", "confusion", "mistakes"):
        assert (tmp_path / f"{name}.png").stat().st_size > 5000


def test_deep_and_stuck_against_deep_with_batch_norm(page, tmp_path):
    """The lesson of issue 14 as a student runs it: the two presets one after the other, the
    stall note that names batch normalisation, the gradient chart of each, the comparison."""

    def stall_note_names_batch_norm(name):
        if name == "deep-stuck":
            assert page.get_by_text("Batch normalisation rescales each layer's sums").count() == 1

    _train_presets(
        page,
        tmp_path,
        (("Deep and stuck", "deep-stuck"), ("Deep with batch norm", "deep-bn")),
        "layer 1 (784→128",
        after=stall_note_names_batch_norm,
    )
    assert page.get_by_text("layer 2 (128→128, BatchNorm)").count() >= 1  # the legend names the trick
    compared = page.locator(".st-key-compare_loss")
    for label in ("normalisation = none", "normalisation = batch norm"):
        compared.get_by_text(label).wait_for(timeout=15000)
    page.get_by_text("Your runs compared").scroll_into_view_if_needed()
    page.wait_for_timeout(800)
    page.locator(".st-key-compare_panel").screenshot(path=str(tmp_path / "compare-deep.png"))
    names = ("gradients-deep-stuck", "gradients-deep-bn", "compare-deep")
    for name in names:
        assert (tmp_path / f"{name}.png").stat().st_size > 5000
