"""The server's memory over many sessions opened and closed, as a day of classes would.

    python -m bench.sessions_memory [--sessions 50] [--batch 10] [--preset fast]
    python -m bench.sessions_memory --caps [--sessions 40] [--kept 5] [--workers 2] [--app DIR]

``--caps``: a class at the sidebar's caps, of virtual students (:mod:`bench.support.stclient`:
one websocket session each, no browser). Each opens a link to the largest network the
sidebar builds (784-512x5-256-10 with batch normalisation, Adam), trains ``--kept`` runs
of 10 iterations with seeds of its own (no two sessions share a run: the worst case) and
keeps each, then starts one more of 500 iterations and pauses it. The server's memory
is read with a fresh page open, with every session holding its runs, and 120 s after they
all left; with the files of checkpoints and models in the pool's folder on disk.

Without ``--caps``:

The server (and its workers) run on core 0, one headless Chromium on core 1. Sessions
come in batches of ``--batch``: each opens the app, draws a digit and waits for the
prediction; every other one also trains a run of ``--preset`` to the end (the pool
queues them) and keeps its results, history and model. Then the batch closes its
pages. The server's memory (RSS and PSS, from /proc) is read before the first batch,
with each batch open, and after each batch has left, once
``server.disconnectedSessionTTL`` (60 s) has passed and the server has shut the sessions
down (``ui/expiry``); and 120 s after the last page closed, against a fresh server with
one page open. Memory that grows with every batch and is never given back is a leak; memory
that returns to about the same level after each batch is bounded.
"""
import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bench.support.headless import LABELS
from bench.support.pages import DIGITS, HAS_PREDICTION, draw, open_page
from bench.support.procs import memory_mb, processes
from bench.support.words import Words
from tests.support.browser import CHROMIUM_ARGS, chromium_on_core, streamlit_app

TTL = 60  # .streamlit/config.toml's server.disconnectedSessionTTL
LAST = 120  # seconds after the last page closed, when the server should be back to its size


async def session(browser, url, trains, preset, errors):
    try:
        page = await open_page(browser, url, Words("en"), [])  # its frames are not read here
        if trains:
            if preset != "article_he":
                sidebar = page.get_by_test_id("stSidebar")
                await sidebar.get_by_test_id("stSelectbox").filter(has_text="Preset").first.click()
                await page.get_by_role("option", name=LABELS[preset]).click()
                await page.wait_for_timeout(1500)
            await page.locator(".st-key-panels").get_by_role("button", name="Start").click(timeout=120000)
            await page.get_by_text("Test accuracy (10,000 images)").wait_for(timeout=600000)
        await page.locator(".st-key-tab").get_by_role("radio", name="Draw").click(timeout=120000)
        await page.get_by_text("The canvas is empty").wait_for(timeout=120000)
        await draw(page, DIGITS[7])
        await page.wait_for_function(HAS_PREDICTION, polling=200, timeout=120000)
        return page.context
    except Exception as e:  # noqa: BLE001 - a bench counts failures
        errors.append(f"{type(e).__name__}: {str(e)[:200]}")
        return None


def figures(server):
    m = memory_mb(server)
    workers = [memory_mb(w) for w in processes_of(server)]
    return (f"server {m['Rss']:.0f} MB RSS / {m['Pss']:.0f} MB PSS; workers "
            + ", ".join(f"{w['Rss']:.0f} MB RSS" for w in workers))


def processes_of(server):
    return [int(p) for p in Path(f"/proc/{server}/task/{server}/children").read_text().split()]


async def run(args, url, port):
    from playwright.async_api import async_playwright
    errors = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=chromium_on_core(1), args=CHROMIUM_ARGS)
        (server,), _ = processes([port])
        print(f"before any session: {figures(server)}", flush=True)
        one = await session(browser, url, False, args.preset, errors)  # the target's reference
        fresh = memory_mb(server)["Rss"]
        print(f"a fresh server with one page open (it drew a digit): {figures(server)}", flush=True)
        if one is not None:
            await one.close()
        for first in range(0, args.sessions, args.batch):
            n = min(args.batch, args.sessions - first)
            t0 = time.perf_counter()
            contexts = await asyncio.gather(*(session(browser, url, (first + i) % 2 == 0, args.preset, errors)
                                              for i in range(n)))
            print(f"sessions {first + 1}-{first + n} open ({time.perf_counter() - t0:.0f} s): "
                  f"{figures(server)}", flush=True)
            for c in contexts:
                if c is not None:
                    await c.close()
            await asyncio.sleep(TTL + 15)
            print(f"  {TTL + 15} s after they left: {figures(server)}", flush=True)
        await asyncio.sleep(LAST - TTL - 15)
        rss = memory_mb(server)["Rss"]
        print(f"{LAST} s after the last page closed: {figures(server)}; {rss / fresh:.2f}x the fresh server "
              f"with one page open (target <= 1.25x)", flush=True)
        await browser.close()
    print(f"errors: {len(errors)} {errors[:3]}")


CAPS = ("hidden_size=512&depth=6&normalization=batch&optimizer=adam&learning_rate=0.001"
        "&batch_size=128&iters=10")
PAUSED_ITERS = 500  # its checkpoint is as large at any length: weights, Adam's moments, the good copy


def run_files():
    """(files, MB) in the training pools' folders (one server runs)."""
    files = [f for d in Path(tempfile.gettempdir()).glob("ffn-runs-*") for f in d.iterdir()]
    return len(files), sum(f.stat().st_size for f in files) / 2**20, [f.stat().st_size / 2**20 for f in files]


async def caps_student(s, i, kept, errors, timeout=3600):
    """Open, train ``kept`` runs and keep them, then start one more and pause it."""
    def shows(*needles):
        return lambda st: any(st.find(n) for n in needles)
    try:
        for k in range(kept):
            await s.run(seed={"int_value": 1000 * i + k})
            await s.run(trigger="start")
            await s.follow(shows("Test accuracy", "could not start", "stopped unexpectedly", "queue is full"),
                           timeout=timeout)
            if not s.find("Test accuracy"):
                raise RuntimeError(f"run {k}: {s.texts()[-3:]}")
        await s.run(seed={"int_value": 1000 * i + kept}, iters={"int_value": PAUSED_ITERS})
        while True:
            await s.run(trigger="start")
            await s.follow(lambda st: any(t.startswith("iteration ") for t in st.texts())
                           or st.find("queue is full") or st.find("Test accuracy"), timeout=timeout)
            if not s.find("queue is full"):
                break
            await asyncio.sleep(20)  # as a student told the queue is full tries again later
        await s.run(trigger="pause")
        await s.follow(shows("· paused", "Test accuracy"), timeout=timeout)
        if not s.find("· paused"):
            raise RuntimeError("the run ended before the pause")
    except Exception as e:  # noqa: BLE001 - a bench counts failures
        errors.append(f"student {i}: {type(e).__name__}: {str(e)[:200]}")


async def caps_class(args, url, server):
    from bench.support.stclient import Student
    errors = []
    print(f"before any session: {figures(server)}", flush=True)
    one = Student(url, "tab=draw")
    await one.open()
    fresh = memory_mb(server)["Rss"]
    print(f"a fresh server with one page open: {figures(server)}", flush=True)
    await one.close()
    students = [Student(url, CAPS) for _ in range(args.sessions)]
    for s in students:
        await s.open(timeout=120)
    print(f"{args.sessions} sessions open: {figures(server)}", flush=True)
    t0 = time.perf_counter()
    await asyncio.gather(*(caps_student(s, i, args.kept, errors) for i, s in enumerate(students)))
    await asyncio.sleep(5)
    held = memory_mb(server)["Rss"]
    n, mb, sizes = run_files()
    big = [x for x in sizes if x > 10]
    print(f"each of {args.sessions} sessions holding {args.kept} kept runs at the caps and one paused "
          f"({time.perf_counter() - t0:.0f} s): {figures(server)}", flush=True)
    print(f"  per session: {(held - fresh) / args.sessions:.1f} MB above the fresh server", flush=True)
    print(f"  on disk, in the pool's folder: {n} files, {mb:.0f} MB; {len(big)} checkpoints of "
          f"{min(big, default=0):.1f}-{max(big, default=0):.1f} MB", flush=True)
    for s in students:
        await s.close()
    await asyncio.sleep(LAST)
    rss = memory_mb(server)["Rss"]
    n, mb, _sizes = run_files()
    print(f"{LAST} s after the last page closed: {figures(server)}; {rss / fresh:.2f}x the fresh server "
          f"with one page open; {n} files ({mb:.0f} MB) left in the pool's folder", flush=True)
    if args.later:
        await asyncio.sleep(args.later - LAST)
        rss = memory_mb(server)["Rss"]
        print(f"{args.later} s after: {figures(server)}; {rss / fresh:.2f}x the fresh server", flush=True)
    print(f"errors: {len(errors)} {errors[:3]}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sessions", type=int, default=50)
    ap.add_argument("--batch", type=int, default=10)
    ap.add_argument("--preset", default="fast", choices=sorted(LABELS))
    ap.add_argument("--caps", action="store_true", help="virtual students at the sidebar's caps")
    ap.add_argument("--kept", type=int, default=5)
    ap.add_argument("--workers", type=int, default=2, help="with --caps: the pool's workers")
    ap.add_argument("--later", type=int, default=0, help="with --caps: read the server again this many "
                    "seconds after the last page closed")
    ap.add_argument("--app", type=Path, default=None,
                    help="with --caps: another checkout's app (before and after)")
    args = ap.parse_args()
    log = tempfile.mkstemp(prefix="sessions-", suffix=".log")[1]
    if args.caps:
        env = {"OPENBLAS_NUM_THREADS": "1", "FFN_TRAINING_WORKERS": str(args.workers)}
        where = {} if args.app is None else {"script": args.app / "app.py", "cwd": args.app}
        with streamlit_app(env=env, log_path=log, **where) as url:
            (server,), _ = processes([int(url.rsplit(":", 1)[1])])
            asyncio.run(caps_class(args, url, server))
    else:
        pin = ["taskset", "-c", "0"]
        with streamlit_app(prefix=pin, env={"OPENBLAS_NUM_THREADS": "1"}, log_path=log) as url:
            asyncio.run(run(args, url, int(url.rsplit(":", 1)[1])))
    tracebacks = Path(log).read_text(errors="replace").count("Traceback")
    print(f"tracebacks in the server's log: {tracebacks}")


if __name__ == "__main__":
    main()
