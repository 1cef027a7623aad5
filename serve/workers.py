"""The pool's worker processes as it sees them: each one started as ``python -m
serve.worker`` with its end of the pipe and the run it trains (:class:`WorkerHandle`), and
the set of them, each replaced when it dies (:class:`Workers`)."""
import multiprocessing
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from . import protocol

_ROOT = str(Path(__file__).resolve().parent.parent)  # where `python -m serve.worker` finds serve and ffn


NOT_POSIX = ("The training pool needs a POSIX system (Linux, where it is tested, or macOS): it hands each "
             "worker its end of a pipe as an inherited file descriptor (subprocess's pass_fds), which "
             "Windows does not have. On Windows, run the app in WSL.")


class WorkerHandle:
    """A worker process, its end of the pipe, and the run it trains."""

    @classmethod
    def start(cls, nice, data_dir=None):
        """Start ``python -m serve.worker FD NICE [DATA_DIR]`` with its end of a socket pair.

        A fresh interpreter: the spawn model, never ``fork`` beside a server's threads. Not
        ``multiprocessing``'s spawn or forkserver contexts, because those run the parent's
        ``__main__`` again in the child, and in a Streamlit server ``__main__`` is the page
        script (app.py).
        """
        if os.name != "posix":
            raise RuntimeError(NOT_POSIX)
        parent, child = multiprocessing.Pipe()
        fd = child.fileno()
        path = os.pathsep.join(filter(None, [_ROOT, os.environ.get("PYTHONPATH")]))
        data = [] if data_dir is None else [str(data_dir)]
        proc = subprocess.Popen([sys.executable, "-m", "serve.worker", str(fd), str(nice), *data],
                                pass_fds=[fd], cwd=_ROOT, env={**os.environ, "PYTHONPATH": path})
        child.close()
        return cls(proc, parent)

    def __init__(self, proc, conn):
        self.proc = proc
        self.conn = conn
        self.run = None       # the PoolRun it trains
        self.ready = False    # it has loaded MNIST
        self.draining = None  # the job id of a cancelled run the worker is still ending
        self.draining_since = 0.0
        self.send_lock = threading.Lock()

    @property
    def idle(self):
        return self.ready and self.run is None and self.draining is None

    def send(self, msg):
        """Send ``msg``, a command of :mod:`serve.protocol`, once no other send holds the pipe."""
        with self.send_lock:
            protocol.send(self.conn, msg)

    def receive(self):
        """The worker's next message (EOFError once it has gone)."""
        return protocol.receive(self.conn, protocol.MESSAGES)

    def send_held(self, msg):
        """Send ``msg`` under the send lock the caller acquired, then let it go; False if the
        pipe is broken. The pool takes the lock under its own, sends without it."""
        try:
            protocol.send(self.conn, msg)
            return True
        except OSError:
            return False
        finally:
            self.send_lock.release()

    def close(self, timeout):
        """Close the pipe, so the worker exits on its own; kill it if it has not in ``timeout`` s."""
        self.conn.close()
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()


class Workers:
    """The pool's worker processes: started, replaced when one dies, closed with the pool.

    Parameters
    ----------
    size : int
        Processes to keep running.
    nice : int
    data_dir : path, optional
        The MNIST copy they share.
    lock : threading.RLock
        The pool's, held while the list changes.
    wake : callable
        Wakes the pool's thread (a new worker to listen to).
    """

    def __init__(self, size, nice, data_dir, lock, wake):
        self.size = size
        self.nice = nice
        self.data_dir = data_dir
        self._lock = lock
        self._wake = wake
        self._all = []
        self._closed = False
        self._start_failures = 0  # workers in a row that died before they were ready
        for _ in range(size):
            self._spawn()

    def __iter__(self):
        return iter(list(self._all))

    def __len__(self):
        return len(self._all)

    def __getitem__(self, i):
        return self._all[i]

    def ready(self, w):
        """``w`` said it is ready: it takes runs, and a start that failed before is forgotten."""
        w.ready = True
        self._start_failures = 0

    def remove(self, w):
        """End ``w`` (its pipe broke, or it died) and start another in its place; False if it
        was gone already. One that died before it was ready may die again (a broken install,
        no memory): its successor waits longer after each, rather than start interpreters
        in a tight loop."""
        with self._lock:
            if w not in self._all:
                return False
            self._all.remove(w)
            w.conn.close()
            if w.proc.poll() is None:  # its pipe broke but it lives on: end it
                w.proc.kill()
            w.proc.wait()
            self._start_failures = 0 if w.ready else self._start_failures + 1
            delay = min(30.0, 0.5 * 2 ** self._start_failures) if self._start_failures else 0.0
            threading.Thread(target=self._respawn, args=(delay,), daemon=True).start()
            return True

    def kill_stuck(self, now, deadline):
        """Kill each worker that has not confirmed a cancel for ``deadline`` s (it is then replaced)."""
        with self._lock:
            for w in self._all:
                if w.draining and now - w.draining_since > deadline:
                    w.proc.kill()

    def take_all(self):
        """The workers, handed over to be closed: no more are started."""
        with self._lock:
            self._closed = True
            workers = self._all
            self._all = []
            return workers

    def _spawn(self):
        self._all.append(WorkerHandle.start(self.nice, self.data_dir))

    def _respawn(self, delay):
        time.sleep(delay)
        with self._lock:
            if not self._closed and len(self._all) < self.size:
                self._spawn()
        self._wake()
