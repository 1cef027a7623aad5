"""Learning-rate schedules: the rate to use at a given iteration of a run."""
import math

SCHEDULES = ("constant", "step", "cosine")


def learning_rate(schedule, base_lr, iteration, total_iters, step_every=None, gamma=0.1):
    """Learning rate at ``iteration`` (0-based) of a run of ``total_iters`` iterations.

    Parameters
    ----------
    schedule : {'constant', 'step', 'cosine'}
        ``'step'`` multiplies by ``gamma`` every ``step_every`` iterations (default: a
        third of the run); ``'cosine'`` falls from ``base_lr`` to 0 along half a cosine.
    base_lr : float
    iteration, total_iters : int
    """
    if schedule == "constant":
        return base_lr
    if total_iters < 1:
        raise ValueError(f"total_iters must be >= 1, got {total_iters}")
    if schedule == "step":
        every = step_every or max(1, total_iters // 3)
        return base_lr * gamma ** (iteration // every)
    if schedule == "cosine":
        progress = min(iteration, total_iters) / total_iters
        return base_lr * 0.5 * (1.0 + math.cos(math.pi * progress))
    raise ValueError(f"schedule must be one of {set(SCHEDULES)}, got {schedule!r}")
