"""What live training in the app costs against the trainer run headless.

    python bench/live_training.py [--preset article_he] [--repeats 2]

Method. The same run (a preset's settings) is timed twice:
  headless  the trainer the app's worker builds, stepped to the end in a plain Python
            process, then its final accuracies measured;
  live      the real app (streamlit run app.py) driven by headless Chromium with
            Playwright: press Start, wait for the end; the app reports the run's wall
            time (from its first report as running to its final figures, the queue and
            pauses excluded), the worker process, polls and charts included.
On a laptop or a hosted demo the browser runs on the student's machine, not beside the
server. To keep that true on this 2-core machine, the server (and the headless run) get
core 0 only (its training workers inherit that) and Chromium gets core 1 (taskset;
OpenBLAS limited to one thread in both).
A second, unpinned pair shows what happens when browser and server share both cores.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from browser import CHROMIUM, CHROMIUM_ARGS, chromium_on_core, streamlit_app  # noqa: E402

HEADLESS = """
import sys, time
sys.path.insert(0, {root!r})
import ffn
from ui.run import APP_LIMITS, EVAL_SIZE, EVALS_PER_RUN
(x, t), (xt, tt) = ffn.load_mnist()
tr = ffn.build_trainer(ffn.preset({preset!r}), x, t, limits=APP_LIMITS, eval_size=EVAL_SIZE,
                       evals_per_run=EVALS_PER_RUN)
t0 = time.perf_counter()
tr.step()
tr.final_accuracy(xt, tt)  # the app's wall time ends when the worker has sent these
print(time.perf_counter() - t0, tr.train_seconds)
"""


def headless(preset, prefix, env):
    out = subprocess.run([*prefix, sys.executable, "-c", HEADLESS.format(root=str(ROOT), preset=preset)],
                         capture_output=True, text=True, env={**os.environ, **env}, check=True).stdout
    wall, train = map(float, out.split())
    return wall


def live(preset, prefix, env, chromium):
    from playwright.sync_api import sync_playwright
    labels = {"article": "Article's exact settings", "article_he": "Article's network, He init",
              "fast": "Fast and accurate"}
    with streamlit_app(env=env, prefix=prefix) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        page.get_by_text("Hyperparameters").wait_for(timeout=60000)
        if preset != "article_he":
            page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").first.click()
            page.get_by_role("option", name=labels[preset]).click()
            time.sleep(1)
        page.get_by_test_id("stTabs").get_by_role("button", name="Start").click()
        msg = page.get_by_text(re.compile(r"Wall time [\d.]+ s"))
        msg.wait_for(timeout=600000)
        wall = float(re.search(r"Wall time ([\d.]+) s", msg.inner_text()).group(1))
        browser.close()
    return wall


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--preset", default="article_he")
    ap.add_argument("--repeats", type=int, default=2)
    args = ap.parse_args()
    taskset = shutil.which("taskset")
    setups = [("pinned: server on core 0, browser on core 1", ["taskset", "-c", "0"],
               {"OPENBLAS_NUM_THREADS": "1"}, chromium_on_core(1)),
              ("unpinned: server and browser share both cores", [], {}, CHROMIUM)]
    if not taskset:
        setups = setups[1:]
        print("taskset not found: only the unpinned figures")
    print(f"preset {args.preset}; best of {args.repeats} runs each")
    for name, prefix, env, chromium in setups:
        h = min(headless(args.preset, prefix, env) for _ in range(args.repeats))
        w = min(live(args.preset, prefix, env, chromium) for _ in range(args.repeats))
        print(f"{name}: headless {h:.2f} s, live in the app {w:.2f} s, "
              f"live throughput = {h / w:.0%} of headless (cost {w / h - 1:+.0%}; target <= +15%)", flush=True)


if __name__ == "__main__":
    main()
