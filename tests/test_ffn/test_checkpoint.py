"""A run's state taken and put back: going on gives what running straight through gives."""

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
def test_checkpoint_restore_and_continue_equals_straight_through(mnist, changes, tmp_path):
    straight = build(mnist, **changes)
    straight.step()
    first = build(mnist, **changes)
    first.step(max_iters=37)  # stops mid-epoch: the batch order and the RNG must come back too
    path = checkpoint.save(checkpoint.take(first), tmp_path)  # as the server keeps a paused run
    assert list(tmp_path.iterdir()) == [tmp_path / path.rsplit("/", 1)[1]]  # no part file left
    state = checkpoint.load(path)
    first.step(max_iters=5)  # the original goes on: the checkpoint is a copy, not a view
    resumed = checkpoint.restore(build(mnist, **changes), state)
    assert resumed.iteration == 37
    resumed.step()
    assert resumed.status == straight.status == "finished"
    np.testing.assert_array_equal(
        resumed.net.state_vector, straight.net.state_vector
    )  # running statistics too
    def numbers(history):  # every series, the health rows too; not the seconds the health checks took
        return {k: v for k, v in history.items() if k != "health_seconds"}
    np.testing.assert_equal(numbers(resumed.history), numbers(straight.history))
    assert resumed.outcome == straight.outcome and resumed.advice == straight.advice
    np.testing.assert_array_equal(checkpoint.load_params(path), state["params"])


def test_a_checkpoint_file_keeps_every_type(tmp_path):
    state = {"n": 3, "x": 0.1, "nan": float("nan"), "big": 2**100, "s": "中", "none": None, "flag": True,
             "pair": ("finished", {"iterations": 5}), "f32": np.float32(0.3), "i64": np.int64(7),
             "rows": [[1.5, np.float32(2.0)]], "a": {"W1": np.arange(6, dtype=np.float32).reshape(2, 3)}}
    back = checkpoint.load(checkpoint.save(state, tmp_path))
    np.testing.assert_equal(back, state)
    assert type(back["pair"]) is tuple and type(back["f32"]) is np.float32
    assert back["a"]["W1"].dtype == np.float32
    with pytest.raises(TypeError, match="holds no object"):
        checkpoint.save({"x": object()}, tmp_path)
    assert [p.suffix for p in tmp_path.iterdir()] == [".npz"]  # the refused one left nothing behind


def test_a_checkpoint_of_another_run_is_refused(mnist):
    state = checkpoint.take(build(mnist))
    with pytest.raises(ValueError, match="SGD run, this trainer uses Adam"):
        checkpoint.restore(build(mnist, optimizer="adam"), state)
    with pytest.raises(ValueError, match="parameters"):
        checkpoint.restore(build(mnist, hidden_size=32), state)
