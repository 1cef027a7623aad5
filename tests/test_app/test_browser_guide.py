"""Every built-in guided lesson walked end to end in headless Chromium, in English and Chinese:
each question answered before its action, the action taken (Start, a drawing, a view), the
answer revealed, and the summary reached. The second language joins the runs the first
trained (the same settings train once on a server), so the walk in Chinese costs little."""
import time

import pytest

from guide.lesson import load_folder
from tests.support import ROOT
from tests.support.browser import SEVEN, draw, require_chromium

playwright = pytest.importorskip("playwright.sync_api")

require_chromium()

LESSONS, _ERRORS = load_folder(ROOT / "lessons")
WORDS = {"en": {"revealed": ("You predicted it", "Not quite"), "summary": "what you found",
                "done": ("Done: on to the next step.", "The run did not get there"), "step": "step {n} of",
                "views": {"prediction": "Prediction", "inside": "Inside the network",
                          "why": "Why this digit?"},
                "tabs": {"train": "Train", "draw": "Draw", "evaluate": "Evaluate"}},
         "zh": {"revealed": ("预测正确", "不太对"), "summary": "你的发现",
                "done": ("完成了：进入下一步吧。", "这次训练没有达到目标"), "step": "第 {n} 步",
                "views": {"prediction": "预测", "inside": "网络内部", "why": "为什么是这个数字？"},
                "tabs": {"train": "训练", "draw": "手写", "evaluate": "评估"}}}


def panel_has(page, texts, timeout=180000):
    """Wait until the lesson panel shows one of ``texts``."""
    page.wait_for_function(
        "texts => { const p = document.querySelector('.st-key-guide_panel');"
        " return p && texts.some(t => p.innerText.includes(t)); }", arg=list(texts), timeout=timeout)


def answer(page, lesson, q, lang):
    box = page.locator(f".st-key-guide_q_{lesson.id}_{q.id}")
    if q.kind == "choice":
        box.get_by_text(dict(q.choices)[q.answer](lang), exact=True).click()
    else:
        field = box.locator("input")
        field.fill(f"{q.answer:g}")
        field.press("Enter")
    box.wait_for()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_lesson_walked_to_its_summary(browser, app_url, lang):
    words = WORDS[lang]
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    took = {}
    for lesson in LESSONS:
        t0 = time.monotonic()
        page.goto(f"{app_url}?guide={lesson.id}&guide_step=1&lang={lang}")
        for n, step in enumerate(lesson.steps, 1):
            panel_has(page, [words["step"].format(n=n)], timeout=60000)
            if step.question is not None:
                answer(page, lesson, step.question, lang)
            if step.action == "start":
                page.locator(".st-key-start button:not([disabled])").first.click(timeout=60000)
            elif step.action == "open_view":  # the student chooses it: the step does not
                page.locator(".st-key-view").get_by_text(words["views"][step.view], exact=True).click()
            elif step.action == "open_tab":
                page.locator(".st-key-tab").get_by_text(words["tabs"][step.tab], exact=True).click()
            elif step.action == "draw":
                page.locator('[data-testid="stBidiComponentIsolated"]').first.scroll_into_view_if_needed()
                draw(page, SEVEN)
            if step.check is not None:
                panel_has(page, words["done"])
            if step.question is not None:
                panel_has(page, words["revealed"])
            page.locator(".st-key-guide_next button").click()
            if n < len(lesson.steps):
                page.wait_for_function(f"() => location.search.includes('guide_step={n + 1}')", timeout=30000)
        panel_has(page, [words["summary"]], timeout=60000)
        took[lesson.id] = time.monotonic() - t0
    print(f"\n{lang}: " + ", ".join(f"{k} {v:.0f} s" for k, v in took.items()))


@pytest.mark.parametrize("present", ["0", "1"])
def test_a_step_fits_a_phone_in_chinese(browser, app_url, present):
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True, is_mobile=True,
                                  device_scale_factor=2)
    page = context.new_page()
    page.goto(f"{app_url}?guide=overfitting&guide_step=1&lang=zh&present={present}")
    panel = page.locator(".st-key-guide_panel")
    panel.wait_for(timeout=60000)
    lesson = next(lesson for lesson in LESSONS if lesson.id == "overfitting")
    answer(page, lesson, lesson.steps[0].question, "zh")
    box = panel.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 390  # the whole panel on screen
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    for key in ("guide_back", "guide_next", "guide_close"):
        b = page.locator(f".st-key-{key} button").bounding_box()
        assert b["x"] >= 0 and b["x"] + b["width"] <= 390
    context.close()
