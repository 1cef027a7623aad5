"""A training engine that the CLI and the app drive a bounded chunk at a time.

The trainer owns the run's state (iteration, shuffled order, history, optimizer state),
so a caller can run 50 iterations, draw a chart, and come back: pausing is simply not
calling :meth:`Trainer.step`. It never prints and words nothing: it reports through
``history``, :meth:`progress`, and notes made of a code and numbers (``outcome``,
``advice``) that a page words in its reader's language. :func:`ffn.notes.describe` gives the plain
English the command line prints.

One thread at a time drives a run: a second caller of :meth:`step` skips its chunk rather
than train on the same arrays. :meth:`stop` from any thread takes effect between two iterations.

Same settings, same numbers: everything a run computes (its steps, its accuracy curves, its
final figures) uses one BLAS thread (:mod:`ffn.threads`), so its weights depend on its
settings, its seed and the code alone, not on the machine's cores or load.
"""
import math
import threading
import time

import numpy as np

from .evaluate import RunAccuracy
from .health import FIXED_BATCH, HEALTH_KEYS, Health
from .length import check_run, iters_per_epoch
from .schedules import learning_rate
from .stall import stall_advice
from .threads import run_threads
from .workspace import BatchArrays, Workspace

MAX_LOSS = 1e3       # a mean cross-entropy this large means the run has blown up
KEEP_EVERY = 50      # iterations between copies of the weights a run that blows up goes back to
HISTORY_KEYS = ("iteration", "loss", "eval_iteration", "epoch", "train_acc", "valid_acc")  # and HEALTH_KEYS


class Trainer:
    """Mini-batch training of a network with an optimizer.

    Parameters
    ----------
    net : MultiLayerNet
    optimizer : object with ``update(params, grads)`` and an ``lr`` attribute
        One that says ``elementwise = True`` (all of :mod:`ffn.optimizers` do) is handed
        the whole network as one vector, ``{'all': net.param_vector}``, and its
        gradients likewise; any other gets ``net.params`` and the gradients by key.
    x_train : ndarray of shape (N, D)
    t_train : ndarray of shape (N,) or (N, C)
    x_valid, t_valid : ndarray, optional
        Held-out data for the validation accuracy curve.
    batch_size : int
    iters, epochs : int or float
        Length of the run: give one. ``epochs`` counts passes over ``x_train``.
    lr_schedule : {'constant', 'step', 'cosine'}
        Applied to the optimizer's learning rate at each iteration.
    eval_every : int, optional
        Iterations between accuracy measurements; default one epoch.
    eval_size : int
        Images of each set measured during the run (:class:`ffn.evaluate.RunAccuracy`).
    augment : callable, optional
        ``augment(x_batch, rng) -> x_batch``, applied to each training batch.
    seed : int
        Seeds the batch order, the evaluation subset and the augmentation. With the same
        network seed it makes the run reproducible.

    Attributes
    ----------
    status : {'ready', 'running', 'finished', 'stopped', 'diverged'}
    outcome : (str, dict) or None
        Why the run ended, once it has: ``('finished', {iterations, epochs})``,
        ``('stopped', {iteration, total})`` or ``('diverged', {how, loss, iteration, lr,
        kept})`` with ``how`` in {'nan', 'inf', 'large'}.
    advice : (str, dict) or None
        A stall (:func:`ffn.stall.stall_advice`), refreshed at each evaluation: while the
        loss stays near guessing, and once the run has clearly begun to learn after it
        (with the iteration it began at); None for a run that never stalled.
    history : dict of lists
        ``iteration`` and ``loss`` per step; ``eval_iteration``, ``epoch``, ``train_acc``
        and ``valid_acc`` per evaluation; the gradient health of :mod:`ffn.health`.
    health : Health
        Records that health, and captures one iteration whole on request (the app's Step).
    """

    def __init__(self, net, optimizer, x_train, t_train, x_valid=None, t_valid=None, *,
                 batch_size=100, iters=None, epochs=None, lr_schedule="constant",
                 eval_every=None, eval_size=5000, augment=None, seed=0):
        n, self.total_iters = check_run(x_train, t_train, batch_size, iters, epochs)
        self.net = net
        self.optimizer = optimizer
        if np.ndim(t_train) == 2:  # one-hot rows: in the network's dtype, or the loss's gradient upcasts
            t_train = np.asarray(t_train, dtype=net.dtype)
        self.x_train, self.t_train = x_train, t_train
        self.x_valid, self.t_valid = x_valid, t_valid
        self.batch_size = int(min(batch_size, n))
        self.iter_per_epoch = iters_per_epoch(n, self.batch_size)
        learning_rate(lr_schedule, 1.0, 0, self.total_iters)  # validates the name
        self.lr_schedule = lr_schedule
        self.base_lr = optimizer.lr
        self.eval_every = int(eval_every or self.iter_per_epoch)
        self.augment = augment
        self.rng = np.random.default_rng(seed)
        # Drawn whatever eval_size is, so that a seed gives the same run.
        subset = np.sort(self.rng.permutation(n)[:eval_size])
        self._accuracy = RunAccuracy(x_train, t_train, x_valid, t_valid, subset, eval_size)
        self._order = None
        # What a step writes is allocated once: the layers' arrays and gradients, the batch.
        self._workspace = Workspace(net)
        self._batch_arrays = BatchArrays(x_train, t_train, self.batch_size, net.dtype)
        # The weights a run that blows up goes back to, refreshed every KEEP_EVERY iterations.
        self._good = net.state_vector.copy()
        self._good_iteration = 0
        self._update_args = self._optimizer_args()

        self._lock = threading.Lock()  # held while stepping or measuring the final accuracy
        self._stop_requested = False
        self._stepping_thread = None   # the thread inside step(), if any

        self.iteration = 0
        self.status = "ready"
        self.outcome = None  # (code, values) once the run is over
        self.advice = None   # (code, values): a stall, or one the run got out of
        self.train_seconds = 0.0
        self.history = {k: [] for k in (*HISTORY_KEYS, *HEALTH_KEYS)}
        self.health = Health(net, x_train[subset[:FIXED_BATCH]], self.total_iters, self.eval_every)

    def _optimizer_args(self):
        """An element-wise optimizer updates the whole network as one vector (one NumPy call
        per operation, not one per array); any other gets the arrays by key."""
        if getattr(self.optimizer, "elementwise", False):
            return {"all": self.net.param_vector}, {"all": self._workspace.grads_vector}
        return self.net.params, self._workspace.grads

    @property
    def epoch(self):  # epochs completed, as a float
        return self.iteration / self.iter_per_epoch

    @property
    def done(self):  # the run is over, whichever way
        return self.status in ("finished", "stopped", "diverged")

    def _batch_indices(self):
        pos = self.iteration % self.iter_per_epoch
        if pos == 0 or self._order is None:
            self._order = self.rng.permutation(len(self.x_train))
        return self._order[pos * self.batch_size:(pos + 1) * self.batch_size]

    def _evaluate(self):
        self.history["eval_iteration"].append(self.iteration)
        self.history["epoch"].append(self.epoch)
        self._accuracy.record(self.net, self.history)

    def _batch(self):
        """The next batch, gathered into the trainer's fixed arrays: ``(x, t)``."""
        return self._batch_arrays.gather(self.x_train, self.t_train, self._batch_indices())

    def _diverged(self, loss):
        np.copyto(self.net.state_vector, self._good)  # in place: the layers keep their arrays
        self.status = "diverged"
        how = "nan" if math.isnan(loss) else "inf" if math.isinf(loss) else "large"
        self.outcome = ("diverged", {"how": how, "loss": loss, "iteration": self.iteration + 1,
                                     "lr": self.base_lr, "kept": self._good_iteration})

    def step(self, max_iters=None, max_seconds=None):
        """Run up to ``max_iters`` iterations, or until ``max_seconds`` have passed.

        Returns at once with 0 when another thread is stepping this run, and stops
        between two iterations as soon as :meth:`stop` is called.

        Returns
        -------
        int
            Iterations run in this call (0 once the run is over).
        """
        if not self._lock.acquire(blocking=False):
            return 0  # another thread drives the run: skip this chunk
        self._stepping_thread = threading.get_ident()
        try:
            if self.done:
                return 0
            if self._stop_requested:
                self._apply_stop()
                return 0
            with run_threads():
                return self._step(max_iters, max_seconds)
        finally:
            self._stepping_thread = None
            self._lock.release()

    def _step(self, max_iters, max_seconds):
        self.status = "running"
        if self.iteration == 0 and not self.history["eval_iteration"]:
            self._evaluate()
        start = time.perf_counter()
        ran = 0
        net, workspace = self.net, self._workspace
        while self.iteration < self.total_iters and not self._stop_requested:
            if max_iters is not None and ran >= max_iters:
                break
            if max_seconds is not None and ran and time.perf_counter() - start >= max_seconds:
                break
            t0 = time.perf_counter()
            x, t = self._batch()
            if self.augment is not None:
                x = self.augment(x, self.rng)
            self.optimizer.lr = learning_rate(self.lr_schedule, self.base_lr, self.iteration,
                                              self.total_iters)
            net.gradient(x, t, workspace)  # fills workspace.grads_vector
            loss = net.lastLayer.loss
            if not (math.isfinite(loss) and loss < MAX_LOSS):
                self._diverged(loss)
                return ran
            if self.iteration % KEEP_EVERY == 0:  # these weights gave a finite loss: keep a copy
                np.copyto(self._good, net.state_vector)
                self._good_iteration = self.iteration
            watch = self.health.due(self.iteration + 1)
            if watch:  # about every hundredth iteration: the gradient norms, weights before the update
                self.health.before_update(x, t)
            self.optimizer.update(*self._update_args)
            if watch:
                self.health.after_update(self)
            self.iteration += 1
            ran += 1
            self.history["iteration"].append(self.iteration)
            self.history["loss"].append(loss)
            self.train_seconds += time.perf_counter() - t0
            if self.iteration % self.eval_every == 0 or self.iteration == self.total_iters:
                self._evaluate()
                self.advice = stall_advice(self.net, self.history, self.iteration)
        if not np.isfinite(net.state_vector).all():  # the weights, and batch norm's statistics
            self._diverged(float("nan"))
        elif self.iteration >= self.total_iters:
            self.status = "finished"
            self.outcome = ("finished", {"iterations": self.total_iters, "epochs": self.epoch})
        elif self._stop_requested:
            self._apply_stop()
        return ran

    def stop(self):
        """End the run early; the network keeps its current weights.

        Safe from any thread: if another thread is stepping, this waits for the iteration
        in progress, and the run stops there; ``status`` says so when this returns. Called
        from inside :meth:`step` (an augmentation callback, a signal handler), it only asks:
        the run stops after the iteration in progress.
        """
        self._stop_requested = True
        if threading.get_ident() == self._stepping_thread:
            return  # called from inside step() (a callback, a signal): the loop stops itself
        with self._lock:  # a stepping thread sees the request and lets go within one iteration
            self._apply_stop()

    def _apply_stop(self):
        if not self.done:
            self.status = "stopped"
            self.outcome = ("stopped", {"iteration": self.iteration, "total": self.total_iters})

    def progress(self):
        """A dict for progress displays: iteration, epoch, loss, samples/s, seconds left."""
        rate = self.iteration / self.train_seconds if self.train_seconds > 0 else 0.0
        left = (self.total_iters - self.iteration) / rate if rate else None
        losses = self.history["loss"]
        return {"iteration": self.iteration, "total_iters": self.total_iters, "epoch": self.epoch,
                "fraction": self.iteration / self.total_iters, "loss": losses[-1] if losses else None,
                "samples_per_sec": rate * self.batch_size, "seconds_left": left,
                "status": self.status, "lr": self.optimizer.lr}

    def final_accuracy(self, x_test=None, t_test=None):
        """Accuracy on the full training, validation and (if given) test sets, of one set of
        weights (it waits for a chunk in progress on another thread)."""
        with self._lock, run_threads():
            return self._accuracy.final(self.net, x_test, t_test)
