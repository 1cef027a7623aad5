"""What live training in the app costs against the trainer run headless.

    python -m bench.live_training [--preset article_he] [--repeats 2] [--app DIR] [--pinned-only]

Method. The same run (a preset's settings) is timed twice:
  headless  the trainer the app's worker builds, stepped to the end in a plain Python
            process, then its final accuracies measured;
  live      the real app (streamlit run app.py) driven by headless Chromium with
            Playwright: press Start, wait for the final figures on screen. Two times:
            what the student waits, from the click to the figures on screen (the page's
            reruns, the pool's dispatch, the worker's run and the browser's drawing),
            timed by the page's own clock (see STOPWATCH; the same span timed from this
            script, Playwright's click and polling included, is printed beside it), and
            the wall time the app reports (the run's time in a worker).
On a laptop or a hosted demo the browser runs on the student's machine, not beside the
server. To keep that true on this 2-core machine, the server (and the headless run) get
core 0 only (its training workers inherit that) and Chromium gets core 1 (taskset;
OpenBLAS limited to one thread in both), with this script and its Playwright driver.
A second, unpinned pair shows what happens when browser and server share both cores.
--app DIR times the app of another checkout instead (for a before-and-after: a
`git worktree` of an older commit), against the same headless trainer.
"""
import argparse
import re
import shutil
import statistics
import time
from pathlib import Path

from bench.support.headless import LABELS, headless
from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, chromium_on_core, harness_on_core, streamlit_app

ROOT = Path(__file__).resolve().parent.parent

WALL = r"Wall time ([\d.]+) s"  # the final figures' line, and the run's wall time in it
# The student's wait, timed by the page's own clock: from the click on Start (a listener
# in the capture phase, before the app's own) to the first frame after the final figures
# entered the page (a MutationObserver; textContent, which needs no layout). Neither
# Playwright's click, with its checks before it, nor its polling is counted.
STOPWATCH = """() => {
    const t = window.__wait = {};
    document.addEventListener('click', () => { t.click ??= performance.now(); }, true);
    new MutationObserver((_, obs) => {
        const done = [...document.querySelectorAll('[data-testid="stAlertContentSuccess"]')]
            .some(e => /WALL/.test(e.textContent));
        if (done && t.click !== undefined) {
            obs.disconnect();
            requestAnimationFrame(() => { t.seen = performance.now(); });
        }
    }).observe(document.body, {childList: true, subtree: true, characterData: true});
}""".replace("WALL", WALL)


def live(preset, prefix, env, chromium, app=ROOT):
    from playwright.sync_api import sync_playwright
    with streamlit_app(env=env, prefix=prefix, script=app / "app.py", cwd=app) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        page.get_by_text("Hyperparameters", exact=True).wait_for(timeout=60000)
        if preset != "article_he":
            page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(has_text="Preset").first.click()
            page.get_by_role("option", name=LABELS[preset]).click()
            time.sleep(1)
        start = page.locator(".st-key-panels").get_by_role("button", name="Start")
        page.evaluate(STOPWATCH)
        t0 = time.perf_counter()
        start.click()
        # A check every 100 ms: Playwright's own wait re-reads the whole page at every
        # animation frame, a load on the browser that the student's page does not have.
        page.wait_for_function("() => window.__wait.seen !== undefined", polling=100, timeout=600000)
        outside = time.perf_counter() - t0
        waited = page.evaluate("() => (window.__wait.seen - window.__wait.click) / 1000")
        figures = page.get_by_test_id("stAlertContentSuccess").filter(has_text=re.compile(WALL)).first
        wall = float(re.search(WALL, figures.inner_text()).group(1))
        browser.close()
    return waited, wall, outside


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="article_he")
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--app", type=Path, default=ROOT, help="the checkout whose app is timed")
    ap.add_argument("--pinned-only", action="store_true", help="skip the unpinned pair")
    args = ap.parse_args()
    taskset = shutil.which("taskset")
    setups = [("pinned: server on core 0, browser on core 1", ["taskset", "-c", "0"],
               {"OPENBLAS_NUM_THREADS": "1"}, chromium_on_core(1), 1),
              ("unpinned: server and browser share both cores", [], {}, CHROMIUM, None)]
    if not taskset:
        setups = setups[1:]
        print("taskset not found: only the unpinned figures")
    elif args.pinned_only:
        setups = setups[:1]
    print(f"app {args.app.resolve()}; preset {args.preset}; "
          f"best of {args.repeats} pairs (headless, then the app) each")
    for name, prefix, env, chromium, core in setups:
        hs, ws = [], []
        for _ in range(args.repeats):  # alternated, so both sides see the machine's same moods
            hs.append(headless(args.preset, prefix, env)[0])
            with harness_on_core(core):
                ws.append(live(args.preset, prefix, env, chromium, args.app.resolve()))
        h, (waited, wall, outside) = min(hs), min(ws)
        print(f"{name}: headless {h:.2f} s; in the app, click to final figures on screen {waited:.2f} s "
              f"({waited / h:.2f}x headless; target <= 1.10x; {outside:.2f} s timed from this script), "
              f"wall time the app reports {wall:.2f} s ({wall / h:.2f}x)", flush=True)
        ratios = [b[0] / a for a, b in zip(hs, ws)]
        print("  each pair: " + "; ".join(f"headless {a:.2f}, app {b[0]:.2f} ({r:.2f}x)"
                                          for a, b, r in zip(hs, ws, ratios))
              + f"; median of the pairs' ratios {statistics.median(ratios):.2f}x", flush=True)


if __name__ == "__main__":
    main()
