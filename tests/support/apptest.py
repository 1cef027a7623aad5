"""The page under Streamlit's AppTest: reruns until something holds, and what tests send it."""
import base64
import time

import numpy as np
from PIL import Image, ImageDraw

from tests.support.hostile import png_of


def rerun_until(at, predicate, timeout=180):
    """Run the script until ``predicate(run)`` holds for the session's run, then once more so
    that the buttons (drawn before the live fragment polls) show it too; return the run.

    By the clock, not by a count of runs: a run of the whole page polls the worker once and
    ends (the live fragment's timer, which AppTest does not run, would poll on)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        at.run()
        assert not at.exception
        run = at.session_state["run"]
        if run is not None and predicate(run):
            at.run()
            assert not at.exception
            return run
        time.sleep(0.1)
    raise AssertionError("the run never got there")


def finish_a_run(at, iters):
    """Start a run of ``iters`` iterations with the sidebar as it is, and rerun until it ends."""
    at.number_input(key="iters").set_value(iters)
    at.button(key="start").click().run()
    rerun_until(at, lambda run: run.done)


def code_blocks(at):
    """The page's code blocks but the share control's link (which every page has)."""
    return [c for c in at.code if not c.value.startswith("http")]


def metric(at, label):
    return next((m for m in at.metric if m.label == label), None)


def a_seven():
    """A 7 drawn as the canvas sends it: black strokes on white, 280x280 RGBA, as PNG bytes."""
    img = Image.new("RGBA", (280, 280), (255, 255, 255, 255))
    ImageDraw.Draw(img).line([(50, 50), (230, 50), (110, 250)], fill=(0, 0, 0, 255), width=20)
    return png_of(np.asarray(img))


def data_url(png):
    return "data:image/png;base64," + base64.b64encode(png).decode()


def upload(at, data, name="m.npz"):
    at.file_uploader(key="upload").set_value((name, data, "application/octet-stream"))
    at.run()
    return at
