"""What the class sees, in headless Chromium: presenter mode on a 1080p projector (the work
above the fold, chart text of 20 px or more, horizontal axis titles, a large digit), a
phone (the digit under the canvas, a labelled settings button, one row of training
buttons), and the Chinese page as rendered, read against the glossary."""
import re

import pytest

from tests.support.browser import CANVAS, SEVEN, draw, draw_touch, prediction, require_chromium, settled_box
from tests.support.chinese import has_chinese, problems

playwright = pytest.importorskip("playwright.sync_api")

require_chromium()

PROJECTOR = {"width": 1920, "height": 960}  # 1080p less the browser's own bars
NOTE = "Draw+a+7%2C+then+a+1.+Which+does+it+find+harder%3F"
# The smallest text in the Plotly charts on the page, and whether a y axis's title is turned.
CHART_TEXT = """() => {
    const texts = [...document.querySelectorAll('[data-testid="stPlotlyChart"] svg :is(text, tspan)')]
        .filter(t => t.textContent.trim() && t.getBoundingClientRect().width > 0);
    const sizes = texts.map(t => parseFloat(getComputedStyle(t).fontSize));
    const turned = [...document.querySelectorAll('[data-testid="stPlotlyChart"] .ytitle')]
        .filter(t => t.textContent.trim() && /rotate/.test(t.getAttribute('transform') || ''));
    return {count: texts.length, smallest: Math.min(...sizes), turned: turned.length};
}"""


def above_the_fold(page, locator, height=PROJECTOR["height"]):
    box = locator.bounding_box()
    assert box is not None, locator
    return box["y"] >= 0 and box["y"] + box["height"] <= height


def presenting(page):
    page.wait_for_function(
        "() => parseFloat(getComputedStyle(document.documentElement).fontSize) >= 24", timeout=30000)


def test_presenter_mode_puts_the_canvas_and_the_prediction_above_the_fold(browser, app_url):
    page = browser.new_page(viewport=PROJECTOR)
    page.goto(app_url + f"?present=1&tab=draw&note={NOTE}")
    page.get_by_text("The canvas is empty").wait_for(timeout=60000)
    presenting(page)
    assert page.get_by_role("heading", name="Teach a network").count() == 0  # the header folded away
    sidebar = page.get_by_test_id("stSidebar").bounding_box()
    assert sidebar is None or sidebar["x"] + sidebar["width"] <= 1  # and the sidebar
    for advice in ("this computer's own address", "answers this computer only"):  # for the teacher only
        assert page.get_by_text(advice).filter(visible=True).count() == 0, advice
    canvas = page.locator(CANVAS).first
    assert settled_box(page.locator('[data-testid="stBidiComponentIsolated"]').first)["width"] >= 420
    for part in (page.locator(".st-key-lesson_note"), page.locator(".st-key-tab"), canvas,
                 page.locator(".st-key-qr")):
        assert above_the_fold(page, part), part
    draw(page, SEVEN)
    assert prediction(page) == "7"
    page.get_by_text("Softmax probabilities").wait_for()
    page.wait_for_timeout(800)  # the chart's own animation
    digit = page.locator('.st-key-prediction [data-testid="stMetricValue"]')
    assert above_the_fold(page, digit) and above_the_fold(page, canvas)
    assert float(digit.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")) >= 96  # large
    text = page.evaluate(CHART_TEXT)
    assert text["count"] > 10 and text["smallest"] >= 20 and text["turned"] == 0, text
    # the QR code is one click away, at the top (what it holds: tests/test_ui/test_lesson_panel.py)
    page.locator(".st-key-qr button").first.click()
    page.get_by_text("Scan to open this page").wait_for(timeout=15000)


def test_presenter_mode_shows_the_live_charts_above_the_fold_during_a_run(browser, app_url):
    page = browser.new_page(viewport=PROJECTOR)
    page.goto(app_url + "?present=1&tab=train&preset=fast")
    page.locator(".st-key-start button >> visible=true").first.wait_for(timeout=60000)
    presenting(page)
    page.locator(".st-key-start button").click()
    charts = ".st-key-panel_train .stPlotlyChart, .st-key-panel_train [data-testid='stPlotlyChart']"
    page.wait_for_function(f"() => document.querySelectorAll(\"{charts}\").length >= 3", timeout=60000)
    page.wait_for_timeout(800)
    assert above_the_fold(page, page.get_by_test_id("stProgress"))
    # the charts are redrawn about once a second: their places, read at one moment
    boxes = page.evaluate(f"""() => [...document.querySelectorAll("{charts}")]
        .map(e => e.getBoundingClientRect()).filter(r => r.width > 0)
        .map(r => [r.top, r.bottom])""")
    assert len(boxes) >= 3, boxes
    assert all(0 <= top and bottom <= PROJECTOR["height"] for top, bottom in boxes[:3]), boxes
    text = page.evaluate(CHART_TEXT)
    assert text["smallest"] >= 20 and text["turned"] == 0, text


def test_a_phone_shows_the_digit_under_the_canvas_and_a_labelled_settings_button(browser, app_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(app_url + "?tab=draw")
    canvas = page.locator(CANVAS).first
    canvas.wait_for(timeout=60000)
    assert page.locator(".st-key-back_to_lesson").count() == 0  # no lesson, no "Back to the lesson"
    label = page.locator('[data-testid="stExpandSidebarButton"]').evaluate(
        "e => getComputedStyle(e, '::after').content")
    assert label == '"Settings"'
    canvas.evaluate("e => e.scrollIntoView({block: 'center'})")  # as a thumb brings it up
    draw_touch(page, SEVEN)
    line = page.locator(".st-key-phone_prediction")
    line.get_by_text("Read as").wait_for(timeout=20000)
    assert line.inner_text().startswith("Read as 7,")
    box, under = canvas.bounding_box(), line.bounding_box()
    assert box["y"] + box["height"] <= under["y"] <= box["y"] + box["height"] + 60  # just under it
    assert under["y"] + under["height"] <= 844  # on the screen with the canvas
    # the Train tab's five buttons in one row
    page.locator(".st-key-tab").get_by_role("radio", name="Train").click()
    page.locator(".st-key-start button >> visible=true").first.wait_for(timeout=20000)  # the tab, shown
    page.wait_for_timeout(500)  # the page's run redraws the tab: its buttons settle
    tops = {round(page.locator(f".st-key-{k} button >> visible=true").bounding_box()["y"])
            for k in ("start", "pause", "step", "stop", "reset")}
    assert len(tops) == 1, tops
    context.close()


def test_a_lesson_link_on_a_phone_offers_back_to_the_lesson(browser, app_url):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(app_url + "?preset=article&hidden_size=128&tab=train")
    page.locator(".st-key-back_to_lesson").wait_for(timeout=60000)
    context.close()


# English words the Chinese page may show: names the article keeps in English, the model
# file's type and command, and Streamlit's "Skip to main content" link for screen readers.
ENGLISH_KEPT = {"MNIST", "Softmax", "softmax", "ReLU", "Sigmoid", "Tanh", "Adam", "SGD", "Momentum",
                "AdaGrad", "Xavier", "Dropout", "BatchNorm", "LayerNorm", "NumPy", "Affine", "npz", "python",
                "ffn", "train", "out", "std", "Skip", "main", "content"}
LINK_WORDS = {"activation", "swish", "colour", "blue"}  # the test's link, quoted where it is not used


def page_lines(page):
    """The lines of the page's visible text (icons, drawn as words of a ligature font, left out)."""
    page.add_style_tag(content='[data-testid="stIconMaterial"] {display: none !important;}')
    text = page.evaluate("() => document.body.innerText")
    return [line.strip() for line in text.splitlines() if line.strip()]


def chinese_problems(page, kept=()):
    """What the glossary finds in each visible line with a Chinese character, and each English
    word the page shows that is not kept in English on purpose (``kept``: the words of the
    page's own link, which the page quotes): ``{line: problems}``."""
    found = {}
    for line in page_lines(page):
        english = [w for w in re.findall(r"[A-Za-z]{3,}", line) if w not in ENGLISH_KEPT and w not in kept]
        wrong = (problems(line) if has_chinese(line) else []) + [("English", w) for w in english]
        if wrong:
            found[line] = wrong
    return found


def test_the_chinese_page_as_rendered_keeps_the_glossary_and_chinese_typography(browser, app_url):
    context = browser.new_context(viewport={"width": 1400, "height": 1100}, locale="zh-CN")
    page = context.new_page()
    # a run with batch norm and dropout (the tags in the Inside view), and a link with two parts
    # the page can't use (the box that lists them, "name (detail): reason")
    page.goto(app_url + "?lang=zh&preset=fast&iters=200&normalization=batch&dropout=0.2&tab=train"
                        "&activation=swish&colour=blue")
    start = page.locator(".st-key-start button")
    start.wait_for(timeout=60000)
    page.get_by_text("超参数", exact=True).wait_for(timeout=30000)
    page.locator(".st-key-link_problems").wait_for(timeout=30000)
    start.click()
    page.get_by_text("实际耗时").first.wait_for(timeout=90000)  # the run's end, with its figures
    page.wait_for_timeout(1000)
    assert sum(has_chinese(line) for line in page_lines(page)) > 40  # the page was read, and is Chinese
    found = chinese_problems(page, kept=LINK_WORDS)
    page.locator(".st-key-tab").get_by_role("radio", name="手写").click()
    page.locator(CANVAS).first.wait_for(timeout=20000)
    draw(page, SEVEN)
    assert prediction(page, label="预测") == "7"
    page.wait_for_timeout(800)
    found |= chinese_problems(page, kept=LINK_WORDS)
    for view, shows in (("网络内部", "推动了 7 的得分"), ("为什么是这个数字？", "为什么是 7")):  # views
        page.locator(".st-key-view").get_by_text(view, exact=True).click()
        page.get_by_text(shows).first.wait_for(timeout=20000)
        page.wait_for_timeout(500)
        found |= chinese_problems(page, kept=LINK_WORDS)
    page.locator(".st-key-tab").get_by_role("radio", name="评估").click()
    page.locator(".st-key-mistakes_panel").wait_for(timeout=60000)  # the run's model on 10,000 images
    page.wait_for_timeout(800)
    found |= chinese_problems(page, kept=LINK_WORDS)
    assert not found, found
    # Streamlit's own English in the uploader is gone: its button says 上传, its limit is hidden
    page.locator(".st-key-tab").get_by_role("radio", name="手写").click()
    page.locator(CANVAS).first.wait_for(timeout=20000)  # shown: a hidden element's text is all its text
    upload = page.locator('.st-key-upload [data-testid="stFileUploaderDropzone"] button')  # the model's
    assert "Upload" not in upload.inner_text()
    assert upload.locator("p").evaluate("e => getComputedStyle(e, '::after').content") == '"上传"'
    assert not any(t.is_visible() for t in page.get_by_text("per file").all())
    context.close()


def test_start_clears_the_last_runs_messages_at_once(browser, app_url):
    page = browser.new_page(viewport={"width": 1400, "height": 1100})
    page.goto(app_url + "?preset=article&iters=600&tab=train")
    start = page.locator(".st-key-start button")
    start.wait_for(timeout=60000)
    start.click()
    old = page.get_by_text("The loss is still")  # the first run's stall note
    old.first.wait_for(timeout=90000)
    page.locator(".st-key-start button:not([disabled])").wait_for(timeout=30000)
    seed = page.locator(".st-key-seed input")  # another seed: the same one would join the run just finished
    seed.fill("1")
    seed.press("Enter")
    page.wait_for_timeout(1000)
    start.click()
    page.get_by_text("Starting…").first.wait_for(timeout=10000)  # the new run, drawn
    shown = page.evaluate("() => performance.now()")
    # what the last run said leaves with it, not a second later when the page's run ends
    old.first.wait_for(state="detached", timeout=5000)
    assert page.evaluate("() => performance.now()") - shown < 500


def test_presenter_modes_canvas_fits_a_phone_and_a_finger_draws_where_it_touches(browser, app_url):
    """On a 390 px phone the projector's 420 px canvas is zoomed to fit the screen whole, and a
    7 drawn with a finger over all of it is read as 7 (the canvas maps the touches to its own
    pixels)."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(app_url + "?tab=draw&present=1&lang=en")
    canvas = page.locator(CANVAS).first
    canvas.wait_for(timeout=60000)
    canvas.scroll_into_view_if_needed()
    box = settled_box(canvas)
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390, box  # all of it on the screen
    assert box["width"] >= 300  # still the larger canvas, zoomed: not the 280 px one
    draw_touch(page, [[(30, 30), (250, 30), (120, 260)]])  # from edge to edge
    page.locator(".st-key-phone_prediction").get_by_text("Read as 7").wait_for(timeout=30000)
    context.close()
