"""How long the last run's messages and charts stay on the page, greyed out, after Start.

    python -m bench.start_clears [--repeats 3] [--app DIR]

Method. The app runs on core 0, one headless Chromium on core 1. The page opens the
article's exact settings with 600 iterations (the run ends with its stall note), trains
once, then presses Start again (700 or 800 iterations, so that the new run's notes are
other words) and watches, every 25 ms, the elements that showed the last run's stall note
and its figures ("Wall time …"): Streamlit keeps an element the page's
new run has not drawn again, greyed out, until that run ends. It prints, for each Start,
when each left the document and when the new run's "Starting…" appeared.
--app DIR measures another checkout (a `git worktree` of an older commit).
"""
import argparse
import statistics
import time
from pathlib import Path

from tests.support.browser import CHROMIUM_ARGS, chromium_on_core, streamlit_app

ROOT = Path(__file__).resolve().parent.parent


def one_start(page, iters):
    """Seconds from the click until the last run's stall note, and its figures ("Wall time …"),
    leave the page (their elements are gone from the document, or say something else), and
    until "Starting…" shows."""
    page.locator(".st-key-start button:not([disabled])").wait_for(timeout=60000)
    # another length than every run's before: the new run's notes are other words than the last
    # one's, and there is no finished run of these settings to join
    box = page.get_by_test_id("stSidebar").get_by_label("Iterations", exact=True)
    box.fill(str(iters))
    box.press("Enter")
    page.wait_for_timeout(1500)
    old = [page.get_by_text(text).first.element_handle() for text in ("The loss is still", "Wall time")]
    said = [h.inner_text() for h in old]  # a node the page reuses for other words has left too
    t0 = time.perf_counter()
    page.locator(".st-key-start button").click()
    gone, starting = [None, None], None
    while time.perf_counter() - t0 < 4 and (None in gone or starting is None):
        now = time.perf_counter() - t0
        for i, handle in enumerate(old):
            if gone[i] is None and not handle.evaluate("(e, t) => e.isConnected && e.innerText === t",
                                                        said[i]):
                gone[i] = now
        if starting is None and page.get_by_text("Starting…").count():
            starting = now
        page.wait_for_timeout(25)
    page.get_by_text("Wall time").first.wait_for(timeout=120000)  # this run's end
    return gone[0], gone[1], starting


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
        rows = [one_start(page, 700 + 100 * k) for k in range(args.repeats)]  # each its own run: none to join
        browser.close()
    print(f"app {app}; the article's settings, 600 iterations; server on core 0, browser on core 1")
    print(f"{'after Start, s:':<16}{'stall note gone':>16}{'figures gone':>14}{'Starting… shown':>17}")
    show = lambda v: f"{v:.2f}" if v is not None else "> 4"  # noqa: E731
    for note, figures, starting in rows:
        print(f"{'':<16}{show(note):>16}{show(figures):>14}{show(starting):>17}")
    notes = [r[0] if r[0] is not None else 4.0 for r in rows]
    print(f"median: the stall note gone {statistics.median(notes):.2f} s after Start")

if __name__ == "__main__":
    main()
