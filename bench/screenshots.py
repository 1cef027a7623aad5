"""Retake the README's pictures of the whole page from the running app, so they cannot go stale.

    python -m bench.screenshots [--out assets] [--only train draw inside why chinese]

It starts the app, opens each page by its link in Debian's Chromium, does what the picture
shows (trains the article's run, draws a digit, opens a view) and writes
``<out>/screenshot-<name>.png``. The charts and panels cut out of the page are the browser
tests' (``FFN_SCREENSHOTS=assets python -m pytest -k browser``).
"""
import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, draw, prediction, streamlit_app

ROOT = Path(__file__).resolve().parent.parent
STROKES = {  # canvas pixels, 0-280
    "2": [[(70, 90), (110, 50), (170, 50), (200, 95), (180, 150), (80, 235), (215, 235)]],
    "3": [[(70, 60), (110, 40), (190, 45), (200, 90), (120, 135), (195, 175), (190, 230), (120, 245),
           (70, 225)]],
    "7": [[(50, 50), (230, 50), (110, 250)]],
}
# name -> (link, viewport, what to do on the page)
SHOTS = {
    "train": ("?preset=article&tab=train", (1280, 1180), "train"),
    "draw": ("?tab=draw", (1280, 1180), "3"),
    "inside": ("?tab=draw&view=inside", (1400, 1100), "7"),
    "why": ("?tab=draw&view=why", (1400, 1100), "7"),
    "chinese": ("?lang=zh&hidden_size=128&optimizer=adam&tab=draw", (1400, 1100), "2"),
}
VIEW_TOP = {"inside": "The drawing's journey, layer by layer", "why": "Why 7 and not"}  # scrolled to the top


def take(browser, url, name, out):
    link, (width, height), action = SHOTS[name]
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(url + link)
    page.locator(".st-key-start button").wait_for(state="attached", timeout=60000)
    if action == "train":
        page.locator(".st-key-start button").click()
        page.get_by_text("Test accuracy (10,000 images)").wait_for(timeout=120000)
    else:
        draw(page, STROKES[action])
        digit = prediction(page, label="预测" if "lang=zh" in link else "Prediction")
        if digit != action:
            print(f"  {name}: the drawing was read as {digit}, not {action}")
        page.mouse.move(width // 2, 5)  # away from the canvas (its toolbar hides) and the sidebar
        if name in VIEW_TOP:
            page.get_by_text(VIEW_TOP[name]).first.evaluate("e => e.scrollIntoView({block: 'start'})")
    page.wait_for_timeout(1500)  # the charts' own animation ends, the toolbar fades
    path = out / f"screenshot-{name}.png"
    page.screenshot(path=str(path))
    page.close()
    print(f"  {path}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "assets")
    ap.add_argument("--only", nargs="+", choices=sorted(SHOTS), default=sorted(SHOTS))
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    with streamlit_app() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for name in args.only:
            take(browser, url, name, args.out)
        browser.close()


if __name__ == "__main__":
    main()
