"""The app's page in a browser, for the benches: digits to draw with the mouse, what the page
shows once it has predicted, and the asyncio Playwright helpers that open a session and draw
on its canvas (the synchronous ``draw`` is ``tests/support/browser.py``'s)."""
import base64
import time

from tests.support.browser import CANVAS

# Strokes on the 280x280 canvas, in canvas pixels: one list of points per stroke.
DIGITS = {7: [[(50, 50), (230, 50), (110, 250)]],
          1: [[(130, 30), (145, 140), (150, 250)]],
          2: [[(60, 80), (100, 40), (180, 40), (210, 90), (60, 240), (230, 240)]],
          0: [[(140, 30), (70, 80), (60, 180), (140, 250), (215, 180), (210, 80), (150, 36)]]}
# True once a "Prediction" metric is on the page (bench.support.words translates the word).
HAS_PREDICTION = """() => [...document.querySelectorAll('[data-testid="stMetric"]')]
                     .some(m => m.innerText.includes('Prediction'))"""


async def draw(page, strokes, steps=12):
    """Draw ``strokes`` (``DIGITS``' kind) on the page's canvas; the time just before the
    last mouse-up (``time.perf_counter``)."""
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


def _frame(frames, direction, keep, prediction):
    def record(e):
        r = e["response"]
        data = base64.b64decode(r["payloadData"]) if r["opcode"] == 2 else r["payloadData"].encode()
        frames.append((e["timestamp"], direction, len(data), prediction in data, data if keep else None))
    return record


async def open_page(browser, url, words, frames, keep=False):
    """A session opened from ``url`` in a context of its own, once the page shows
    ``words.hyperparameters`` (``words``: a ``bench.support.words.Words``). Its websocket
    frames go to ``frames`` as (browser time, direction, bytes, prediction?, the data if
    ``keep``), timed by the browser's network layer (Chrome DevTools Protocol)."""
    context = await browser.new_context(viewport={"width": 1400, "height": 1000})
    page = await context.new_page()
    cdp = await context.new_cdp_session(page)
    await cdp.send("Network.enable")
    needle = words.prediction.encode()
    cdp.on("Network.webSocketFrameSent", _frame(frames, "sent", keep, needle))
    cdp.on("Network.webSocketFrameReceived", _frame(frames, "received", keep, needle))
    await page.goto(url)
    await page.get_by_text(words.hyperparameters, exact=True).wait_for(timeout=120000)
    return page
