"""The fit of :mod:`serve.cost`'s constants (``python -m bench.run_cost --fit``): each part of a
run timed on a grid of networks, one BLAS thread, and each table fitted to its timings.

- ``STEP``: training iterations of each setting of :data:`STEP_GRID`, as the trainer counts
  them (``train_seconds``), without evaluations or gradient health; the median of 3 chunks
  of 0.25 s.
- a check, not a fit: what an iteration of the runs of :data:`LATE_GRID` takes more between
  iterations 1000 and 1400 than between 200 and 600 (Adam's moments once went subnormal
  after iteration 750, and its steps slowed down: ``ffn.optimizers.Adam.FLUSH_EVERY``).
- ``INFER`` and ``EVALUATION``, together: for each network of :data:`NET_GRID`, an
  evaluation as a run makes it (the training subset's copy and accuracy, the validation
  subset's, the stall advice) after the caches were filled with other data, as a run's
  evaluations find them after its steps (the median of 5); and its final accuracy (once).
- ``HEALTH``: a health point of each network (its fixed batch's forward pass taken out,
  by the ``INFER`` just fitted); ``BUILD``: a trainer's build and its model's file;
  ``CHECK``: a gradient check of each network, with its trainer's build (once).

Each table is fitted by non-negative least squares on relative errors. The constants print
in MACs: seconds per count over the training step's seconds per multiply-add.
"""
import statistics
import time
from dataclasses import replace

import numpy as np
from scipy.optimize import nnls

import ffn
from ffn.evaluate import RunAccuracy
from ffn.gradcheck import BATCH, gradient_check
from ffn.health import FIXED_BATCH
from ffn.model_io import model_bytes
from ffn.settings import build_trainer, run_metadata
from ffn.stall import stall_advice
from serve import cost
from ui.run import EVAL_SIZE, EVALS_PER_RUN

# The grids vary one thing at a time around BASE; UNITS is a network whose element-wise work per
# hidden unit weighs most beside its matrix products, to measure the tricks on.
BASE = ffn.TrainSettings(hidden_size=128, weight_init="he", learning_rate=1e-3, batch_size=128)
UNITS = {"hidden_size_list": (64,) * 5, "batch_size": 512}
TRICKS = [{"activation": "sigmoid"}, {"activation": "tanh"}, {"normalization": "batch"},
          {"normalization": "layer"}, {"residual": True}, {"dropout": 0.2}]
LARGEST = {"hidden_size": 512, "depth": 6, "normalization": "batch"}
TINY = {"hidden_size": 32, "batch_size": 16}
WIDE_SMALL_BATCH = {"hidden_size": 512, "batch_size": 16}  # the optimizer's update weighs most
STEP_GRID = [
    {}, {"hidden_size": 32}, {"hidden_size": 512}, {"depth": 4}, {"depth": 6}, {"batch_size": 16},
    {"batch_size": 1024}, {"hidden_size": 32, "batch_size": 1024}, TINY, {**TINY, "depth": 6},
    WIDE_SMALL_BATCH, UNITS, *({**UNITS, **trick} for trick in TRICKS),
    {"augment": True}, {"augment": True, "hidden_size": 32, "batch_size": 512},
    *({**WIDE_SMALL_BATCH, "optimizer": name} for name in ffn.OPTIMIZERS if name != "sgd"),
    {**WIDE_SMALL_BATCH, "weight_decay": 1e-4},
]
# Adam past 750 iterations: the app's usual learning rates (the fast preset's, the article's with Adam)
LATE_GRID = [ffn.preset("fast", batch_size=128, epochs=0),
             ffn.preset("article_he", optimizer="adam", learning_rate=0.01)]
NET_GRID = [{}, {"hidden_size": 32}, {"hidden_size": 512}, {"depth": 6}, UNITS,
            *({**UNITS, **trick} for trick in TRICKS), LARGEST]
_EVICT = np.ones(2 ** 25, dtype=np.float32)  # 128 MB, more than any cache


def _once(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def _median_time(fn, seconds=0.25, repeats=3):
    """Seconds a call of ``fn`` takes: calls for about ``seconds``, the median of ``repeats`` such."""
    fn()
    n = max(1, int(seconds / max(_once(fn), 1e-6)))
    return statistics.median(_once(lambda: [fn() for _ in range(n)]) / n for _ in range(repeats))


def _cold(fn, repeats=5):
    """Seconds a call of ``fn`` takes after other data filled the caches: the median of ``repeats``."""
    out = []
    for _ in range(repeats):
        _EVICT.sum()
        out.append(_once(fn))
    return statistics.median(out)


def _step_seconds(s, x, t, seconds=0.25, repeats=3):
    """Seconds a training iteration of ``s`` takes, as the trainer counts them."""
    tr = build_trainer(replace(s, iters=10 ** 5, epochs=0), x, t, eval_size=100)  # the library's limits
    tr.health.due = lambda iteration: False
    tr.eval_every = 10 ** 9
    tr.step(max_iters=3)  # the workspace's and the optimizer's arrays
    out = []
    for _ in range(repeats):
        before, it = tr.train_seconds, tr.iteration
        tr.step(max_seconds=seconds)
        if tr.done:
            raise RuntimeError(f"the fit's run of {s} ended: {tr.outcome}")
        out.append((tr.train_seconds - before) / (tr.iteration - it))
    return statistics.median(out)


def _late_seconds(s, x, t, early=(200, 600), late=(1000, 1400)):
    """Seconds an iteration of ``s`` takes more between iterations ``late`` than between ``early``."""
    tr = build_trainer(replace(s, iters=late[1], epochs=0), x, t, eval_size=100)
    tr.health.due = lambda iteration: False
    tr.eval_every = 10 ** 9
    per = {}
    for start, end in ((0, early[0]), early, (early[1], late[0]), late):
        before = tr.train_seconds
        tr.step(max_iters=end - start)
        per[start, end] = (tr.train_seconds - before) / (end - start)
    return per[late] - per[early]


def _label(changes):
    return ", ".join(f"{k} {v}" for k, v in changes.items()) or "base"


def _fit(rows, names, what, verbose):
    """Non-negative least squares of seconds on term counts, on relative errors: {term: seconds per count}.
    ``rows`` are (label, terms, seconds); prints how far the fit is from the worst of them, or from each."""
    a = np.array([np.array([terms.get(k, 0) for k in names]) / y for _, terms, y in rows])
    coef, _ = nnls(a, np.ones(len(rows)))
    fitted = a @ coef
    worst = int(np.argmax(np.abs(np.log(fitted))))
    print(f"{what}: {len(rows)} timings, fitted/measured {fitted.min():.2f}-{fitted.max():.2f} "
          f"(worst: {rows[worst][0]})")
    if verbose:
        for (label, _, y), f in zip(rows, fitted):
            print(f"    {label:<78}{y * 1e3:>10.3f} ms{f:>6.2f}")
    return dict(zip(names, coef))


def _net_rows(label, s, x, t, xt, tt):
    """The timings of one network of NET_GRID: {table: (label, terms, seconds)}; HEALTH's
    seconds still hold the fixed batch's forward pass."""
    tr = build_trainer(s, x, t, eval_size=EVAL_SIZE, evals_per_run=EVALS_PER_RUN)
    tr.step(max_iters=2)
    image = cost.image_terms(s)
    history = {"train_acc": [], "valid_acc": [], "loss": [2.3] * 5000, "grad_norm": [[1e-3]]}
    subset = np.sort(np.random.default_rng(0).permutation(len(tr.x_train))[:EVAL_SIZE])
    accuracy = RunAccuracy(tr.x_train, tr.t_train, tr.x_valid, tr.t_valid, subset, EVAL_SIZE)

    def evaluation():
        accuracy.record(tr.net, history)
        stall_advice(tr.net, history, 5000)
    xb, tb = tr.x_train[:s.batch_size], tr.t_train[:s.batch_size]

    def point():
        tr.health.before_update(xb, tb)
        tr.health.after_update(tr)

    def made():
        trainer = build_trainer(s, x, t, eval_size=EVAL_SIZE, evals_per_run=EVALS_PER_RUN)
        trainer.net.meta.update(run_metadata(trainer, s, {"train": 0.5}, command="bench"))
        model_bytes(trainer.net)

    def check():
        trainer = build_trainer(s, x, t, eval_size=EVAL_SIZE, evals_per_run=EVALS_PER_RUN)
        gradient_check(trainer.net, trainer.x_train[:BATCH], trainer.t_train[:BATCH])
    final = len(tr.x_train) + len(tr.x_valid) + len(xt)
    evaluated = {**{k: n * 2 * EVAL_SIZE for k, n in image.items()}, "copy": EVAL_SIZE, "evaluation": 1}
    return {"INFER": [(f"{label}, evaluation", evaluated, _cold(evaluation)),
                      (f"{label}, final", {k: n * final for k, n in image.items()},
                       _once(lambda: tr.final_accuracy(xt, tt)))],
            "HEALTH": [(label, cost.health_terms(s), _median_time(point))],
            "BUILD": [(label, cost.build_terms(s), _median_time(made, seconds=0.5))],
            "CHECK": [(label, cost.check_terms(s), _once(check))]}


def fit(data, verbose=False):
    """Time each part on its grid, fit its table, print the tables in MACs. Run it with one BLAS thread."""
    (x, t), (xt, tt) = data
    rows = [(_label(g), cost.step_terms(s, s.batch_size), _step_seconds(s, x, t))
            for g in STEP_GRID for s in [replace(BASE, **g)]]
    tables = {"STEP": _fit(rows, list(cost.STEP), "STEP", verbose)}
    for s in LATE_GRID:  # none, since Adam flushes its tiny moments: the step's own table holds
        late = _late_seconds(s, x, t) / cost.step_terms(s, s.batch_size)[s.optimizer] * 1e9
        print(f"Adam lr {s.learning_rate} {s.hidden_sizes()}: an iteration past 1000 takes {late:+.2f} ns "
              f"per parameter more than one before 600")
    rows = {"INFER": [], "HEALTH": [], "BUILD": [], "CHECK": []}
    nets = [(_label(g), replace(BASE, **g)) for g in NET_GRID]
    for label, s in nets:
        for name, part in _net_rows(label, s, x, t, xt, tt).items():
            rows[name] += part
    infer = _fit(rows.pop("INFER"), [*cost.INFER, *cost.EVALUATION], "INFER and EVALUATION", verbose)
    tables["INFER"] = {k: infer[k] for k in cost.INFER}
    tables["EVALUATION"] = {k: infer[k] for k in cost.EVALUATION}
    batch = {label: FIXED_BATCH * cost.work(cost.image_terms(s), tables["INFER"]) for label, s in nets}
    rows["HEALTH"] = [(label, terms, y - batch[label]) for label, terms, y in rows["HEALTH"]]
    for name, part in rows.items():
        tables[name] = _fit(part, list(getattr(cost, name)), name, verbose)
    mac = tables["STEP"]["mac"]
    print(f"\none MAC of a training step: {mac * 1e12:.2f} ps, {1 / mac / 1e9:.1f} G MACs/s")
    for name, coef in tables.items():
        print(f"{name} = {{" + ", ".join(f'"{k}": {v / mac:.3g}' for k, v in coef.items()) + "}")
