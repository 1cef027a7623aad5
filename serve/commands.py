"""What a page asks of its run through its :class:`~serve.seats.Seat`: stop, pause, resume,
a step, leave. A run others watch too goes on: the seat that stops or pauses it gets a
copy of its own from its worker (:class:`~serve.protocol.Fork`), and one that leaves gets
a cancelled copy; a run nobody watches any more is cancelled."""
import contextlib

from .protocol import Done, Fork, Pause, Stop
from .runs import CANCELLED, DONE, ENDED, LEFT_QUEUE, PAUSED, QUEUED, RUNNING


class SeatCommands:
    """The pool's side of a seat's commands, mixed into :class:`~serve.pool.TrainingPool`.

    It works on the pool's ``_lock``, ``_queue``, ``_shared``, ``clock``, ``_wake``,
    ``_worker_of``, ``_cancel``, ``_cancel_locked``, ``_send_cancel``, ``_check_browser`` and
    ``_check_queue``.
    """

    def _stop(self, seat):
        with self._lock:
            run = seat.run
            if run.state in ENDED:  # over already (perhaps a finished run others may still join)
                return
            if len(run.seats) > 1 and run.state in (QUEUED, RUNNING):  # others watch it: a copy stops
                if run.state == QUEUED:  # it never started: this seat leaves the queue
                    self._leave(seat)
                else:
                    self._fork(seat, "stop")
                return
            self._shared.private(run)  # a stopped run is not its settings' run
            w = self._worker_of(run)
            if w is None:
                if run.state == QUEUED and run.checkpoint is not None:
                    run.stop_now = True  # resumed, still waiting: it only ends when its turn comes
                if run.state == PAUSED:
                    # Its final figures need a worker for a moment: it goes first in the queue,
                    # and the worker stops it before any iteration.
                    run.stop_now = True
                    run.state = QUEUED
                    self._queue.appendleft(run)
                    self._wake()
                return
        with contextlib.suppress(OSError):
            w.send(Stop(run.job_id))

    def _pause(self, seat):
        with self._lock:
            run = seat.run
            if run.state != RUNNING:
                return
            if len(run.seats) > 1:  # others watch it: this seat gets a paused copy of its own
                self._fork(seat, "pause")
                return
            self._shared.private(run)  # a paused run is private from now on
            w = self._worker_of(run)
        if w is not None:
            with contextlib.suppress(OSError):
                w.send(Pause(run.job_id))

    def _fork(self, seat, want):
        """Ask the worker of ``seat``'s shared run for a copy of it as it is now (under the
        lock: the message is a few bytes, and nothing large goes to a worker that trains)."""
        run = seat.run
        if seat.wants is not None:  # asked already: its copy comes
            return
        seat.wants = want
        w = self._worker_of(run)
        if w is not None:  # the worker serves each Fork it reads between two chunks, merged
            with contextlib.suppress(OSError):
                w.send(Fork(run.job_id, stop=want == "stop", pause=want == "pause"))

    def _forked(self, run, msg):
        """The worker sent the copy ``msg`` (a :class:`~serve.protocol.Forked`) of ``run``:
        each seat that asked for it moves to a run of its own; a run nobody watches any
        more is cancelled (under the lock)."""
        now = self.clock()
        # the checkpoint's handle first: if the model cannot be written, the handle goes, and its file
        checkpoint = self._files.adopt(msg.checkpoint or None, msg.iteration)
        model = None if msg.model is None else self._files.put(msg.model)  # one file for every seat
        first = True
        for seat in list(run.seats):
            if seat.wants == "stop" and msg.final is not None:
                copy = run.copy_for(seat, DONE, now)
                copy.progress = {**(run.progress or {}), "status": "stopped"}
                copy.result = Done(None, msg.iteration, status="stopped", outcome=msg.outcome,
                                   final=msg.final, model=model)
            elif seat.wants == "pause" and msg.checkpoint == "":  # not written (a full disk): it watches on
                seat.wants = None
                continue
            elif seat.wants == "pause" and checkpoint is None:  # not in this copy: its own comes later
                continue
            elif seat.wants == "pause":  # each copy resumes once: a file each
                mine = checkpoint if first else self._files.copy(checkpoint)
                run.copy_for(seat, PAUSED, now).checkpoint = mine
                first = False
            else:
                continue
            seat.wants = None
        if checkpoint is not None and first:  # the seat that asked left meanwhile
            checkpoint.release()
        if not run.seats:
            self._cancel(run, LEFT_QUEUE)

    def _resume(self, seat, step=False):
        """A paused run goes back to the queue: to the end of its run, unless its browser
        already has another run training or queued, or the queue is full (``Refused``); for
        one iteration (``step``), which costs the class nothing, always."""
        with self._lock:
            run = seat.run
            if run.state != PAUSED:
                return
            if not step:
                self._check_browser(seat.browser, run)
                self._check_queue()
            run.step_next = step
            run.state = QUEUED
            self._queue.append(run)
        self._wake()

    def _leave(self, seat, reason=LEFT_QUEUE):
        """``seat`` leaves its run: a run that others watch goes on (the seat keeps a
        cancelled copy), one nobody watches is cancelled, in the same moment (nobody
        joins it meanwhile)."""
        with self._lock:
            run = seat.run
            if run.state in ENDED:
                return
            if len(run.seats) > 1:
                copy = run.copy_for(seat, CANCELLED, self.clock())
                copy.cancel_reason = reason
                return
            cancel = self._cancel_locked(run, reason)
        self._send_cancel(*cancel)
