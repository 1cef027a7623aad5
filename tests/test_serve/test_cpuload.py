"""Counting the cores other programs leave a training worker."""
import os

import pytest

from serve.cpuload import CpuLoad, read_cpu_times, read_process_seconds


class FakeMachine:
    """Two cores' /proc counters, advanced by hand: ``busy`` jiffies by others, ``own`` by the workers."""

    def __init__(self, cpus=2):
        self.cpus, self.busy, self.total, self.ticks = cpus, 0, 0, {1: 0}

    def advance(self, jiffies, others, own=0):
        self.total += jiffies * self.cpus
        self.busy += others + own
        self.ticks[1] += own

    def stat(self, cpus):
        return self.busy, self.total

    def process_ticks(self, pid):
        return self.ticks.get(pid)


def meter(m, **kw):
    return CpuLoad({0, 1}, window=1.0, read_stat=m.stat, read_ticks=m.process_ticks, **kw)


@pytest.mark.parametrize("others, own, free", [
    (0, 0, 2),       # an idle machine: both cores
    (10, 0, 2),      # a server polling lightly (0.1 core): still both
    (70, 0, 1),      # a browser drawing charts (0.7 core): one
    (0, 200, 2),     # the worker's own spinning threads do not count against it
    (70, 130, 1),    # ... but the browser beside it does
    (200, 0, 1),     # both cores taken by others: one all the same, never none
])
def test_free_cores(others, own, free):
    m = FakeMachine()
    fc = meter(m)
    assert fc.update([1], now=0.0) is False and fc.count == 2   # a first reading measures nothing
    m.advance(100, others, own)
    fc.update([1], now=1.0)
    assert fc.count == free
    assert fc.others == pytest.approx(others / 100)
    assert fc.free_share() == pytest.approx(min(1, max(2 - others / 100, 2 / (others / 100 + 1))))


def test_measures_at_most_once_a_window_and_says_when_the_count_changes():
    m = FakeMachine()
    fc = meter(m)
    fc.update([1], now=0.0)
    m.advance(100, 80)
    assert fc.update([1], now=0.5) is False and fc.count == 2   # within the window: not measured
    assert fc.update([1], now=1.0) is True and fc.count == 1
    m.advance(100, 80)
    assert fc.update([1], now=2.0) is False and fc.count == 1   # same count: no change to tell
    m.advance(100, 0)
    assert fc.update([1], now=3.0) is True and fc.count == 2


def test_a_worker_that_went_away_or_no_proc_leaves_every_core_free():
    m = FakeMachine()
    fc = meter(m)
    fc.update([1, 99], now=0.0)                                 # pid 99 does not exist: skipped
    m.advance(100, 0, own=50)
    fc.update([1, 99], now=1.0)
    assert fc.count == 2

    def no_proc(cpus):
        raise OSError("no /proc/stat")
    fc = CpuLoad({0, 1}, window=0.0, read_stat=no_proc)
    assert fc.update([]) is False and fc.update([]) is False and fc.count == 2


def test_the_real_readers():
    cpus = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else set(range(os.cpu_count()))
    busy, total = read_cpu_times(cpus)
    assert 0 <= busy <= total and total > 0
    assert read_process_seconds(os.getpid()) >= 0
    assert read_process_seconds(2 ** 22 + 7) is None              # above any pid: gone
    fc = CpuLoad(cpus, window=0.0)
    fc.update([os.getpid()])
    sum(i * i for i in range(200_000))                            # this process's own work does not count
    fc.update([os.getpid()])
    assert 1 <= fc.count <= len(cpus)


def test_a_process_it_may_not_read_is_a_process_gone(monkeypatch):
    import psutil

    def denied(pid):
        raise psutil.AccessDenied(pid)
    monkeypatch.setattr(psutil, "Process", denied)
    assert read_process_seconds(1) is None


def test_the_worker_lowers_its_own_priority_and_a_refusal_is_no_error(monkeypatch):
    import psutil

    from serve.worker import lower_priority

    class Me:
        level = 0

        def nice(self, value=None):
            if value is None:
                return self.level
            if value < self.level:
                raise psutil.AccessDenied()
            self.level = value
            return None
    me = Me()
    monkeypatch.setattr(psutil, "Process", lambda: me)
    lower_priority(10)
    assert me.level == 10
    me.level = 19
    lower_priority(-5)  # refused: no error, left as it was
    assert me.level == 19


def test_a_system_without_inherited_file_descriptors_is_told_so(monkeypatch):
    from serve import workers

    monkeypatch.setattr(workers.os, "name", "nt")
    with pytest.raises(RuntimeError, match="needs a POSIX system"):
        workers.WorkerHandle.start(10)
