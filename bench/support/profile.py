"""Where a server's time goes: py-spy samples its threads while a bench runs, and
:func:`summary` adds the samples up by function, for ``bench.virtual_class --profile``.

py-spy reads the process from outside (ptrace): the server runs as it would, and the
sampler runs on the simulator's core. Only the thread holding the GIL is sampled: the
server's Python work, not its threads waiting (NumPy's work without the GIL is missed).
Its raw output has one line per distinct stack, ``frame;frame;... count``, each frame
``function (file:line)``.
"""
import collections
import contextlib
import re
import signal
import subprocess
from pathlib import Path

_LINE = re.compile(r":\d+\)$")


@contextlib.contextmanager
def sampled(pids, out, rate=100):
    """Sample each of ``pids`` while the block runs, into ``out``-<pid>.txt (py-spy's raw format).
    Yields the paths."""
    paths = [Path(f"{out}-{pid}.txt") for pid in pids]
    logs = [path.with_suffix(".log") for path in paths]
    procs = [subprocess.Popen(["py-spy", "record", "--pid", str(pid), "--rate", str(rate), "--format", "raw",
                               "--gil", "--output", str(path), "--nonblocking"],
                              stdout=subprocess.DEVNULL, stderr=log.open("w"))
             for pid, path, log in zip(pids, paths, logs)]
    try:
        yield paths
    finally:
        for p in procs:
            p.send_signal(signal.SIGINT)  # py-spy writes what it sampled when interrupted
        for p in procs:
            p.wait(timeout=60)
    missing = [(path, log.read_text().strip()[-500:]) for path, log in zip(paths, logs) if not path.exists()]
    if missing:  # ptrace refused, most often: py-spy says why
        raise RuntimeError(f"py-spy wrote no samples: {missing}")


def summary(paths, top=25, within=("app.py", "ui/", "serve/", "ffn/")):
    """The functions that took the most samples, with their share of all samples (inclusive:
    a function's callees count in it), the project's own first, then every frame's.
    Returns the lines to print."""
    mine, every = collections.Counter(), collections.Counter()
    total = 0
    for path in paths:
        for line in Path(path).read_text().splitlines():
            stack, _sp, n = line.rpartition(" ")
            if not stack:
                continue
            n = int(n)
            total += n
            frames = {_LINE.sub(")", f) for f in stack.split(";")}
            for f in frames:
                every[f] += n
                if any(w in f for w in within):
                    mine[f] += n
    out = [f"  {total} samples; the project's own functions, inclusive:"]
    out += [f"    {n / total:6.1%}  {f}" for f, n in mine.most_common(top)]
    out += ["  every function, inclusive:"]
    out += [f"    {n / total:6.1%}  {f}" for f, n in every.most_common(top)]
    return out
