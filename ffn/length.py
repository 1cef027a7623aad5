"""How long a run is: the iterations in one epoch, and a run's length checked before it starts."""
import math

import numpy as np

MAX_ITERS = 10_000_000


def check_run(x_train, t_train, batch_size, iters, epochs):
    """The training set's size and the run's iterations, or a ValueError naming what is out of range."""
    n = len(x_train)
    if n == 0 or len(t_train) != n:
        raise ValueError(f"x_train and t_train must be non-empty and of equal length, "
                         f"got {n} and {len(t_train)}")
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}")
    if (iters is None) == (epochs is None):
        raise ValueError(f"give exactly one of iters and epochs, got iters={iters!r}, epochs={epochs!r}")
    total = iters if iters is not None else math.ceil(epochs * iters_per_epoch(n, int(batch_size)))
    if not (isinstance(total, (int, np.integer, float)) and 1 <= total <= MAX_ITERS):
        raise ValueError(f"the run must have between 1 and {MAX_ITERS:,} iterations, got {total!r}")
    return n, int(total)


def iters_per_epoch(n_train, batch_size):
    """Iterations in one pass over ``n_train`` samples; a batch is cut to the set's size."""
    return max(n_train // min(batch_size, n_train), 1)
