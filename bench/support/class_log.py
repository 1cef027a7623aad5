"""What a virtual class's students saw (``bench.virtual_class``), and its report: the drawings'
times and predictions, the runs' waits and figures, the errors, the simulator's own CPU."""
import re

import numpy as np


class Log:
    """What the students saw: their drawings' times and predictions, their runs, their errors."""

    def __init__(self):
        self.drawings, self.runs, self.errors = [], [], []

    def drew(self, seconds, said, label, phase):
        self.drawings.append({"seconds": seconds, "said": said, "label": label, "phase": phase})


def digit_shown(text):
    m = re.search(r"(\d)\s*$", text or "")
    return int(m.group(1)) if m else None


def pct(values, q):
    return float(np.percentile(values, q)) if values else float("nan")


def report(args, log, out, sim_cpu, wall):
    print(f"scenario {args.scenario}: {args.students} students, {args.trainers} training, "
          f"{args.replicas} replica(s) on core 0; the simulator on core 1 used {sim_cpu:.1f} s of CPU in "
          f"{wall:.1f} s")
    for phase in sorted({d["phase"] for d in log.drawings}):
        ds = [d for d in log.drawings if d["phase"] == phase]
        ms = [d["seconds"] * 1e3 for d in ds]
        wrong = [(d["label"], d["said"]) for d in ds if digit_shown(d["said"]) != d["label"]]
        print(f"  drawings, {phase}: {len(ds)}; the server's share p50 {pct(ms, 50):.0f} ms, "
              f"p90 {pct(ms, 90):.0f} ms, max {max(ms, default=float('nan')):.0f} ms; wrong or missing "
              f"predictions: {len(wrong)} {wrong[:5]}")
        if "quiet_cpu" in out and phase == "quiet":
            print(f"  the server's CPU while nobody trained: {out['quiet_cpu']:.2f} s, "
                  f"{out['quiet_cpu'] / max(len(ds), 1) * 1e3:.0f} ms a drawing")
        if "server_cpu" in out and phase == "draw":
            print(f"  the server's CPU: {out['server_cpu']:.1f} s, "
                  f"{out['server_cpu'] / max(len(ds), 1) * 1e3:.0f} ms per drawing (the trainers' pages "
                  f"included)")
    if log.runs:
        totals = [r["total"] for r in log.runs]
        print(f"  runs: {len(log.runs)}; click to figures p50 {pct(totals, 50):.1f} s, max {max(totals):.1f} "
              f"s; test accuracies shown {sorted({str(r['accuracy']) for r in log.runs})}")
        if "alone" in out:
            a = out["alone"]["total"]
            print(f"  one student alone: {a:.1f} s; the last of {len(log.runs)}: {max(totals):.1f} s = "
                  f"{max(totals) / a:.2f}x (target <= 3x); the server's CPU {out['server_cpu']:.1f} s")
        if "last" in out:
            print(f"  the last run's figures {out['last']:.1f} s after the first Start")
        pairs = [(t, shown, r["started"] - t) for r in log.runs if r["started"] for t, shown in r["shown"]
                 if r["started"] - t >= 2.0]
        if pairs:
            within = sum(abs(s / real - 1) <= 0.3 for _t, s, real in pairs) / len(pairs)
            worst = max(pairs, key=lambda p: abs(p[1] / p[2] - 1))
            print(f"  waits shown while queued: {len(pairs)} numbers, {within:.0%} within +-30 % of the real "
                  f"wait; worst {worst[1]:.0f} s shown with {worst[2]:.1f} s to go")
    print(f"  errors: {len(log.errors)} {log.errors[:5]}")


class BoardLog:
    """What a class on the board did (``board``): every submission a student sent (when its
    message left, whether the page said it was sent), every count the teacher's board showed
    (when it arrived), each student's steps, the errors."""

    def __init__(self):
        self.sends, self.steps, self.errors = [], [], []
        self.seen = {"students": [], "runs": [], "drawings": []}   # kind -> [(time.monotonic(), count)]
        self.board_fragment = None
        self.t0 = None

    def shown(self, what):
        """The last count of ``what`` the teacher's board showed."""
        return self.seen[what][-1][1] if self.seen[what] else 0

    def saw(self):
        return {"sends": self.sends, "seen": self.seen, "steps": self.steps}


def board_delays(log, final):
    """Each submission in the database (``final``, :meth:`board.store.Store.board`) matched with
    the click that sent it (its student's k-th submission of its kind that the page said was
    sent, the student known by their nickname ``vNN``), and when the teacher's board showed it:
    the first count of its kind at least its rank among the class's rows of that kind (by id,
    the order the database stored them) that arrived after the click. Returns ``(delays,
    checks)``: per kind, [(send, seconds or None if never shown)], and per kind the counts of
    lost (told sent, no row), unconfirmed (a row, not told) and wrongly labelled submissions."""
    delays, checks = {}, {}
    for kind, rows_key in (("run", "runs"), ("drawing", "drawings")):
        told = {}
        for d in sorted((d for d in log.sends if d["kind"] == kind and d["ok"]), key=lambda d: d["at"]):
            told.setdefault(d["student"], []).append(d)
        seen, taken, out = log.seen[rows_key], {}, []
        unconfirmed = wrong = 0
        for rank, row in enumerate(final[rows_key], 1):
            i = int(row["student"][1:]) if str(row["student"]).startswith("v") else -1
            k = taken[i] = taken.get(i, -1) + 1
            if k >= len(told.get(i, [])):
                unconfirmed += 1
                continue
            d = told[i][k]
            wrong += kind == "drawing" and row["label"] != d["label"]
            t = next((t for t, n in seen if n >= rank and t >= d["at"]), None)
            out.append((d, None if t is None else t - d["at"]))
        lost = sum(max(0, len(ds) - (taken.get(i, -1) + 1)) for i, ds in told.items())
        delays[kind] = out
        checks[kind] = {"told": sum(map(len, told.values())), "rows": len(final[rows_key]), "lost": lost,
                        "unconfirmed": unconfirmed, "wrong_label": wrong}
    return delays, checks


def _ps(xs, unit=1.0, fmt="{:.2f}"):
    if not xs:
        return "none"
    xs = [x * unit for x in xs]
    return (f"p50 {fmt.format(pct(xs, 50))}, p90 {fmt.format(pct(xs, 90))}, "
            f"max {fmt.format(max(xs))}")


def board_report(args, log, out, sim_cpu, wall):
    final = out["final"]
    delays, checks = board_delays(log, final)
    print(f"scenario board: {args.students} students within {args.within:g} s (fast, {args.iters} "
          f"iterations, seeds 0-{args.students - 1}; {args.drawings} drawings each), a teacher on the "
          f"board; {args.replicas} replica(s) on core 0, database {args.db.split('://')[0]}; the "
          f"simulator on core 1 used {sim_cpu:.1f} s of CPU in {wall:.1f} s")
    print(f"  class {args.code}: {final['students']} students joined (the board's last count: "
          f"{log.shown('students')})")
    for kind in ("run", "drawing"):
        c = checks[kind]
        wrong = (f", wrong label {c['wrong_label']}" if kind == "drawing" else
                 f", sent without their model {sum(d.get('no_model', False) for d in log.sends)}")
        print(f"  {kind}s: told sent {c['told']}, in the database {c['rows']}; lost {c['lost']}, "
              f"unconfirmed {c['unconfirmed']}{wrong}")
    every = []
    for kind in ("run", "drawing"):
        got = [s for _d, s in delays[kind] if s is not None]
        every += got
        never = sum(s is None for _d, s in delays[kind])
        print(f"  click on send to the teacher's board showing it, {kind}s ({len(got)}): {_ps(got)} s"
              + (f"; never shown: {never}" if never else ""))
    print(f"  ... all {len(every)}: {_ps(every)} s (target p90 <= 3 s)")
    told = [d["told"] for d in log.sends if d["ok"]]
    print(f"  click on send to 'Sent to the class' on the student's page: {_ps(told, 1e3, '{:.0f}')} ms")
    shown = [d["at"] + s for kind in delays for d, s in delays[kind] if s is not None]
    first = min((st["start"] for st in log.steps), default=log.t0)
    done = [st for st in log.steps if "done" in st]
    if shown:
        print(f"  the class: the last submission on the board {max(shown) - first:.1f} s after the first "
              f"student opened the link (target <= 60 s); {len(done)} of {args.students} students did "
              f"everything")
    joined = [st["joined"] for st in log.steps if "joined" in st]
    trained = [st["trained"] for st in log.steps if "trained" in st]
    print(f"  a student's link to joined: {_ps(joined)} s; Start to the run's Send: {_ps(trained)} s")
    cpu = out["server_cpu"]
    print(f"  the servers' CPU during the class: {sum(cpu.values()):.1f} s "
          f"({', '.join(f'{v:.1f}' for v in cpu.values())}); their training workers' "
          f"{out['worker_cpu']:.1f} s" + (f"; PostgreSQL's {out['database_cpu']:.1f} s"
                                          if "database_cpu" in out else ""))
    runs = out.get("board_runs") or []
    print(f"  the teacher's board: {len(runs)} refreshes, each {_ps(runs, 1e3, '{:.0f}')} ms to the "
          f"run's end")
    print(f"  errors: {len(log.errors)} {log.errors[:8]}")
