"""What the live Train tab costs the server: CPU seconds per minute of training, with the
first layer's tiles on and off.

    python -m bench.page_cpu [--repeats 2] [--iters 3000] [--app DIR]

Method. The app (`streamlit run app.py`) runs on core 0 with its training worker (which
inherits the core); one headless Chromium on core 1 shows the Train tab, as a student's
browser on its own machine would. The run: the default preset with H = 512 and
``--iters`` iterations (about half a minute here). For each run it reads the server's
own CPU seconds (/proc/PID/stat: utime + stime of the Streamlit process, its workers
left out) from the click on Start to the final figures on screen, and divides by the
wall time: CPU seconds per minute of live training. The Gradients chart is on in both
settings; the tiles are switched with their toggle. Settings alternate ABBA.
--app DIR measures the app of another checkout (a `git worktree` of an older commit).
"""
import argparse
import statistics
import time
from pathlib import Path

from bench.support.procs import cpu_seconds, processes
from tests.support.browser import CHROMIUM_ARGS, chromium_on_core, streamlit_app

ROOT = Path(__file__).resolve().parent.parent

DONE = """() => [...document.querySelectorAll('[data-testid="stAlertContentSuccess"]')]
    .some(e => /Wall time/.test(e.innerText))"""


def one_run(page, port, tiles):
    toggle = page.get_by_test_id("stCheckbox").filter(has_text="Show the first layer live").first
    if toggle.locator("input").is_checked() != tiles:
        toggle.click()
        page.wait_for_timeout(1500)
    (server,), workers = processes([port])
    c0, w0, t0 = cpu_seconds(server), sum(cpu_seconds(w) for w in workers), time.perf_counter()
    page.locator(".st-key-panels").get_by_role("button", name="Start").click()
    page.wait_for_function(f"() => !({DONE})()", timeout=30000)
    page.wait_for_function(DONE, polling=250, timeout=600000)
    wall = time.perf_counter() - t0
    c1, w1 = cpu_seconds(server), sum(cpu_seconds(w) for w in processes([port])[1])
    return 60 * (c1 - c0) / wall, wall, w1 - w0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=2)
    ap.add_argument("--iters", type=int, default=3000)
    ap.add_argument("--app", type=Path, default=ROOT, help="the checkout whose app is measured")
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright
    app = args.app.resolve()
    with streamlit_app(prefix=["taskset", "-c", "0"], env={"OPENBLAS_NUM_THREADS": "1"},
                       script=app / "app.py", cwd=app) as url, \
            sync_playwright() as p:
        port = int(url.rsplit(":", 1)[1])
        browser = p.chromium.launch(executable_path=chromium_on_core(1), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        page.get_by_text("Hyperparameters", exact=True).wait_for(timeout=60000)
        slider = page.get_by_test_id("stSidebar").get_by_role("slider").first  # hidden size H
        slider.focus()
        slider.press("End")
        page.get_by_label("Iterations", exact=True).fill(str(args.iters))
        page.get_by_label("Iterations", exact=True).press("Enter")
        page.wait_for_timeout(1500)
        figures = {True: [], False: []}
        for r in range(args.repeats):
            for tiles in ((True, False) if r % 2 == 0 else (False, True)):
                figures[tiles].append(one_run(page, port, tiles))
        browser.close()
    print(f"app {app}; H = 512, {args.iters} iterations; "
          f"server on core 0 (with its worker), browser on core 1")
    print(f"{'tiles':<6}{'runs':>5}{'wall s (median)':>17}{'server CPU s/min':>18}{'worker CPU s':>14}")
    for tiles in (True, False):
        rows = figures[tiles]
        print(f"{'on' if tiles else 'off':<6}{len(rows):>5}{statistics.median(r[1] for r in rows):>17.1f}"
              f"{statistics.median(r[0] for r in rows):>18.2f}{statistics.median(r[2] for r in rows):>14.1f}")
        print("      each run's server CPU s/min: " + ", ".join(f"{r[0]:.2f}" for r in rows))


if __name__ == "__main__":
    main()
