"""Helpers to run the app in a real browser: start Streamlit, launch Debian's Chromium."""
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the checkout
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
CANVAS = '[data-testid="stBidiComponentIsolated"] canvas.upper-canvas'
# digits drawn on the canvas: polylines in canvas pixels, 0-280
SEVEN = [[(50, 50), (230, 50), (110, 250)]]
TWO = [[(70, 85), (105, 45), (170, 42), (205, 85), (190, 135), (80, 235), (220, 232)]]


def require_chromium():
    """At a browser test module's top: skip it where Debian's Chromium is missing, fail in CI."""
    import pytest

    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            raise RuntimeError(f"{CHROMIUM} is missing: .ci/run must install Debian's chromium")
        pytest.skip(f"no browser at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)


def chromium_on_core(core):
    """Path of a wrapper that starts Chromium pinned to one CPU core (benchmarks use it to
    keep the browser off the server's core, as when it runs on a student's machine)."""
    wrapper = Path(tempfile.mkdtemp()) / f"chromium-core{core}"
    wrapper.write_text(f'#!/bin/sh\nexec taskset -c {core} {CHROMIUM} "$@"\n')
    wrapper.chmod(0o755)
    return str(wrapper)


@contextmanager
def harness_on_core(core):
    """Pin this process to ``core`` while inside, and with it what it starts there (the
    Playwright driver): a bench's own driving belongs on the browser's side. Left free, the
    system may run it on the server's core, which a niced training worker makes look idle.
    Measured during a `fast` run (about 4 s): the script and its driver took 0.09-0.19 CPU-s,
    and the worker waited for its core 0.20-0.29 s when they were free, 0.17-0.21 s when
    they were pinned away (its /proc schedstat, 6 and 5 runs). ``core=None`` leaves it free."""
    if core is None:
        yield
        return
    before = os.sched_getaffinity(0)
    os.sched_setaffinity(0, {core})
    try:
        yield
    finally:
        os.sched_setaffinity(0, before)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def streamlit_app(timeout=60, env=None, prefix=(), script=ROOT / "app.py", log_path=None, args=(), cwd=ROOT):
    """Start ``streamlit run`` on a free port; yield its URL once healthy; stop it by its pid.

    ``prefix`` goes before the command (e.g. ``taskset -c 0``); ``script`` defaults to the app;
    ``args`` are more options for ``streamlit run`` (e.g. ``--runner.fastReruns true``);
    ``cwd`` is where it runs, whose ``.streamlit/config.toml`` it reads (another checkout's,
    for a before-and-after bench).
    The server's output goes to ``log_path`` (a temporary file if not given), never to
    a pipe that nobody reads and that would block the server once full.
    """
    port = free_port()
    cmd = [*prefix, sys.executable, "-m", "streamlit", "run", str(script),
           "--server.headless", "true", "--server.port", str(port),
           "--browser.gatherUsageStats", "false", *args]
    log_path = Path(log_path or tempfile.mkstemp(prefix="streamlit-", suffix=".log")[1])
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=log, stderr=subprocess.STDOUT,
                                env={**os.environ, **(env or {})})
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if urllib.request.urlopen(url + "/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("streamlit did not start:\n" + log_path.read_text(errors="replace"))
            time.sleep(0.02)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()


def open_tab(page, name, shows, timeout=30000):
    """Click the tab ``name`` until ``shows``, a text on that tab, is on screen: a click in a
    fresh page's first moments was once lost (the tab stayed hidden), cause not yet found."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for _ in range(3):
        page.locator(".st-key-tab").get_by_role("radio", name=name).click()
        try:
            page.get_by_text(shows).first.wait_for(timeout=timeout / 3)
            return
        except PlaywrightTimeout:
            continue
    raise AssertionError(f"the {name} tab never showed {shows!r}")


def prediction(page, timeout=20000, label="Prediction"):
    """The digit the page's Prediction metric shows, once it is on the page."""
    metric = page.get_by_test_id("stMetric").filter(has_text=label)
    metric.wait_for(timeout=timeout)
    return metric.get_by_test_id("stMetricValue").inner_text().strip()


def settled_box(locator, timeout=15):
    """``locator``'s bounding box once two reads 0.1 s apart agree. A component's frame is
    laid out after the component has drawn in it, so a first read can be a few pixels wide."""
    deadline = time.monotonic() + timeout
    box = locator.bounding_box()
    while time.monotonic() < deadline:
        time.sleep(0.1)
        again = locator.bounding_box()
        if again == box and box and box["width"] > 30:
            break
        box = again
    return box


def draw(page, strokes, steps=12):
    """Draw polylines (lists of (x, y) in canvas pixels, 0-280) on the app's canvas with the mouse.

    Returns the ``time.perf_counter()`` taken just before the last mouse-up.
    """
    canvas = page.locator(CANVAS).first
    canvas.wait_for(timeout=30000)
    canvas.scroll_into_view_if_needed()  # a pointer outside the window reaches nothing
    box = settled_box(canvas)
    sx, sy = box["width"] / 280, box["height"] / 280
    for stroke in strokes:
        x0, y0 = stroke[0]
        page.mouse.move(box["x"] + x0 * sx, box["y"] + y0 * sy)
        # Hover first, as a hand does: the canvas's toolbar, invisible until hovered, sits
        # over the top-right of the canvas and slides up 0.2 s after the pointer arrives.
        page.wait_for_timeout(300)
        page.mouse.down()
        for (a, b), (c, d) in zip(stroke, stroke[1:]):
            for k in range(1, steps + 1):
                page.mouse.move(box["x"] + (a + (c - a) * k / steps) * sx,
                                box["y"] + (b + (d - b) * k / steps) * sy)
        released = time.perf_counter()
        page.mouse.up()
    return released


def draw_touch(page, strokes, steps=12):
    """Draw polylines on the canvas with a finger: touch events through the DevTools
    protocol (Playwright's touchscreen only taps). ``page``'s context must have ``has_touch``."""
    canvas = page.locator(CANVAS).first
    canvas.wait_for(timeout=30000)
    box = settled_box(canvas)
    sx, sy = box["width"] / 280, box["height"] / 280
    cdp = page.context.new_cdp_session(page)

    def touch(kind, x=None, y=None):
        points = [] if x is None else [{"x": box["x"] + x * sx, "y": box["y"] + y * sy, "id": 1}]
        cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})
    for stroke in strokes:
        touch("touchStart", *stroke[0])
        for (a, b), (c, d) in zip(stroke, stroke[1:]):
            for k in range(1, steps + 1):
                touch("touchMove", a + (c - a) * k / steps, b + (d - b) * k / steps)
                page.wait_for_timeout(8)
        touch("touchEnd")
        page.wait_for_timeout(100)
