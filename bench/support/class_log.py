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
