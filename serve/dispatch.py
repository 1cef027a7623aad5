"""The thread of a :class:`~serve.pool.TrainingPool`: it listens to the workers, turns
their messages into the runs' states, replaces a worker that dies, and hands queued runs
to idle workers, first come first served."""
import dataclasses
import logging
import multiprocessing.connection

from .protocol import Cancelled, Done, Error, Forked, Paused, Ready, Report
from .runs import DONE, PAUSED, WORKER_DIED

log = logging.getLogger("serve.pool")


class Dispatcher:
    """The pool's side that no page calls: :meth:`_serve` runs in the pool's thread.

    It works on the pool's attributes, under the pool's ``_lock``: ``_workers`` (a
    :class:`~serve.workers.Workers`), ``_queue`` (the queued :class:`~serve.runs.PoolRun` s),
    ``_by_job`` (job id -> run), ``_job_ids``, ``_pace``, ``_load``, ``_shared`` (the runs
    sessions may join), ``_files`` (the runs' checkpoints and models, a
    :class:`~serve.files.FileStore`), ``_closed``, ``_wake_r`` (readable when the pool's
    thread has something to do), ``chunk``, ``deadline`` and ``clock``.
    """

    def _serve(self):
        while True:
            with self._lock:
                if self._closed:
                    return
                conns = {w.conn: w for w in self._workers}
            try:  # whatever goes wrong in one pass, the pool's thread lives on
                # A worker that dies closes its end of the pipe: its connection becomes readable
                # and reading it raises EOFError, which replaces the worker.
                ready = multiprocessing.connection.wait([*conns, self._wake_r], timeout=1.0)
                for r in ready:
                    if r is self._wake_r:
                        while self._wake_r.poll():
                            self._wake_r.recv_bytes()
                    elif r in conns:
                        self._receive(conns[r])
                self._workers.kill_stuck(self.clock(), self.deadline)  # a cancel not confirmed: replaced
                self._load.update([w.proc.pid for w in conns.values()])
                self._dispatch()
            except Exception:  # noqa: BLE001 - logged; the next pass starts afresh
                log.exception("the training pool's thread")

    def _receive(self, w):
        try:
            while w.conn.poll():
                self._handle(w, w.receive())
        except (EOFError, OSError):
            self._replace(w)
        except Exception:  # noqa: BLE001 - a message that cannot be read: that worker is replaced
            log.exception("a training worker's message")
            self._replace(w)

    def _handle(self, w, msg):
        with self._lock:
            if isinstance(msg, Ready):
                self._workers.ready(w)
                return
            if msg.job_id == w.draining:  # the cancelled run's last words: the worker is free
                if isinstance(msg, (Cancelled, Done, Paused, Error)):
                    w.draining = None
                self._files.discard(getattr(msg, "checkpoint", None))
                return
            run = self._by_job.get(msg.job_id)
            if run is None or w.run is not run:
                self._files.discard(getattr(msg, "checkpoint", None))
                return  # a late message from a run that was cancelled
            now = self.clock()
            run.last_heard = now
            if isinstance(msg, Report):
                run.take_report(msg)
                self._pace.reported(w, now, run.work_done())
                return
            if isinstance(msg, Forked):
                try:
                    self._forked(run, msg)
                except OSError:  # its model could not be written (a full disk): the shared run goes on
                    log.exception("a stopped or paused copy of a shared run could not be kept")
                    for seat in run.seats:
                        seat.wants = None
                return
            w.run = None  # a stay ends
            self._pace.ended(w)
            run.end_stay(now)
            self._by_job.pop(msg.job_id, None)
            self._files.discard(run.handed_over)  # read and deleted by the worker, unless it failed first
            run.handed_over = None
            if isinstance(msg, Paused):
                run.checkpoint = self._files.adopt(msg.checkpoint, msg.iteration)
                if run.checkpoint is None:
                    run.fail("checkpoint", f"the worker paused the run in {msg.checkpoint!r}, "
                                           "not in the pool's folder")
                else:
                    run.state = PAUSED
            elif isinstance(msg, Done):
                try:
                    run.result = self._stored(msg)
                    run.state = DONE
                except OSError as e:  # a full disk: the run ends without its model, and says why
                    run.fail("disk", f"the run's model could not be written: {e}")
            elif isinstance(msg, Error):
                run.fail(msg.code, msg.text)
            for seat in run.seats:  # what a seat asked of a shared run ends with it
                seat.wants = None
            if run.state != PAUSED:
                self._shared.ended(run, now)  # kept for whoever comes later, if done

    def _stored(self, msg):
        """``msg`` (a Done) with its model file moved from the server's memory to its files."""
        if msg.model is None:
            return msg
        return dataclasses.replace(msg, model=self._files.put(msg.model))

    def _replace(self, w):
        """A worker died: its run fails, and a new worker takes its place."""
        with self._lock:
            if not self._workers.remove(w):
                return
            self._pace.ended(w)
            if w.run is not None:
                self._files.discard(w.run.handed_over)  # if it died before reading it
                w.run.fail(WORKER_DIED)
                self._by_job.pop(w.run.job_id, None)
                self._shared.ended(w.run, self.clock())

    def _dispatch(self):
        """Start queued runs on idle, ready workers, first come first served."""
        starts = []
        with self._lock:
            while self._queue:
                idle = next((w for w in self._workers if w.idle), None)
                if idle is None:
                    break
                run = self._queue.popleft()
                job_id = next(self._job_ids)
                self._by_job[job_id] = run
                idle.run = run
                start = run.begin_stay(job_id, self.clock(), self.chunk, self._files.folder)
                self._pace.began(idle, self.clock(), run.work_done())
                idle.send_lock.acquire()  # a Stop or a cancel for this run waits until it is sent
                starts.append((idle, start))
        failed = []
        tried = 0
        try:  # a resumed run's checkpoint is megabytes: sent without the pool's lock
            for tried, (w, start) in enumerate(starts, 1):
                if not w.send_held(start):  # which lets go of w's send lock
                    failed.append(w)
        finally:  # nothing stays locked, even after an error: the rest were never sent
            for w, _start in starts[tried:]:
                w.send_lock.release()
        for w in failed:  # only now: replacing takes the pool's lock and sends to other workers
            self._replace(w)
