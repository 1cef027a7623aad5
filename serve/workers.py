"""A worker process as the pool sees it: started as ``python -m serve.worker``, its end
of the pipe, and the run it trains."""
import multiprocessing
import os
import subprocess
import sys
import threading
from pathlib import Path

_ROOT = str(Path(__file__).resolve().parent.parent)  # where `python -m serve.worker` finds serve and ffn


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
        parent, child = multiprocessing.Pipe()
        fd = child.fileno()
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [_ROOT, os.environ.get("PYTHONPATH")]))}
        data = [] if data_dir is None else [str(data_dir)]
        proc = subprocess.Popen([sys.executable, "-m", "serve.worker", str(fd), str(nice), *data], pass_fds=[fd],
                                cwd=_ROOT, env=env)
        child.close()
        return cls(proc, parent)

    def __init__(self, proc, conn):
        self.proc, self.conn, self.run, self.ready = proc, conn, None, False
        self.draining = None  # the job of a cancelled run the worker is still ending
        self.draining_since = 0.0
        self.threads = None   # the BLAS threads its run was last told to use
        self.send_lock = threading.Lock()

    @property
    def idle(self):
        return self.ready and self.run is None and self.draining is None

    def send(self, msg):
        with self.send_lock:
            self.conn.send(msg)

    def send_held(self, msg):
        """Send ``msg`` under the send lock the caller acquired, then let it go; False if the
        pipe is broken. The pool takes the lock under its own, sends without it."""
        try:
            self.conn.send(msg)
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
