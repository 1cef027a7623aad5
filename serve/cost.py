"""The cost of a run: the work a :class:`~serve.protocol.Job` takes, so that the queue can
say how long a run will need, whatever its network.

Work is counted in one unit, the multiply-add of a float32 matrix product (a *MAC*). A
run's matrix products are counted as they are; all else it does (element-wise passes, the
optimizer's update, Python's own time per layer) as the MACs that take as long on one core
with one BLAS thread, as every run trains. Then seconds ≈ work / speed, one speed for the
machine: :data:`SPEED` on the project's.

A training run's work is the sum of its parts (:func:`run_parts`): ``build``, its trainer
and its model's file; ``train``, its iterations (:func:`step_terms`: the batch's matrix
products, each hidden unit's element-wise work on each image by activation, normalisation
and dropout, each image's gather, loss and augmentation, the optimizer's update of each
parameter, each layer's calls); ``evaluations``, the accuracy measured during the run
(:func:`ffn.settings.eval_interval` says how often) on ``job.eval_size`` images of the
training and validation sets; ``health``, the gradient health (:mod:`ffn.health`), about
every hundredth iteration; ``final``, the accuracy on the full training, validation and
test sets. The constants are in MACs, fitted on the project's 2-core machine by
``python -m bench.run_cost --fit`` (bench/README.md, "Issue 28: the cost of a run").
"""
import math

from ffn.architecture import param_count, param_shapes, residual_layers
from ffn.gradcheck import BATCH, ENTRIES
from ffn.health import FIXED_BATCH, RECORDS_PER_RUN
from ffn.length import iters_per_epoch
from ffn.settings import INPUT_SIZE, MNIST_TRAIN, OUTPUT_SIZE, eval_interval, run_length

from .protocol import GRADCHECK

TEST_IMAGES = 10_000  # the test set the worker measures a finished run on

# The tables below are MACs per unit of each term. `python -m bench.run_cost --fit` measured them on the
# project's machine, one core, one BLAS thread: a grid of short timings of each part, fitted by least
# squares (bench/README.md, "Issue 28: the cost of a run").

STEP = {                  # a training iteration (step_terms, late_terms)
    "mac": 1.0,           # a multiply-add of the batch's forward and backward matrix products: the unit
    "relu": 280.0,        # per hidden unit and image, forward and backward, with its bias
    "sigmoid": 480.0,
    "tanh": 210.0,
    "batch": 600.0,       # batch normalisation, per hidden unit and image
    "layer": 590.0,       # layer normalisation
    "dropout": 330.0,     # dropout, per hidden unit and image
    "residual": 0.0,      # a skip connection, per unit of its layer and image: too small for the fit to see
    "image": 89_000.0,    # per image: its gather into the batch, its softmax and loss
    "augment": 1.34e6,    # per image, when the run augments its batches
    "sgd": 126.0,         # the optimizer's update, per parameter
    "momentum": 182.0,
    "nesterov": 230.0,
    "adagrad": 242.0,
    "rmsprop": 268.0,
    "adam": 303.0,
    "decay": 74.0,        # weight decay, per weight
    "iteration": 0.0,     # Python's own time per iteration: the fit finds it all in the next term
    "layers": 6.7e5,      # ... per layer of the network (its forward and backward calls)
}
INFER = {                 # an image's forward pass when accuracy is measured (image_terms)
    "mac": 1.1,
    "relu": 80.0,
    "sigmoid": 360.0,
    "tanh": 104.0,
    "batch": 168.0,
    "layer": 260.0,
    "residual": 18.0,
    "image": 42_000.0,    # reading it, its scores' argmax
}
EVALUATION = {            # an accuracy measurement during the run, beside its images' forward passes
    "copy": 15_500.0,     # per image of the training subset, copied out at each measurement
    "evaluation": 0.0,    # its own time (Python, the stall advice): too small for the fit to see
}
HEALTH = {                # a gradient-health point, beside its fixed batch's forward pass (health_terms)
    "weight": 78.0,       # per weight: the copies and norms
    "unit": 44_000.0,     # per hidden unit: the activations' statistics
    "point": 3.25e6,      # its own time
}
BUILD = {                 # building a trainer, and its model's file at the end (build_terms)
    "param": 1170.0,      # per parameter: the starting weights, the trainer's arrays, the file
    "run": 1.03e8,        # its own time
}
CHECK = {                 # a gradient check: two losses of its batch for each entry checked (check_terms)
    "mac": 7.3,           # per multiply-add of those forward passes, in float64
    "layers": 3.1e5,      # per layer of each forward pass
    "norm": 1.09e6,       # ... and once more per normalisation layer, whose forward pass is longer
    "check": 1.1e8,       # its own time, with its trainer's build
}
SPEED = 8.55e10           # work a second of one worker on the project's machine: bench.run_cost's one speed


def work(terms, table):
    """The work of ``terms`` (term -> count) with the MACs of ``table`` (:data:`STEP`, :data:`INFER`...)."""
    return sum(count * table[term] for term, count in terms.items())


def _affine_shapes(s):
    sizes = s.layer_sizes()
    return list(zip(sizes[:-1], sizes[1:]))


def _weights(s):
    return sum(i * o for i, o in _affine_shapes(s))


def _params(s):
    return param_count(INPUT_SIZE, s.hidden_sizes(), OUTPUT_SIZE, s.normalization)


def _layers(s):
    """The layers a forward pass goes through: each Affine, each hidden layer's normalisation,
    activation and dropout."""
    per_hidden = 1 + (s.normalization != "none") + (s.dropout > 0)
    return len(s.hidden_sizes()) * per_hidden + 1


def image_terms(s, train=False):
    """What one image costs a network of the settings ``s``: term -> count, the terms of
    :data:`STEP` (``train``: forward and backward) or of :data:`INFER` (a forward pass).

    The first layer's backward pass computes no gradient of its input, the data.
    """
    shapes = _affine_shapes(s)
    macs = _weights(s)
    if train:
        macs = 3 * macs - shapes[0][0] * shapes[0][1]
    hidden = sum(s.hidden_sizes())
    terms = {"mac": macs, s.activation: hidden, "image": 1}
    if s.normalization != "none":
        terms[s.normalization] = hidden
    if s.dropout > 0 and train:
        terms["dropout"] = hidden
    if s.residual:
        sizes = s.hidden_sizes()
        terms["residual"] = sum(sizes[i - 1] for i in residual_layers(sizes))
    return terms


def step_terms(s, batch):
    """What one training iteration of ``batch`` images costs: term -> count, the terms of :data:`STEP`."""
    terms = {k: batch * n for k, n in image_terms(s, train=True).items()}
    if s.augment:
        terms["augment"] = batch
    terms[s.optimizer] = _params(s)
    if s.weight_decay:
        terms["decay"] = _weights(s)
    terms["iteration"] = 1
    terms["layers"] = _layers(s)
    return terms


def health_terms(s):
    """A gradient-health point beside its fixed batch: the terms of :data:`HEALTH`."""
    return {"weight": _weights(s), "unit": sum(s.hidden_sizes()), "point": 1}


def build_terms(s):
    """Building a trainer and saving its model: the terms of :data:`BUILD`."""
    return {"param": _params(s), "run": 1}


def check_terms(s):
    """A gradient check of the settings' network: the terms of :data:`CHECK`. Each entry checked
    (all of a small array, ``ENTRIES`` of a large one) costs two forward passes of ``BATCH`` images."""
    shapes = param_shapes(INPUT_SIZE, s.hidden_sizes(), OUTPUT_SIZE, s.normalization).values()
    passes = 2 * sum(min(math.prod(shape), ENTRIES) for shape in shapes)
    terms = {"mac": passes * BATCH * _weights(s), "layers": passes * _layers(s), "check": 1}
    if s.normalization != "none":
        terms["norm"] = passes * len(s.hidden_sizes())
    return terms


def _image(s):
    return work(image_terms(s), INFER)


def _health_point(s):
    return FIXED_BATCH * _image(s) + work(health_terms(s), HEALTH)


class RunPlan:
    """What a training job will do, counted as its trainer counts it: ``iterations`` of
    ``batch`` images on ``n_train`` of them (``n_valid`` held out), an accuracy measurement
    every ``eval_every`` iterations on ``eval_train`` and ``eval_valid`` images, a
    gradient-health point every ``health_every`` between two measurements."""

    def __init__(self, job):
        s = self.settings = job.settings
        self.iterations, self.batch, self.n_train, _epochs = run_length(s)
        self.n_valid = int(MNIST_TRAIN * s.valid_ratio)
        per_epoch = iters_per_epoch(self.n_train, self.batch)
        self.eval_every = (eval_interval(self.iterations, per_epoch, job.evals_per_run)
                           if job.evals_per_run else per_epoch)
        self.eval_train = min(job.eval_size, self.n_train)
        self.eval_valid = min(job.eval_size, self.n_valid)
        # as ffn.health.Health spaces its points between two measurements
        per_eval = -(-RECORDS_PER_RUN * self.eval_every // max(self.iterations, 1))
        self.health_every = max(1, -(-self.eval_every // per_eval))

    def evaluations(self, iteration):
        """Accuracy measurements made once ``iteration`` iterations are done: one before the
        first, one every ``eval_every``, one at the last; 0 before the run starts."""
        if iteration <= 0:
            return 0
        extra = iteration >= self.iterations and self.iterations % self.eval_every
        return 1 + iteration // self.eval_every + bool(extra)

    def health_points(self, iteration):
        """Gradient-health points recorded in the first ``iteration`` iterations, as
        :meth:`ffn.health.Health.due` picks them: the first, the last, and those whose place
        between two measurements is a multiple of ``health_every``."""
        every, period = self.health_every, self.eval_every
        per_period = -(-period // every)  # the places r < period with r % every == 0
        q, rem = divmod(iteration + 1, period)  # counted over 0..iteration, then 0 itself taken out
        count = q * per_period + -(-rem // every) - 1
        count += iteration >= 1 and not self._regular(1)
        count += iteration >= self.iterations > 1 and not self._regular(self.iterations)
        return count

    def _regular(self, i):
        return i % self.eval_every % self.health_every == 0

    def evaluation(self):
        """The work of one accuracy measurement during the run."""
        terms = {"evaluation": 1}
        if self.eval_train < self.n_train:  # a subset, copied at each measurement; a whole set is a view
            terms["copy"] = self.eval_train
        return (self.eval_train + self.eval_valid) * _image(self.settings) + work(terms, EVALUATION)

    def parts(self, iteration):
        """The work of the first ``iteration`` iterations, part by part (all 0 at 0)."""
        s, it = self.settings, max(0, min(int(iteration), self.iterations))
        return {"build": work(build_terms(s), BUILD) if it else 0.0,
                "train": it * work(step_terms(s, self.batch), STEP),
                "evaluations": self.evaluations(it) * self.evaluation(),
                "health": self.health_points(it) * _health_point(s)}


def run_parts(job):
    """The work of a training job, part by part: a dict with ``build``, ``train``,
    ``evaluations``, ``health`` and ``final`` (see the module's docstring)."""
    p = RunPlan(job)
    final = (p.n_train + p.n_valid + TEST_IMAGES) * _image(p.settings)
    return {**p.parts(p.iterations), "final": final}


def run_work(job):
    """The work of ``job``: seconds ≈ work / speed, for one worker with one BLAS thread
    (:data:`SPEED` on the project's machine).

    Parameters
    ----------
    job : serve.protocol.Job
        A training run (the sum of :func:`run_parts`) or a gradient check (:func:`check_terms`).

    Returns
    -------
    float
    """
    if job.task == GRADCHECK:
        return float(work(check_terms(job.settings), CHECK))
    return float(sum(run_parts(job).values()))


def work_done(job, iteration):
    """The work of a run's first ``iteration`` iterations: 0 at 0, and below :func:`run_work`
    at the last, whose final accuracy is still to come. A gradient check has no iterations: 0.

    ``run_work(job) - work_done(job, iteration)`` is what a run at ``iteration`` has left.

    Parameters
    ----------
    job : serve.protocol.Job
    iteration : int
        Iterations trained; past the run's last counts as the last.

    Returns
    -------
    float
    """
    if job.task == GRADCHECK:
        return 0.0
    return float(sum(RunPlan(job).parts(iteration).values()))
