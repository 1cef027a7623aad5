"""A run's state taken and put back: going on gives what running straight through gives."""

import pickle

import numpy as np
import pytest

import ffn
from ffn import checkpoint


def build(mnist, **changes):
    (x, t), _ = mnist
    s = ffn.preset("article_he", train_size=2000, iters=90, batch_size=64, **changes)
    return ffn.build_trainer(s, x, t, eval_size=500, evals_per_run=9)


@pytest.mark.parametrize(
    "changes",
    [
        dict(),
        dict(optimizer="adam", learning_rate=1e-3, lr_schedule="cosine"),
        dict(optimizer="rmsprop", learning_rate=1e-3, augment=True),
        dict(optimizer="nesterov", weight_decay=1e-3),
        dict(depth=3, normalization="batch", dropout=0.2, residual=True),
        dict(normalization="layer", dropout=0.5, optimizer="adam", learning_rate=1e-3),
    ],
)
def test_checkpoint_restore_and_continue_equals_straight_through(mnist, changes):
    straight = build(mnist, **changes)
    straight.step()
    first = build(mnist, **changes)
    first.step(max_iters=37)  # stops mid-epoch: the batch order and the RNG must come back too
    state = pickle.loads(pickle.dumps(checkpoint.take(first)))  # as it crosses a pipe
    first.step(max_iters=5)  # the original goes on: the checkpoint is a copy, not a view
    resumed = checkpoint.restore(build(mnist, **changes), state)
    assert resumed.iteration == 37
    resumed.step()
    assert resumed.status == straight.status == "finished"
    np.testing.assert_array_equal(
        resumed.net.state_vector, straight.net.state_vector
    )  # running statistics too
    assert resumed.history["loss"] == straight.history["loss"]
    assert resumed.history["valid_acc"] == straight.history["valid_acc"]


def test_a_checkpoint_of_another_run_is_refused(mnist):
    state = checkpoint.take(build(mnist))
    with pytest.raises(ValueError, match="SGD run, this trainer uses Adam"):
        checkpoint.restore(build(mnist, optimizer="adam"), state)
    with pytest.raises(ValueError, match="parameters"):
        checkpoint.restore(build(mnist, hidden_size=32), state)
