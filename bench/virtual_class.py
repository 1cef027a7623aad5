"""A virtual class: N students against one server (or replicas behind HAProxy), without a
browser each.

    python -m bench.virtual_class --scenario validate|link|draw|settings|board [--students N]
                                  [--trainers K] [--replicas R] [--db URL] [--json PATH]
                                  [--profile PATH]

Each student is a :class:`bench.support.stclient.Student`: one session over Streamlit's own
websocket, which loads the page, sends the lesson link and the locale, sets widgets by key,
sends drawings as the canvas component does, and runs the page's timed fragments as a
browser's timers run them. The server (and its workers, which inherit its core) runs on core
0, the simulator on core 1. A drawing is one of MNIST's held-out test digits, drawn black on
white at 280x280 as the canvas sends it; its time is the server's share: from its message
leaving to the end of the run it starts (``script_finished``), the prediction then on the page.
Then the student presses Clear, as before the next digit (untimed; its runs load the server).

Scenarios:

- ``validate``: ``--students`` drawers (12) and ``--trainers`` (4), as ``bench.classroom``: a
  quiet phase where every drawer draws ``--drawings`` digits at once, then one where the
  trainers press Start (``fast``) and the drawers draw again. The server's share, p50 and
  p90, of both phases.
- ``link``: one student alone presses Start on a lesson link (another seed: nothing to join),
  then ``--students`` open the link and press Start within ``--within`` seconds (10): each
  one's click to figures, against the lone one's (target: at most 3x), and the test
  accuracy each page shows.
- ``draw``: ``--students`` each draw a held-out digit every 5 s at a random phase for
  ``--seconds`` (60) while ``--trainers`` of them train (4 runs of ``fast``, other seeds):
  the server's share p50 and p90 (target p90 <= 400 ms) and the server's CPU milliseconds
  per drawing.
- ``settings``: ``--students`` with as many different settings from ``SETTINGS`` press Start
  within ``--within`` seconds: the time to the last run's figures, and every wait a page
  showed while queued against the real one.
- ``board``: a class on the class board (issue 32). The bench makes the class in the board's
  database (``--db``, a SQLAlchemy URL the servers get as ``FFN_CLASS_DB``; by default a
  fresh SQLite file in a temporary folder) and opens its teacher's page, whose board refreshes
  itself every 2 s. ``--students`` (40) then open the class's link at random moments within
  ``--within`` seconds (20), each with a token of its own in its browser's keeper
  (:class:`Keeper`), join under a nickname, train one short run on the Train tab (``fast``,
  ``--iters`` iterations from the link, 10; seed ``i``), send it, and send ``--drawings``
  (5) held-out digits labelled with their true digits from the Draw tab. Each submission's
  time is from the click's message leaving to the first refresh of the teacher's board whose
  count (Runs sent, Drawings sent) reaches the submission's place in the database (its rank
  among the class's rows of its kind, by id): p50, p90 and max (target p90 <= 3 s). The
  submissions the students were told were sent are compared with the database's rows (lost:
  told, not there); and the class's wall time (target 60 s), the servers' and workers' CPU.

Every scenario reports its errors, wrong predictions and the simulator's own CPU.
"""
import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import secrets
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from bench.support import profile
from bench.support.class_log import BoardLog, Log, board_report, report
from bench.support.procs import cpu_seconds, named, processes
from bench.support.stclient import Student, clear, drawing_state
from deploy.cluster import Cluster
from tests.support.browser import free_port, streamlit_app
from tests.support.hostile import png_of

ROOT = Path(__file__).resolve().parent.parent
FAST = "tab=train&preset=fast&lang={lang}"
DRAW = "tab=draw&view={view}&lang={lang}"
# ``settings``: forty different runs, a class's worth, each short (about a second alone)
_RUNS = [(it, h, opt) for it in (400, 800) for h in (32, 64, 128, 256, 512) for opt in ("sgd", "adam")] * 2
SETTINGS = [f"tab=train&preset=article_he&lang=en&iters={it}&hidden_size={h}&optimizer={opt}&seed={seed}"
            for seed, (it, h, opt) in enumerate(_RUNS)]
QUEUED = re.compile(r"number (\d+) in the queue and should start in about (\d+) s")
# ``board``: a student's link (the class, a short run of ``fast``, a seed of their own), the teacher's
BOARD = "tab=class&class={code}&preset=fast&iters={iters}&seed={seed}&lang=en"
TEACHER = "tab=class&class={code}&key={key}&lang=en"
SENT = "Sent to the class"  # "Sent to the class." or "Sent to the class, without its model: ..."
METRICS = {"Students": "students", "Runs sent": "runs", "Drawings sent": "drawings"}  # the board's counts
STOPPED = ("could not start", "stopped unexpectedly", "Another tab", "queue is full", "was cancelled",
           "left the queue")


def held_out(n, seed=0):
    """``n`` MNIST test digits drawn as the canvas sends them (black on white, 280x280 RGBA
    PNG), with their labels."""
    import ffn
    _train, (x, t) = ffn.load_mnist(normalize=False)
    picks = np.random.default_rng(seed).choice(len(x), n, replace=False)
    out = []
    for i in picks:
        ink = 255 - x[i].reshape(28, 28)
        img = Image.fromarray(ink.astype(np.uint8)).resize((280, 280), Image.BILINEAR).convert("RGBA")
        out.append((png_of(np.asarray(img)), int(t[i])))
    return out


def lang(i):
    return "zh" if i % 2 else "en"


def _prediction_label(query):
    from ui.i18n import translator
    return translator("zh" if "lang=zh" in query else "en").gettext("Prediction") + ": "


async def draw_once(s, png, label, log, phase):
    """Draw ``png`` and read the prediction (the drawing's run is timed), then press Clear, as a
    student does before the next digit (its runs load the server, untimed)."""
    try:
        seconds = await s.run(canvas=drawing_state(png))
        said = s.find(_prediction_label(s.query))
        log.drew(seconds, said, label, phase)
        await clear(s)
    except Exception as e:  # noqa: BLE001 - a bench counts failures, it does not stop at one
        log.errors.append(f"drawing: {type(e).__name__}: {e}")


async def start_and_follow(s, log, delay=0.0, timeout=600):
    """Press Start after ``delay`` s and run the page's timers until its figures show: the
    seconds from the click to the figures, every wait shown while queued, the test accuracy."""
    await asyncio.sleep(delay)
    shown = []
    t0 = time.monotonic()

    def done(st):
        m = next((QUEUED.search(t) for t in st.texts() if QUEUED.search(t)), None)
        if m:
            shown.append((time.monotonic() - t0, float(m.group(2))))
        return st.find("Test accuracy") or st.find("测试准确率") or st.find("could not start") \
            or st.find("stopped unexpectedly") or st.find("Another tab") or st.find("queue is full")

    try:
        await s.run(trigger="start")
        started = None

        def watch(st):
            nonlocal started
            if started is None and any(t.startswith(("iteration ", "迭代 ")) for t in st.texts()):
                started = time.monotonic() - t0
            return done(st)
        await s.follow(watch, timeout=timeout)
        acc = next((t for t in s.texts() if "10,000" in t and "%" in t), None)
        log.runs.append({"total": time.monotonic() - t0, "started": started, "shown": shown,
                         "accuracy": acc.rsplit(" ", 1)[-1] if acc else None, "query": s.query})
    except Exception as e:  # noqa: BLE001
        log.errors.append(f"run: {type(e).__name__}: {e}")


async def open_all(url, queries, locales):
    students = [Student(url, q, locale=loc) for q, loc in zip(queries, locales)]
    for s in students:  # one after another, as a class arrives
        await s.open()
    return students


async def scenario(args, url, servers):
    log = Log()
    rng = random.Random(0)
    out = {}
    if args.scenario == "validate":
        queries = [DRAW.format(lang=lang(i), view=args.view) for i in range(args.students)]
        drawers = await open_all(url, queries,
                                 ["zh-CN" if i % 2 else "en-US" for i in range(args.students)])
        queries = [FAST.format(lang=lang(i)) + f"&seed={i}" for i in range(args.trainers)]
        trainers = await open_all(url, queries, ["en-US"] * args.trainers)
        digits = held_out(args.students * args.drawings * 2)
        for phase in ("quiet", "training"):
            cpu0 = sum(cpu_seconds(p) for p in servers)
            tasks = []
            if phase == "training":
                tasks += [start_and_follow(s, log) for s in trainers]

            async def drawer(s, k, phase=phase):
                for j in range(args.drawings):
                    png, label = digits[(k * args.drawings + j) * 2 + (phase == "training")]
                    await draw_once(s, png, label, log, phase)
                    await asyncio.sleep(0.5)
            tasks += [drawer(s, k) for k, s in enumerate(drawers)]
            await asyncio.gather(*tasks)
            if phase == "quiet":  # the server's side of a drawing, which no client's clock blurs
                out["quiet_cpu"] = sum(cpu_seconds(p) for p in servers) - cpu0
        students = drawers + trainers
    elif args.scenario == "link":
        alone = (await open_all(url, [FAST.format(lang="en") + "&seed=1000"], ["en-US"]))[0]
        await start_and_follow(alone, log)
        out["alone"] = log.runs.pop()
        students = await open_all(url, [FAST.format(lang=lang(i)) for i in range(args.students)],
                                  ["zh-CN" if i % 2 else "en-US" for i in range(args.students)])
        cpu0 = sum(cpu_seconds(p) for p in servers)
        await asyncio.gather(*(start_and_follow(s, log, rng.uniform(0, args.within)) for s in students))
        out["server_cpu"] = sum(cpu_seconds(p) for p in servers) - cpu0
        students.append(alone)
    elif args.scenario == "draw":
        queries = [DRAW.format(lang=lang(i), view=args.view) for i in range(args.students)]
        students = await open_all(url, queries,
                                  ["zh-CN" if i % 2 else "en-US" for i in range(args.students)])
        queries = [FAST.format(lang="en") + f"&seed={100 + i}" for i in range(args.trainers)]
        trainers = await open_all(url, queries, ["en-US"] * args.trainers)
        n = int(args.seconds / 5)
        digits = held_out(args.students * n)
        cpu0 = sum(cpu_seconds(p) for p in servers)

        async def drawer(s, k):
            await asyncio.sleep(rng.uniform(0, 5))
            t0 = time.monotonic()
            for j in range(n):
                png, label = digits[k * n + j]
                await draw_once(s, png, label, log, "draw")
                await asyncio.sleep(max(0.0, t0 + 5 * (j + 1) - time.monotonic()))
        await asyncio.gather(*(drawer(s, k) for k, s in enumerate(students)),
                             *(start_and_follow(s, log, rng.uniform(0, 5)) for s in trainers))
        out["server_cpu"] = sum(cpu_seconds(p) for p in servers) - cpu0
        students += trainers
    else:  # settings
        students = await open_all(url, SETTINGS[:args.students], ["en-US"] * args.students)
        t0 = time.monotonic()
        await asyncio.gather(*(start_and_follow(s, log, rng.uniform(0, args.within)) for s in students))
        out["last"] = time.monotonic() - t0
    for s in students:
        log.errors += s.errors
        await s.close()
    return log, out


class Keeper:
    """The browser's side of :mod:`ui.keeper`: what this browser keeps in its localStorage under
    the keeper's prefix, and the component's script, which writes what the page's data sets and
    then tells the page all it keeps (one run). The frontend calls the script when the
    component is first drawn and whenever the page gives it other data; :meth:`tell` does the
    same, after the runs that may have drawn it."""

    def __init__(self, **kept):
        self.kept, self.told = dict(kept), None

    async def tell(self, s):
        while (data := s.data.get("keeper")) is not None and data != self.told:
            self.told = data
            for name, value in (json.loads(data or "{}").get("set") or {}).items():
                if value is None:
                    self.kept.pop(name, None)
                else:
                    self.kept[name] = str(value)
            await s.run(keeper={"json_value": json.dumps({"kept": self.kept})})


def _said(s):
    """What the page says in its alerts now (a refusal, a failure), for an error's message."""
    return [e[1] for e in s.elements.values() if e[0] in ("alert", "exception") and e[1]]


def _watched(who, log):
    """Count every exception a page shows as an error."""
    def seen(_path, kind, text, _fragment):
        if kind == "exception":
            log.errors.append(f"{who}: the page showed {text}")
    return seen


async def _send(s, key, kind, i, label, log):
    """Press Send to the class (``key``): when its message left, and whether the page said it was sent."""
    if not s.shows(key):
        raise RuntimeError(f"no {key} button on the page: {_said(s)}")
    seconds = await s.run(trigger=key)
    ok = bool(s.find(SENT))
    log.sends.append({"student": i, "kind": kind, "label": label, "at": s.sent_at, "told": seconds, "ok": ok,
                      "no_model": bool(s.find("without its model"))})
    if not ok:
        log.errors.append(f"student {i}: the {kind} was not sent: {_said(s)}")


async def board_student(i, url, code, digits, args, log, delay):
    """One student of the class: open its link, join, train and send the run, then draw, label
    and send ``digits``, as ``board`` says."""
    await asyncio.sleep(delay)
    name = f"v{i:02d}"
    s = Student(url, BOARD.format(code=code, iters=args.iters, seed=i), follow_address=True)
    s.on_element = _watched(f"student {i}", log)
    t0 = time.monotonic()
    step = {"student": i, "name": name, "start": t0}
    log.steps.append(step)
    try:
        await s.open()
        await Keeper(token=secrets.token_urlsafe(24)).tell(s)  # the browser tells the page its token
        await s.run(class_nickname={"string_value": name})
        await s.run(trigger="class_join")
        if not s.find("You are in class"):
            raise RuntimeError(f"not in the class after Join: {_said(s)}")
        step["joined"] = time.monotonic() - t0
        await s.run(tab={"string_array_value": ["Train"]})
        t1 = time.monotonic()
        await s.run(trigger="start")
        await s.follow(lambda s: s.shows("send_run") or any(s.find(x) for x in STOPPED), timeout=180)
        if not s.shows("send_run"):
            raise RuntimeError(f"the run ended without its Send: {_said(s)}")
        step["trained"] = time.monotonic() - t1
        await _send(s, "send_run", "run", i, None, log)
        await s.run(tab={"string_array_value": ["Draw"]})
        for png, label in digits:
            await s.run(canvas=drawing_state(png))
            await s.run(class_label={"string_value": str(label)})
            await _send(s, "send_drawing", "drawing", i, label, log)
            s.values.pop(s.ids["class_label"], None)  # the page emptied the choice: a browser's shows none
            await clear(s)
        step["done"] = time.monotonic() - t0
    except Exception as e:  # noqa: BLE001 - a bench counts failures, it does not stop at one
        log.errors.append(f"student {i}: {type(e).__name__}: {e}")
    return s


async def board_teacher(url, code, key, log, stop):
    """The teacher's page on the class's board, its refreshes followed until ``stop``: every
    count it shows, with when it arrived (``log.seen``)."""
    t = Student(url, TEACHER.format(code=code, key=key), follow_address=True)
    watch = _watched("teacher", log)

    def seen(path, kind, text, fragment):
        watch(path, kind, text, fragment)
        label, _sep, value = (text or "").partition(": ")
        if kind == "metric" and label in METRICS:
            log.seen[METRICS[label]].append((time.monotonic(), int(value.replace(",", ""))))
            log.board_fragment = fragment
    t.on_element = seen
    await t.open()
    await Keeper().tell(t)  # a browser that keeps nothing yet: the page reads the key from the link
    if not t.find("Runs sent"):
        raise RuntimeError(f"the teacher's page shows no board: {t.texts()[:20]}")
    await t.follow(lambda _t: stop.is_set(), timeout=900)
    return t


def _cpu(pid):
    """A process's CPU seconds, 0 once it has gone."""
    try:
        return cpu_seconds(pid)
    except OSError:
        return 0.0


async def board_scenario(args, url, servers, workers):
    """``board``: the teacher's page, then the class; what the database holds at the end."""
    from board.store import Store
    store = Store(args.db)
    log, out = BoardLog(), {}
    digits = held_out(args.students * args.drawings)
    stop = asyncio.Event()
    teacher = asyncio.create_task(board_teacher(url, args.code, args.key, log, stop))
    while not log.seen["runs"]:  # the board is on the teacher's page
        if teacher.done():
            teacher.result()  # raises what stopped it
        await asyncio.sleep(0.1)
    database = (lambda: named("postgres")) if args.db.startswith("postgresql") else list
    cpu0 = {p: _cpu(p) for p in servers + workers() + database()}
    rng = random.Random(0)
    delays = [rng.uniform(0, args.within) for _ in range(args.students)]
    log.t0 = time.monotonic()
    students = await asyncio.gather(*(
        board_student(i, url, args.code, digits[i * args.drawings:(i + 1) * args.drawings], args, log, d)
        for i, d in enumerate(delays)))
    out["students_done"] = time.monotonic() - log.t0
    held = store.board(args.code)  # the board's refreshes until they show all the database holds
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and (log.shown("runs") < len(held["runs"])
                                           or log.shown("drawings") < len(held["drawings"])):
        await asyncio.sleep(0.1)
    stop.set()
    try:
        t = await teacher
    except Exception as e:  # noqa: BLE001
        log.errors.append(f"teacher: {type(e).__name__}: {e}")
        t = None
    out["server_cpu"] = {p: _cpu(p) - cpu0.get(p, 0.0) for p in servers}
    out["worker_cpu"] = sum(_cpu(p) - cpu0.get(p, 0.0) for p in workers() if p not in servers)
    if database():  # PostgreSQL's processes (a connection's ended with it: its CPU is left out)
        out["database_cpu"] = sum(_cpu(p) - cpu0.get(p, 0.0) for p in database())
    out["final"] = store.board(args.code)
    store.delete(args.code, args.key)  # a shared database keeps no bench's class (--json keeps what it held)
    if t is not None:
        out["board_runs"] = [sec for fid, sec in t.run_times if fid and fid == log.board_fragment]
    for k, s in enumerate([*students, *([t] if t else [])]):
        await s.close()
        log.errors += [f"{'teacher' if s is t else f'student {k}'}: {e}" for e in s.errors]
    return log, out


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", choices=["validate", "link", "draw", "settings", "board"], required=True)
    ap.add_argument("--students", type=int, default=40)
    ap.add_argument("--trainers", type=int, default=4)
    ap.add_argument("--drawings", type=int, help="validate: digits each drawer draws a phase (6); "
                    "board: labelled digits each student sends (5)")
    ap.add_argument("--within", type=float, help="link, settings: the Starts' spread, s (10); board: the "
                    "students' arrivals' (20)")
    ap.add_argument("--db", help="board: the board's database, a SQLAlchemy URL the servers get as "
                    "FFN_CLASS_DB (default: a fresh SQLite file in a temporary folder)")
    ap.add_argument("--iters", type=int, default=10, help="board: each student's run of fast, in iterations")
    ap.add_argument("--seconds", type=float, default=60.0, help="draw: how long the class draws")
    ap.add_argument("--replicas", type=int, default=1)
    ap.add_argument("--view", default="inside", choices=["prediction", "inside", "why"],
                    help="the drawers' view of the Draw tab (bench.classroom's default: inside)")
    ap.add_argument("--json", type=Path, help="also write what the students saw to this file")
    ap.add_argument("--profile", type=Path, help="sample the servers with py-spy into PROFILE-<pid>.txt, "
                    "and print where their time went")
    args = ap.parse_args()
    board = args.scenario == "board"
    args.drawings = args.drawings or (5 if board else 6)
    args.within = args.within if args.within is not None else (20.0 if board else 10.0)
    env = {"OPENBLAS_NUM_THREADS": "1"}
    if board:  # the class, made in the database before the servers start, as a teacher's Start would
        from board.store import Store
        args.db = args.db or "sqlite:///" + str(Path(tempfile.mkdtemp(prefix="ffn-board-")) / "classes.db")
        args.code, args.key = Store(args.db).create().new_class()
        env["FFN_CLASS_DB"] = args.db
    os.sched_setaffinity(0, {1})  # the simulator on core 1, the server on core 0

    def go(url, ports):
        servers = processes(ports)[0]
        c0, t0 = time.process_time(), time.monotonic()
        with (profile.sampled(servers, args.profile) if args.profile else contextlib.nullcontext()) as paths:
            if board:
                log, out = asyncio.run(board_scenario(args, url, servers, lambda: processes(ports)[1]))
            else:
                log, out = asyncio.run(scenario(args, url, servers))
        (board_report if board else report)(args, log, out, time.process_time() - c0, time.monotonic() - t0)
        if paths:
            print("\n".join(profile.summary(paths)))
        if args.json:
            saw = log.saw() if board else {"drawings": log.drawings, "runs": log.runs}
            args.json.write_text(json.dumps({**saw, "errors": log.errors, **out}, indent=1, default=str))

    if args.replicas > 1:
        with Cluster(args.replicas, port=free_port(), first_port=free_port(), prefix=["taskset", "-c", "0"],
                     env=env) as cluster:
            os.sched_setaffinity(cluster.procs["haproxy"].pid, {0})
            go(cluster.url, list(cluster.ports.values()))
    else:
        log_path = tempfile.mkstemp(prefix="virtual-class-", suffix=".log")[1]
        with streamlit_app(prefix=["taskset", "-c", "0"], env=env, log_path=log_path) as url:
            go(url, [int(url.rsplit(":", 1)[1])])


if __name__ == "__main__":
    main()
