"""A class at once: many sessions drawing against one server while some train.

    python bench/classroom.py [--drawers 12] [--trainers 4] [--drawings 6] [--preset fast] [--app DIR]

The server (and its training workers, which inherit its core) runs on core 0; one
headless Chromium on core 1 holds every session, each in its own browser context, as
when the students' browsers run on their own machines. Two phases, in one run:

1. quiet: every drawer draws ``--drawings`` digits at once, nobody training;
2. training: the trainers press Start at the same moment (the pool queues what it
   cannot run yet), and the drawers draw again while the runs train.

For each drawing it times mouse-up to the prediction on screen, and the server's share:
from the websocket frame carrying the drawing leaving the browser to the first frame
carrying the prediction arriving, both timed by the browser's network layer (Chrome
DevTools Protocol timestamps), so a browser busy drawing sixteen pages does not count.
It reports the p50 and p90 of both phases, the runs finished, each queued run's
estimated wait (read from its page) against its real wait, the errors seen on the pages
and in the server's log, the memory of the server and its workers, and the training
throughput in images per worker-CPU-second against the same run headless with the same
BLAS threads (one: the server has one core).

``--app DIR`` runs another checkout's app (a ``git worktree`` of an older commit) for a
before-and-after; one that trains in its script threads has no workers, and its
training CPU is then the server's own.
"""
import argparse
import asyncio
import base64
import os
import re
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
from headless import LABELS, headless  # noqa: E402



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


def server_share(frames):
    """Seconds from the frame carrying the drawing (the largest one the page sent) to the
    first frame back that carries the prediction, by the browser's network clock."""
    sent = [f for f in frames if f[1] == "sent"]
    if not sent:
        return None
    drawing = max(sent, key=lambda f: f[2])
    back = [f[0] for f in frames if f[1] == "received" and f[3] and f[0] >= drawing[0]]
    return back[0] - drawing[0] if back else None


async def drawer(page, frames, n, out, errors):
    order = list(DIGITS) * n
    for d in order[:n]:
        frames.clear()
        try:
            t0 = await draw(page, DIGITS[d])
            await page.wait_for_function(HAS_PREDICTION, polling="raf", timeout=60000)
            t1 = time.perf_counter()
            out.append((t1 - t0, server_share(frames)))
            # a browser holding sixteen pages can take its time: the server's share is what is timed
            await page.locator(".st-key-panels").get_by_role("button", name="Clear").click(timeout=120000)
            await page.get_by_text("The canvas is empty").wait_for(timeout=120000)
            await asyncio.sleep(0.5)
        except Exception as e:  # noqa: BLE001 - a bench counts failures, it does not stop at one
            errors.append(f"drawing: {type(e).__name__}: {str(e)[:300]}")


QUEUED = re.compile(rb"number \d+ in the queue and should start in about (\d+) s")
STARTED = re.compile(rb"iteration [\d,]+ / [\d,]+")


async def trainer(page, frames, preset, out, errors):
    """Press Start and follow the run by the frames the server sends (their browser times), not
    by reading a page that a browser holding sixteen pages may be slow to draw."""
    if preset != "article_he":
        await page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(has_text="Preset").first.click()
        await page.get_by_role("option", name=LABELS[preset]).click()
        await page.wait_for_timeout(1500)
    frames.clear()
    await page.locator(".st-key-panels").get_by_role("button", name="Start").click(timeout=120000)
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < 900:
        await asyncio.sleep(0.5)
        clicked = next((f[0] for f in frames if f[1] == "sent"), None)
        got = [(f[0], f[4]) for f in frames if f[1] == "received" and clicked is not None and f[0] >= clicked]
        if any(b"Training stopped unexpectedly" in d or b"could not start" in d for _, d in got):
            errors.append("a run failed")
            return
        done = next((t for t, d in got if b"Test accuracy (10,000 images)" in d), None)
        if done is not None:
            queued = next((QUEUED.search(d) for _, d in got if QUEUED.search(d)), None)
            started = next((t for t, d in got if STARTED.search(d)), None)
            out.append({"estimate": float(queued.group(1)) if queued else None,
                        "waited": None if started is None else started - clicked, "total": done - clicked})
            return
    errors.append("a run did not finish within 15 minutes")


async def phase(browser_pages, trainers_pages, args, errors):
    drawn, runs = [], []
    tasks = [drawer(p, f, args.drawings, drawn, errors) for p, f in browser_pages]
    tasks += [trainer(p, f, args.preset, runs, errors) for p, f in trainers_pages]
    await asyncio.gather(*tasks)
    return drawn, runs


def _frame(frames, direction, keep):
    def record(e):
        r = e["response"]
        data = base64.b64decode(r["payloadData"]) if r["opcode"] == 2 else r["payloadData"].encode()
        frames.append((e["timestamp"], direction, len(data), b"Prediction" in data, data if keep else None))
    return record


async def open_page(browser, url, frames=None, keep=False):
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    if frames is not None:  # its websocket frames: (browser time, direction, bytes, prediction?, data if keep)
        cdp = await context.new_cdp_session(page)
        await cdp.send("Network.enable")
        cdp.on("Network.webSocketFrameSent", _frame(frames, "sent", keep))
        cdp.on("Network.webSocketFrameReceived", _frame(frames, "received", keep))
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
            await page.locator(".st-key-tab").get_by_role("radio", name="Draw").click()
            await page.get_by_text("The canvas is empty").wait_for(timeout=60000)
            drawers.append((page, frames))
        trainers = []
        for _ in range(args.trainers):
            frames = []
            trainers.append((await open_page(browser, url, frames, keep=True), frames))
        server, workers = processes(port)
        print(f"{args.drawers} drawing and {args.trainers} training sessions open; server {server}, "
              f"workers {workers}; server memory {memory_mb(server)}", flush=True)
        errors = []
        quiet, _ = await phase(drawers, [], args, errors)
        trainers_cpu = workers or [server]  # an app without workers trains in its server
        cpu0 = sum(cpu_seconds(w) for w in trainers_cpu)
        busy, runs = await phase(drawers, trainers, args, errors)
        cpu1 = sum(cpu_seconds(w) for w in (processes(port)[1] or [server]))
        mem = {"server": memory_mb(server), "workers": [memory_mb(w) for w in processes(port)[1]]}
        await browser.close()
    log_text = Path(log).read_text(errors="replace")
    errors += ["server log: Traceback"] * log_text.count("Traceback")
    return quiet, busy, runs, errors, mem, cpu1 - cpu0


def report(name, drawn):
    lat = np.array([d[0] for d in drawn]) * 1e3
    share = np.array([d[1] for d in drawn if d[1] is not None]) * 1e3
    print(f"  {name}: {len(lat)} drawings ({len(lat) - len(share)} without a server time); "
          f"mouse-up to prediction p50 {np.median(lat):.0f} ms, p90 {np.percentile(lat, 90):.0f} ms; server's share p50 {np.median(share):.0f} ms, "
          f"p90 {np.percentile(share, 90):.0f} ms")
    return np.percentile(share, 90)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--drawers", type=int, default=12)
    ap.add_argument("--trainers", type=int, default=4)
    ap.add_argument("--drawings", type=int, default=6)
    ap.add_argument("--preset", default="fast", choices=sorted(LABELS))
    ap.add_argument("--app", type=Path, default=ROOT, help="the checkout whose app is measured")
    args = ap.parse_args()
    app = args.app.resolve()
    env = {"OPENBLAS_NUM_THREADS": "1"}
    log = tempfile.mkstemp(prefix="classroom-", suffix=".log")[1]
    with streamlit_app(prefix=["taskset", "-c", "0"], env=env, log_path=log, script=app / "app.py",
                       cwd=app) as url:
        port = int(url.rsplit(":", 1)[1])
        quiet, busy, runs, errors, mem, worker_cpu = asyncio.run(run(args, url, port, log))
    print(f"app {app}: server on core 0 with its workers, the browsers on core 1")
    p90_quiet = report("nobody training", quiet)
    p90_busy = report(f"{args.trainers} pressing Start", busy)
    print(f"  server's share p90 while training / nobody training = {p90_busy / p90_quiet:.2f} (target <= 1.25)")
    print(f"runs finished: {len(runs)} of {args.trainers}; errors: {len(errors)} {errors[:5]}")
    for r in sorted(runs, key=lambda r: r["waited"] or 0):
        est = "not queued" if r["estimate"] is None else f"estimated wait {r['estimate']:.0f} s"
        print(f"  a run: {est}, started after {r['waited']:.1f} s, its figures after {r['total']:.1f} s "
              "(from its Start, by the server's frames)")
    print(f"memory: server {mem['server']['Rss']:.0f} MB RSS; workers "
          + (", ".join(f"{m['Rss']:.0f} MB RSS / {m['Pss']:.0f} MB PSS" for m in mem["workers"]) or "none"))
    _wall, cpu, images = headless(args.preset, ["taskset", "-c", "0"], env)
    rate = images / cpu
    live = images * len(runs) / worker_cpu if worker_cpu else float("nan")
    last = max((r["total"] for r in runs), default=float("nan"))
    who = "worker" if mem["workers"] else "server (it trains in its script threads)"
    print(f"throughput: {live:,.0f} images per {who}-CPU-second in the app, {rate:,.0f} headless with one "
          f"BLAS thread: {live / rate:.0%} (target >= 85 %); {images * len(runs) / last:,.0f} images/s "
          f"from the Starts to the last run's figures")


if __name__ == "__main__":
    main()
