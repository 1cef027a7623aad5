"""How long the last run's messages and charts stay on the page, greyed out, after Start.

    python -m bench.start_clears [--repeats 3] [--app DIR]

Method. The app runs on core 0, one headless Chromium on core 1. The page opens the
article's exact settings with 600 iterations (the run ends with its stall note), trains
once, then presses Start again and samples the page every 50 ms for 4 s: Streamlit marks
an element that the page's current run has not yet drawn again as stale
(``data-stale="true"``, drawn greyed). It prints, for each Start, the last moment an
element that still shows text was stale, and when the new run's "Starting…" appeared.
--app DIR measures another checkout (a `git worktree` of an older commit).
"""
import argparse
import statistics
import time
from pathlib import Path

from tests.support.browser import CHROMIUM_ARGS, chromium_on_core, streamlit_app

ROOT = Path(__file__).resolve().parent.parent
STALE = """() => [...document.querySelectorAll('[data-stale="true"]')]
    .filter(e => e.innerText.trim()).length"""


def one_start(page):
    """Seconds from the click until the last stale element with text, and until "Starting…"."""
    start = page.locator(".st-key-start button")
    page.locator(".st-key-start button:not([disabled])").wait_for(timeout=60000)
    page.wait_for_timeout(1500)
    t0 = time.perf_counter()
    start.click()
    last_stale, starting = 0.0, None
    while time.perf_counter() - t0 < 4:
        now = time.perf_counter() - t0
        if page.evaluate(STALE):
            last_stale = now
        if starting is None and page.get_by_text("Starting…").count():
            starting = now
        page.wait_for_timeout(50)
    page.get_by_text("Wall time").first.wait_for(timeout=120000)  # this run's end
    return last_stale, starting


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--app", type=Path, default=ROOT, help="the checkout whose app is measured")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright
    app = args.app.resolve()
    with streamlit_app(prefix=["taskset", "-c", "0"], script=app / "app.py", cwd=app) as url, \
            sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_on_core(1), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1100})
        page.goto(url + "?preset=article&iters=600&tab=train")
        page.locator(".st-key-start button").click(timeout=60000)
        page.get_by_text("Wall time").first.wait_for(timeout=120000)
        rows = [one_start(page) for _ in range(args.repeats)]
        browser.close()
    print(f"app {app}; the article's settings, 600 iterations; server on core 0, browser on core 1")
    print("after Start, s: last stale element   'Starting…' shown")
    for stale, starting in rows:
        print(f"{'':16}{stale:>6.2f}{'' if starting is None else f'{starting:>22.2f}'}")
    print(f"median last stale: {statistics.median(r[0] for r in rows):.2f} s")


if __name__ == "__main__":
    main()
