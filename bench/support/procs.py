"""The app's processes as /proc sees them: the servers listening on given ports, their
training workers, and each process's CPU seconds and memory (Linux only)."""
import os
from pathlib import Path

WORKER_MODULES = ("serve.worker", "ffn.worker")  # this checkout's workers; an older --app's


def processes(ports):
    """([server pids], [worker pids]) of the servers listening on ``ports``."""
    servers = [next(int(p) for p in os.listdir("/proc")
                    if p.isdigit() and _cmd(p) and "streamlit" in _cmd(p)
                    and f"--server.port\0{port}" in _cmd(p))
               for port in ports]
    workers = [int(p) for p in os.listdir("/proc")
               if p.isdigit() and any(m in _cmd(p) for m in WORKER_MODULES)]
    return servers, workers


def named(name):
    """The pids of the processes called ``name`` (their ``comm``: e.g. ``postgres``, whose server
    runs a process for each connection)."""
    out = []
    for p in os.listdir("/proc"):
        try:
            if p.isdigit() and Path(f"/proc/{p}/comm").read_text().strip() == name:
                out.append(int(p))
        except OSError:
            pass
    return out


def _cmd(pid):
    try:
        return Path(f"/proc/{pid}/cmdline").read_text()
    except OSError:
        return ""


def memory_mb(pid):
    """``{"Rss": MB, "Pss": MB}`` of process ``pid`` (its smaps_rollup)."""
    out = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        k, *v = line.split()
        if k in ("Rss:", "Pss:"):
            out[k[:-1]] = int(v[0]) / 1024
    return out


def cpu_seconds(pid):
    """User and system CPU seconds of process ``pid`` so far (its children left out)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
