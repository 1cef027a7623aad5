"""Retake every screenshot of the README and docs/ from the running app, so they cannot go stale.

    python -m bench.screenshots [--out assets] [--only NAME ...] [--list]

It starts the app and, for each shot of the table ``SHOTS``, opens the shot's link in Debian's
Chromium in the shot's window (a desktop, a phone, a projector), does what the picture shows
(trains a preset, draws a digit, chooses a cell) and writes ``<out>/screenshot-<name>.png``:
the window as it is, or one panel cut out of it. A shot whose link and window are the
previous shot's, and whose actions begin with the previous shot's, carries on in its page
(``gradients-he`` trains after ``gradients-article``'s run, as a student would); ``--only``
still does all of a shot's actions. A shot that fails is named with its error and a picture
of the page at that moment, the others are taken, and the exit status is then 1.
"""
import argparse
import re
import sys
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.browser import (CANVAS, CHROMIUM, CHROMIUM_ARGS, SEVEN, draw, draw_touch, open_tab,
                                   prediction, streamlit_app)

ROOT = Path(__file__).resolve().parent.parent
STROKES = {  # canvas pixels, 0-280
    "2": [[(70, 90), (110, 50), (170, 50), (200, 95), (180, 150), (80, 235), (215, 235)]],
    "3": [[(70, 60), (110, 40), (190, 45), (200, 90), (120, 135), (195, 175), (190, 230), (120, 245),
           (70, 225)]],
    "7": SEVEN,
}
# The windows: Playwright's new_context options.
README = {"viewport": {"width": 1280, "height": 1180}}     # the README's first two pictures
DESKTOP = {"viewport": {"width": 1400, "height": 1100}}    # as the browser tests see the page
CHINESE = {**DESKTOP, "locale": "zh-CN"}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True,
         "device_scale_factor": 2}
PROJECTOR = {"viewport": {"width": 1920, "height": 960}}   # 1080p less the browser's own bars
NOTE = "Draw+a+7%2C+then+a+1.+Which+does+it+find+harder%3F"
ZH_NOTE = "%E5%85%88%E5%86%99%E4%B8%80%E4%B8%AA+7%EF%BC%8C%E5%86%8D%E5%86%99%E4%B8%80%E4%B8%AA+1%E3%80%82"
SETTLE = 1000  # ms before a picture: a chart's own animation ends, the canvas's toolbar fades
TO_TOP = "e => { e.style.scrollMarginTop = '4rem'; e.scrollIntoView({block: 'start'}); }"  # below the header
DONE = re.compile("Wall time|实际耗时")  # the line a run ends with, in either language


@dataclass(frozen=True)
class Shot:
    """One picture: ``link`` opened in ``window``, then ``actions`` ((verb, *args), verbs of
    ``ACTIONS``), then the window taken (``crop`` None) or the element ``crop`` names (a CSS
    selector, or a function of the page that returns a locator)."""
    link: str
    what: str
    actions: tuple = ()
    crop: object = None
    window: dict = field(default_factory=lambda: DESKTOP)


def gradient_chart(first_layer):
    """The gradient chart's row, found by its legend's first layer."""
    return lambda page: (page.get_by_test_id("stHorizontalBlock")
                         .filter(has=page.get_by_test_id("stPlotlyChart"))
                         .filter(has=page.get_by_text(first_layer)).first)


def confusion_row(page):
    """The confusion chart with what stands beside it (the chosen cell's images)."""
    row = "xpath=ancestor::*[@data-testid='stHorizontalBlock'][1]"
    return page.locator(".st-key-confusion_chart").locator(row)


def tiles(page):
    return page.get_by_test_id("stImage").filter(has_text="What training changed").first


ARTICLE = ("Article's exact settings", "Article's network, He init")
TRAIN_BOTH = (("start",), ("preset", ARTICLE[1]), ("start",))
DEEP_BOTH = (("start",), ("preset", "Deep with batch norm"), ("start",))
COMPARE_BOTH = (("start",), ("choose", "Activation", "Sigmoid"), ("start",))
CONFUSION = (("wait", "The most confident mistakes"), ("cell", 2, 7))
# the diagram's animation at its last frame: the outputs carry their words
DIAGRAM_DONE = ("until", "() => [...document.querySelectorAll('.st-key-network_box text')]"
                         ".some(t => t.textContent.includes('◀'))")
BACKWARD_DRAWN = "() => document.querySelector('.st-key-network_back_box .main-svg') !== null"
BOARD = (("until", "() => !location.search.includes('key=')"),
         ("until", "() => document.querySelector('.st-key-class_scatter .main-svg') !== null"
                   " && document.querySelector('.st-key-class_confusion .main-svg') !== null"))
PRESENTING = ("until", "() => parseFloat(getComputedStyle(document.documentElement).fontSize) >= 24")
GUIDE = "?guide=overfitting&guide_step=1"
ANSWER = ("click", ".st-key-guide_q_overfitting_gap label >> nth=3")  # the third choice: > 5 points
SHOTS = {
    # the whole window
    "train": Shot("?preset=article&tab=train", "the Train tab after the article's exact run: the loss "
                  "stays near ln 10, the app says why", (("start",),), window=README),
    "draw": Shot("?tab=draw", "the Draw tab reading a drawn 3", (("draw", "3"),), window=README),
    "inside": Shot("?tab=draw&view=inside", "Inside the network for a drawn 7",
                   (("draw", "7"), ("scroll", ".st-key-tab"))),
    "why": Shot("?tab=draw&view=why", "Why this digit? for a drawn 7",
                (("draw", "7"), ("scroll", ".st-key-tab"))),
    "chinese": Shot("?lang=zh&hidden_size=128&optimizer=adam&tab=draw", "the page in Chinese from a "
                    "link, reading a drawn 2", (("draw", "2"),), window=CHINESE),
    "chinese-train": Shot("?lang=zh&preset=fast&tab=train", "the Chinese Train tab after a `fast` run",
                          (("start",),), window=CHINESE),
    "presenter-draw": Shot(f"?present=1&tab=draw&note={NOTE}", "presenter mode at 1080p, the Draw "
                           "tab reading a drawn 7", (PRESENTING, ("draw", "7"),
                                                     ("wait", "Softmax probabilities")), window=PROJECTOR),
    "presenter": Shot(f"?present=1&tab=draw&note={NOTE}", "presenter mode at 1080p, the QR code "
                      "opened from its corner for the students' phones",
                      (PRESENTING, ("draw", "7"), ("wait", "Softmax probabilities"),
                       ("click", ".st-key-qr button"), ("wait", "Scan to open this page")), window=PROJECTOR),
    "presenter-train": Shot("?present=1&preset=fast&tab=train", "presenter mode at 1080p, the Train tab "
                            "after a `fast` run: the charts above the fold", (PRESENTING, ("start",)),
                            window=PROJECTOR),
    "presenter-chinese": Shot(f"?present=1&lang=zh&tab=draw&note={ZH_NOTE}", "presenter mode at 1080p in "
                              "Chinese, the Draw tab reading a drawn 7",
                              (PRESENTING, ("draw", "7"), ("wait", "Softmax 概率")), window=PROJECTOR),
    "phone-draw": Shot("?tab=draw", "a phone (390×844): a 7 drawn with a finger and its prediction",
                       (("touch", "7"), ("top", "Draw a digit (0-9)")), window=PHONE),
    "phone-train": Shot("?preset=fast&tab=train", "a phone (390×844): the Train tab after a `fast` run",
                        (("start",), ("scroll", '[data-testid="stProgress"]')), window=PHONE),
    "guide": Shot(GUIDE, "a guided lesson's step: the prediction made, the run trained, the answer shown",
                  (ANSWER, ("start",), ("wait", "You predicted it"))),
    "guide-chinese": Shot(GUIDE + "&lang=zh", "the same step in Chinese",
                          (ANSWER, ("start",), ("wait", "预测正确")), window=CHINESE),
    "guide-phone": Shot(GUIDE, "the same step on a phone (390×844)",
                        (ANSWER, ("start",), ("wait", "You predicted it"), ("top", "You predicted it")),
                        window=PHONE),
    "guide-phone-chinese": Shot(GUIDE + "&lang=zh", "the same step on a phone, in Chinese",
                                (ANSWER, ("start",), ("wait", "预测正确"), ("top", "预测正确")),
                                window={**PHONE, "locale": "zh-CN"}),
    "network": Shot("?present=1&tab=draw&view=network", "presenter mode at 1080p: the whole network "
                    "reading a drawn 7", (PRESENTING, ("draw", "7"), DIAGRAM_DONE), ".st-key-network_box",
                    window=PROJECTOR),
    "network-chinese": Shot("?present=1&lang=zh&tab=draw&view=network", "the whole network in Chinese",
                            (PRESENTING, ("draw", "7"), DIAGRAM_DONE), ".st-key-network_box",
                            window=PROJECTOR),
    "network-step": Shot("?present=1&preset=deep_stuck&tab=train", "one Step of Deep and stuck, backward: "
                         "the gradient fades to nothing on the left", (PRESENTING, ("step", 1),
                                                                      ("until", BACKWARD_DRAWN)),
                         ".st-key-network_back_box", window=PROJECTOR),
    # class={class}: a class of twelve with runs, answers and drawings (bench.demo_class), its teacher's link
    "board": Shot("?present=1&tab=class&class={class}", "presenter mode at 1080p: the class board, its "
                  "runs and the scatter of learning rate against test accuracy", BOARD, window=PROJECTOR),
    "board-chinese": Shot("?present=1&lang=zh&tab=class&class={class}", "the class board in Chinese",
                          BOARD, window=PROJECTOR),
    "board-handwriting": Shot("?tab=class&class={class}", "the board's handwriting part: the class's "
                              "drawings read by the pretrained model, the confusion matrix, the hardest "
                              "drawings",
                              (*BOARD, ("scroll", ".st-key-class_hw_model")), window=DESKTOP),
    # panels cut out of the page
    "gradients-article": Shot("?preset=article&tab=train", "the gradient chart of the article's "
                              "exact run", (("start",),), gradient_chart("layer 1 (784→64)")),
    "gradients-he": Shot("?preset=article&tab=train", "the gradient chart with He initialisation, "
                         "after the article's run", TRAIN_BOTH, gradient_chart("layer 1 (784→64)")),
    "tiles": Shot("?preset=article&tab=train", "what He's run changed in the first layer's weights",
                  (*TRAIN_BOTH, ("check", "Tiles: what training changed")), tiles),
    "step": Shot("?preset=article&tab=train", "the Step panel at iteration 2",
                 (*TRAIN_BOTH, ("check", "Tiles: what training changed"), ("step", 1), ("step", 2)),
                 ".st-key-step_panel"),
    "gradients-deep-stuck": Shot("?preset=deep_stuck&tab=train", "the gradient chart of Deep and "
                                 "stuck", (("start",),), gradient_chart("layer 1 (784→128")),
    "gradients-deep-bn": Shot("?preset=deep_stuck&tab=train", "the gradient chart of Deep with batch "
                              "norm, after Deep and stuck", DEEP_BOTH, gradient_chart("layer 1 (784→128")),
    "compare-deep": Shot("?preset=deep_stuck&tab=train", "the two deep runs compared",
                         (*DEEP_BOTH, ("legend", "normalisation = none", "normalisation = batch norm")),
                         ".st-key-compare_panel"),
    "compare": Shot("?tab=train", "two runs compared: ReLU against Sigmoid",
                    (*COMPARE_BOTH, ("legend", "activation = ReLU", "activation = Sigmoid")),
                    ".st-key-compare_panel"),
    "confusion": Shot("?tab=evaluate", "the bundled model's confusion matrix, the cell true 2 read "
                      "as 7 chosen by a click", CONFUSION, confusion_row),
    "mistakes": Shot("?tab=evaluate", "the bundled model's most confident mistakes and each digit's "
                     "error rate", CONFUSION, ".st-key-mistakes_panel"),
}


# The actions: each a function of the page and the action's arguments.
def start(page):
    """Start a run and wait for its end (the last run's figures go first)."""
    button = page.locator(".st-key-start button")
    button.wait_for()
    page.locator(".st-key-start button:not([disabled])").wait_for(timeout=60000)
    done = """() => [...document.querySelectorAll('[data-testid="stAlertContentSuccess"]')]
                    .some(e => /%s/.test(e.innerText))""" % DONE.pattern
    running = "() => document.querySelector('.st-key-start button').disabled"
    button.click()
    page.wait_for_function(f"() => !({done})() || ({running})()", timeout=30000)
    page.wait_for_function(f"() => ({done})() && !({running})()", timeout=180000)


def choose(page, label, option, sidebar=True):
    """Choose ``option`` in the select box ``label`` (the sidebar's)."""
    where = page.get_by_test_id("stSidebar") if sidebar else page
    where.get_by_test_id("stSelectbox").filter(has_text=label).first.get_by_role("combobox").click()
    page.get_by_role("option", name=option, exact=True).click()
    page.wait_for_timeout(800)  # the rerun takes the new value


def draw_digit(page, digit, touch=False):
    if touch:  # a finger reaches only what is on screen
        page.locator(CANVAS).first.wait_for(timeout=60000)
        page.locator(CANVAS).first.scroll_into_view_if_needed()
    (draw_touch if touch else draw)(page, STROKES[digit])
    read = prediction(page, label=re.compile("Prediction|预测"))
    if read != digit:
        print(f"  (the drawn {digit} was read as {read})")
    if not touch:  # the pointer away from the canvas (its toolbar hides) and the sidebar
        page.mouse.move(page.viewport_size["width"] // 2, 5)


def cell(page, true, predicted):
    """Click the confusion chart's cell (``true``, read as ``predicted``)."""
    chart = page.locator(".st-key-confusion_chart")
    chart.locator(".js-plotly-plot").wait_for(timeout=60000)
    page.wait_for_timeout(1000)  # the chart's layout settles
    chart.scroll_into_view_if_needed()
    x, y = chart.locator(".js-plotly-plot").evaluate(
        """(gd, [x, y]) => {
        const L = gd._fullLayout, box = gd.getBoundingClientRect();
        return [box.left + L._size.l + L.xaxis.d2p(x), box.top + L._size.t + L.yaxis.d2p(y)];
    }""", [str(predicted), str(true)])
    page.mouse.click(x, y)
    page.get_by_text(re.compile(rf"^True {true}, read as {predicted}: ")).wait_for(timeout=30000)
    page.mouse.move(page.viewport_size["width"] // 2, 5)  # the cell's tooltip away


def step(page, n):
    page.locator(".st-key-step").get_by_role("button", name="Step", exact=True).click()  # once enabled
    page.get_by_text(f"Step: iteration {n}").wait_for(timeout=60000)


def legend(page, *labels):
    """Wait for the comparison's legend to name what changed between the runs."""
    for label in labels:
        page.locator(".st-key-compare_loss").get_by_text(label).wait_for(timeout=30000)


ACTIONS = {
    "start": start,
    "preset": lambda page, label: choose(page, "Preset", label),
    "choose": choose,
    "draw": draw_digit,
    "touch": lambda page, digit: draw_digit(page, digit, touch=True),
    "check": lambda page, label: page.get_by_test_id("stCheckbox").filter(has_text=label).first.click(),
    "step": step,
    "cell": cell,
    "tab": lambda page, name, shows: open_tab(page, name, shows),
    "wait": lambda page, text: page.get_by_text(text).first.wait_for(timeout=60000),
    "click": lambda page, css: page.locator(css).first.click(),
    "until": lambda page, js: page.wait_for_function(js, timeout=30000),
    "legend": legend,
    "top": lambda page, text: page.get_by_text(text).first.evaluate(TO_TOP),
    "scroll": lambda page, css: page.locator(css).first.evaluate(TO_TOP),
}


class Pages:
    """The page the last shot left, reused when the next shot carries on from it."""

    def __init__(self, browser, url, db=None):
        self.browser, self.url, self.db, self.classroom = browser, url, db, None
        self.context, self.page, self.key, self.done = None, None, None, ()

    def close(self):
        if self.context is not None:
            self.context.close()
        self.context, self.key, self.done = None, None, ()

    def open(self, shot):
        """A page that has done ``shot``'s actions."""
        key = (shot.link, repr(shot.window))
        if key != self.key or shot.actions[:len(self.done)] != self.done:
            self.close()
            self.context = self.browser.new_context(**shot.window)
            self.context.set_default_timeout(30000)
            self.page = self.context.new_page()
            self.page.goto(self.url + "/" + shot.link.replace("class={class}", self._class()))
            self.page.locator(".st-key-tab").wait_for(timeout=60000)
            self.key = key
        for verb, *args in shot.actions[len(self.done):]:
            ACTIONS[verb](self.page, *args)
            self.done += ((verb, *args),)
        return self.page

    def _class(self):
        """The demo class's teacher's parameters, the class made the first time a shot asks."""
        if self.classroom is None:
            from bench.demo_class import seed
            self.classroom = "class={}&key={}".format(*seed(self.db))
        return self.classroom


def take(pages, name, out):
    shot = SHOTS[name]
    page = pages.open(shot)
    path = out / f"screenshot-{name}.png"
    if shot.crop is None:
        page.wait_for_timeout(SETTLE)
        page.screenshot(path=str(path))
    else:
        element = page.locator(shot.crop).first if isinstance(shot.crop, str) else shot.crop(page)
        element.scroll_into_view_if_needed()
        page.wait_for_timeout(SETTLE)
        element.screenshot(path=str(path))
    return path


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "assets", help="where to write (default assets/)")
    ap.add_argument("--only", nargs="+", choices=list(SHOTS), metavar="NAME", help="these shots only")
    ap.add_argument("--list", action="store_true", help="print the shots' names and what each shows")
    args = ap.parse_args(argv)
    args.only = [n for n in SHOTS if n in (args.only or SHOTS)]  # the table's order
    return args


def main(argv=None):
    args = parse_args(argv)
    if args.list:
        for name, shot in SHOTS.items():
            size = shot.window["viewport"]
            print(f"{name:21} {str(size['width']) + '×' + str(size['height']):10} {shot.what}")
        return 0
    from playwright.sync_api import sync_playwright

    args.out.mkdir(parents=True, exist_ok=True)
    failed, debug = [], Path(tempfile.mkdtemp(prefix="screenshots-failed-"))
    began = time.monotonic()
    db = f"sqlite:///{debug / 'classes.db'}"  # the board's, with the demo class alone
    with streamlit_app(env={"FFN_CLASS_DB": db}) as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pages = Pages(browser, url, db)
        for name in args.only:
            t0 = time.monotonic()
            try:
                path = take(pages, name, args.out)
                print(f"  {path}  ({time.monotonic() - t0:.1f} s)", flush=True)
            except Exception as e:  # noqa: BLE001 - one shot's failure must not stop the others
                failed.append(name)
                where = debug / f"{name}.png"
                try:
                    pages.page.screenshot(path=str(where))
                except Exception:  # noqa: BLE001
                    where = "no picture"
                print(f"  FAILED {name}: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
                      f" (the page then: {where})", flush=True)
                traceback.print_exc(limit=3, file=sys.stderr)
                pages.close()  # the next shot starts afresh
        pages.close()
        browser.close()
    print(f"{len(args.only) - len(failed)} of {len(args.only)} shots in {time.monotonic() - began:.0f} s"
          + (f"; failed: {' '.join(failed)}" if failed else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
