"""How much of the cores other programs use: what a training worker can expect to get.

The queue's estimates measure each worker's pace as it trains (:class:`serve.runs.Pace`).
When none has trained lately, a worker that starts is expected to get the share of a
core that programs other than the pool's workers leave free: another replica's workers
on the same cores, a browser drawing charts on a laptop, a class's pages.
"""
import math
import time

import psutil

__all__ = ["CpuLoad", "read_cpu_times", "read_process_seconds"]

# A core's time, as psutil reads it on every system (Linux's guest times are already in user
# and nice, so they are left out); idle and iowait are idle, steal counts as busy.
TIMES = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")
IDLE = ("idle", "iowait")


def read_cpu_times(cpus):
    """(busy, total) seconds of the cores ``cpus`` since boot (psutil's per-core times)."""
    per_cpu = psutil.cpu_times(percpu=True)
    busy = total = 0.0
    for i in cpus:
        t = per_cpu[i]
        spent = sum(getattr(t, f, 0.0) for f in TIMES)
        total += spent
        busy += spent - sum(getattr(t, f, 0.0) for f in IDLE)
    return busy, total


def read_process_seconds(pid):
    """User plus system seconds a process (all its threads) has used, or None if it has gone."""
    try:
        t = psutil.Process(pid).cpu_times()
    except (psutil.Error, OSError):  # gone, or not ours to read
        return None
    return t.user + t.system


class CpuLoad:
    """The cores of ``cpus`` that processes other than ``own`` left idle lately: ``count``
    whole cores, and ``others``, the cores' worth the others used.

    Parameters
    ----------
    cpus : set of int
        The cores the pool may use (``os.sched_getaffinity(0)``).
    window : float
        Seconds between two measurements; :meth:`update` measures at most this often.
    margin : float
        Cores' worth of other work that still leaves a core free (the server's own
        light polling, a shell).
    read_stat, read_ticks : callable, optional
        The two readers above (psutil's, on any system); a test gives its own. Where the
        cores' times cannot be read, every core counts as free.
    """

    def __init__(self, cpus, window=2.0, margin=0.25, read_stat=read_cpu_times,
                 read_ticks=read_process_seconds):
        self.cpus = set(cpus)
        self.window = window
        self.margin = margin
        self.read_stat = read_stat
        self.read_ticks = read_ticks
        self.count = len(self.cpus)  # every core, until measured
        self.others = 0.0            # cores' worth of work by other processes, as last measured
        self._last = None            # (time, busy, total, {pid: ticks})

    def update(self, own, now=None):
        """Measure again if ``window`` seconds have passed; ``own`` are the pids whose work
        does not count against the cores (the pool's workers). Returns True when
        :attr:`count` changed."""
        now = time.monotonic() if now is None else now
        if self._last is not None and now - self._last[0] < self.window:
            return False
        try:
            busy, total = self.read_stat(self.cpus)
        except (OSError, ValueError, IndexError, psutil.Error):
            return False  # nothing to measure with: every core stays free
        ticks = {pid: t for pid in own if (t := self.read_ticks(pid)) is not None}
        last = self._last
        self._last = (now, busy, total, ticks)
        if last is None or total <= last[2]:
            return False
        own_ticks = sum(t - last[3][pid] for pid, t in ticks.items() if pid in last[3])
        others = self.others = max(busy - last[1] - own_ticks, 0) / (total - last[2]) * len(self.cpus)
        count = min(len(self.cpus), max(1, len(self.cpus) - math.ceil(others - self.margin)))
        changed = count != self.count
        self.count = count
        return changed

    def free_share(self):
        """The share of one core a worker that starts now can expect: the cores the others
        leave idle, or, where they leave too little, its fair share beside them (a busy
        core's time split between those who want it), at most one core."""
        n = len(self.cpus)
        return min(1.0, max(n - self.others, n / (self.others + 1)))
