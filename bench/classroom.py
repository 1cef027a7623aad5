"""A class at once: many sessions drawing against one server while some train.

    python bench/classroom.py [--drawers 12] [--trainers 4] [--drawings 6] [--preset fast]

The server (and its training workers, which inherit its core) runs on core 0; one
headless Chromium on core 1 holds every session, each in its own browser context, as
when the students' browsers run on their own machines. Two phases, in one run:

1. quiet: every drawer draws ``--drawings`` digits at once, nobody training;
2. training: the trainers press Start at the same moment (the pool queues what it
   cannot run yet), and the drawers draw again while the runs train.

For each drawing it times mouse-up to the prediction on screen, and the server's share:
from the drawing leaving the browser (its websocket frame) to the prediction on screen.
It reports the p50 and p90 of both phases, the runs finished, each queued run's
estimated wait (read from its page) against its real wait, the errors seen on the pages
and in the server's log, the memory of the server and its workers, and the training
throughput in images per worker-CPU-second against the same run headless with the same
BLAS threads (one: the server has one core).
"""
import argparse
import asyncio
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from playwright.async_api import TimeoutError as PlaywrightTimeout

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "bench"))
from app_latency import DIGITS, HAS_PREDICTION  # noqa: E402
from browser import CANVAS, CHROMIUM_ARGS, chromium_on_core, streamlit_app  # noqa: E402

LABELS = {"article_he": "Article's network, He init", "fast": "Fast and accurate"}
HEADLESS = """
import sys, time
sys.path.insert(0, {root!r})
import ffn
from ui.run import APP_LIMITS, EVAL_SIZE, EVALS_PER_RUN
(x, t), _ = ffn.load_mnist()
tr = ffn.build_trainer(ffn.preset({preset!r}), x, t, limits=APP_LIMITS, eval_size=EVAL_SIZE,
                       evals_per_run=EVALS_PER_RUN)
c0 = time.process_time()
tr.step()
print(tr.iteration * tr.batch_size / (time.process_time() - c0), tr.iteration * tr.batch_size)
"""


def processes(port):
    """(server pid, [worker pids]) of the server listening on ``port``."""
    server = next(int(p) for p in os.listdir("/proc") if p.isdigit() and _cmd(p) and "streamlit" in _cmd(p)
                  and f"--server.port\0{port}" in _cmd(p))
    workers = [int(p) for p in os.listdir("/proc") if p.isdigit() and "ffn.worker" in _cmd(p)]
    return server, workers


def _cmd(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_text()
    except OSError:
        return ""


def memory_mb(pid):
    out = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        k, *v = line.split()
        if k in ("Rss:", "Pss:"):
            out[k[:-1]] = int(v[0]) / 1024
    return out


def cpu_seconds(pid):
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def draw(page, strokes, steps=12):
    box = await page.locator(CANVAS).first.bounding_box()
    sx, sy = box["width"] / 280, box["height"] / 280
    for stroke in strokes:
        x0, y0 = stroke[0]
        await page.mouse.move(box["x"] + x0 * sx, box["y"] + y0 * sy)
        await page.wait_for_timeout(300)  # hover first: the toolbar slides away
        await page.mouse.down()
        for (a, b), (c, d) in zip(stroke, stroke[1:]):
            for k in range(1, steps + 1):
                await page.mouse.move(box["x"] + (a + (c - a) * k / steps) * sx,
                                      box["y"] + (b + (d - b) * k / steps) * sy)
        released = time.perf_counter()
        await page.mouse.up()
    return released


async def drawer(page, frames, n, out, errors):
    order = list(DIGITS) * n
    for d in order[:n]:
        frames.clear()
        try:
            t0 = await draw(page, DIGITS[d])
            await page.wait_for_function(HAS_PREDICTION, polling="raf", timeout=60000)
            t1 = time.perf_counter()
            sent = [f for f in frames if f > t0]
            out.append((t1 - t0, t1 - sent[0] if sent else None))
            await page.get_by_test_id("stTabs").get_by_role("button", name="Clear").click()
            await page.get_by_text("The canvas is empty").wait_for(timeout=60000)
            await asyncio.sleep(0.5)
        except Exception as e:  # noqa: BLE001 - a bench counts failures, it does not stop at one
            errors.append(f"drawing: {type(e).__name__}: {str(e)[:120]}")


async def trainer(page, preset, out, errors):
    if preset != "article_he":
        await page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").first.click()
        await page.get_by_role("option", name=LABELS[preset]).click()
        await page.wait_for_timeout(1500)
    await page.get_by_test_id("stTabs").get_by_role("button", name="Start").click()
    t0 = time.perf_counter()
    estimate, started = None, None
    while time.perf_counter() - t0 < 900:
        try:  # a browser with sixteen pages on one core can be slow to answer: ask again
            text = await page.locator("body").inner_text(timeout=60000)
        except PlaywrightTimeout:
            continue
        m = re.search(r"number \d+ in the queue and should start in about (\d+) s", text)
        if m and estimate is None:
            estimate = float(m.group(1))
        if started is None and re.search(r"iteration [\d,]+ / [\d,]+", text):
            started = time.perf_counter() - t0
        if "Training stopped unexpectedly" in text or "could not start" in text:
            errors.append("a run failed")
            return
        if "Test accuracy (10,000 images)" in text:
            out.append({"estimate": estimate, "waited": started, "total": time.perf_counter() - t0})
            return
        await asyncio.sleep(1.0)  # the waits are read to the second
    errors.append("a run did not finish within 15 minutes")


async def phase(browser_pages, trainers_pages, args, errors):
    drawn, runs = [], []
    tasks = [drawer(p, f, args.drawings, drawn, errors) for p, f in browser_pages]
    tasks += [trainer(p, args.preset, runs, errors) for p in trainers_pages]
    await asyncio.gather(*tasks)
    return drawn, runs


async def open_page(browser, url, frames=None):
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    if frames is not None:
        page.on("websocket", lambda ws: ws.on("framesent", lambda _: frames.append(time.perf_counter())))
    await page.goto(url)
    await page.get_by_text("Hyperparameters").wait_for(timeout=120000)
    return page


async def run(args, url, port, log):
    from playwright.async_api import async_playwright
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium_on_core(1), args=CHROMIUM_ARGS)
        drawers = []
        for _ in range(args.drawers):
            frames = []
            page = await open_page(browser, url, frames)
            await page.get_by_role("tab", name="Draw").click()
            await page.get_by_text("The canvas is empty").wait_for(timeout=60000)
            drawers.append((page, frames))
        trainers = [await open_page(browser, url) for _ in range(args.trainers)]
        server, workers = processes(port)
        print(f"{args.drawers} drawing and {args.trainers} training sessions open; server {server}, "
              f"workers {workers}; server memory {memory_mb(server)}", flush=True)
        errors = []
        quiet, _ = await phase(drawers, [], args, errors)
        cpu0 = sum(cpu_seconds(w) for w in workers)
        busy, runs = await phase(drawers, trainers, args, errors)
        cpu1 = sum(cpu_seconds(w) for w in processes(port)[1])
        mem = {"server": memory_mb(server), "workers": [memory_mb(w) for w in processes(port)[1]]}
        await browser.close()
    log_text = Path(log).read_text(errors="replace")
    errors += ["server log: Traceback"] * log_text.count("Traceback")
    return quiet, busy, runs, errors, mem, cpu1 - cpu0


def report(name, drawn):
    lat = np.array([d[0] for d in drawn]) * 1e3
    share = np.array([d[1] for d in drawn if d[1] is not None]) * 1e3
    print(f"  {name}: {len(lat)} drawings; mouse-up to prediction p50 {np.median(lat):.0f} ms, "
          f"p90 {np.percentile(lat, 90):.0f} ms; server's share p50 {np.median(share):.0f} ms, "
          f"p90 {np.percentile(share, 90):.0f} ms")
    return np.percentile(share, 90)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--drawers", type=int, default=12)
    ap.add_argument("--trainers", type=int, default=4)
    ap.add_argument("--drawings", type=int, default=6)
    ap.add_argument("--preset", default="fast", choices=sorted(LABELS))
    args = ap.parse_args()
    env = {"OPENBLAS_NUM_THREADS": "1"}
    log = tempfile.mkstemp(prefix="classroom-", suffix=".log")[1]
    with streamlit_app(prefix=["taskset", "-c", "0"], env=env, log_path=log) as url:
        port = int(url.rsplit(":", 1)[1])
        quiet, busy, runs, errors, mem, worker_cpu = asyncio.run(run(args, url, port, log))
    print("server on core 0 with its workers, the browsers on core 1")
    p90_quiet = report("nobody training", quiet)
    p90_busy = report(f"{args.trainers} pressing Start", busy)
    print(f"  server's share p90 while training / nobody training = {p90_busy / p90_quiet:.2f} (target <= 1.25)")
    print(f"runs finished: {len(runs)} of {args.trainers}; errors: {len(errors)} {errors[:5]}")
    for r in sorted(runs, key=lambda r: r["waited"] or 0):
        est = "not queued" if r["estimate"] is None else f"estimated {r['estimate']:.0f} s"
        print(f"  a run: {est}, started after {r['waited']:.1f} s, results after {r['total']:.1f} s")
    print(f"memory: server {mem['server']['Rss']:.0f} MB RSS; workers "
          + ", ".join(f"{m['Rss']:.0f} MB RSS / {m['Pss']:.0f} MB PSS" for m in mem["workers"]))
    out = subprocess.run(["taskset", "-c", "0", sys.executable, "-c",
                          HEADLESS.format(root=str(ROOT), preset=args.preset)],
                         capture_output=True, text=True, env={**os.environ, **env}, check=True).stdout
    rate, images = map(float, out.split())
    live = images * len(runs) / worker_cpu if worker_cpu else float("nan")
    print(f"throughput: {live:,.0f} images per worker-CPU-second in the app, {rate:,.0f} headless with one "
          f"BLAS thread: {live / rate:.0%} (target >= 85 %)")


if __name__ == "__main__":
    main()
