"""The trainer's reused arrays: made once, the right dtype, and the same numbers as fresh ones."""

import numpy as np
import pytest

import ffn
import ffn.trainer
from ffn.workspace import Scratch, Workspace, vector_views


def small_trainer(mnist, n=512, **kw):
    (x, t), _ = mnist
    net = ffn.MultiLayerNet(784, [32, 16], 10, weight_init="he", seed=0, **kw.pop("net", {}))
    return ffn.Trainer(net, ffn.Adam(1e-3), x[:n], t[:n], batch_size=64, epochs=2, eval_size=64, seed=0, **kw)


def test_vector_views_share_the_vector():
    vec = np.arange(10.0)
    views = vector_views(vec, {"W": (2, 3), "b": (4,)})
    views["W"][1, 2] = -1
    assert vec[5] == -1 and views["b"].tolist() == [6, 7, 8, 9]
    with pytest.raises(ValueError, match=r"shape \(11,\).*got \(10,\)"):
        vector_views(vec, {"W": (2, 3), "b": (5,)})


def test_gradients_are_written_into_one_vector(mnist):
    tr = small_trainer(mnist)
    net, ws = tr.net, tr._workspace
    (x, t), _ = mnist
    grads = net.gradient(x[:64], t[:64], workspace=ws)
    for key, g in grads.items():
        assert np.shares_memory(g, ws.grads_vector) and g.shape == net.params[key].shape
    assert grads["W1"] is net.layers["Affine1"].dW
    fresh = ffn.MultiLayerNet(784, [32, 16], 10, weight_init="he", seed=0).gradient(x[:64], t[:64])
    for key in grads:
        np.testing.assert_allclose(grads[key], fresh[key], rtol=1e-5, atol=1e-7)


def test_a_step_allocates_its_arrays_once(mnist):
    tr = small_trainer(mnist)
    tr.step(max_iters=2)
    before = {k: id(a) for k, a in tr._workspace.arrays().items()}

    def kept():  # where each layer's kept array lives (an Affine keeps a reshaped view of its input)
        return {
            name: (layer.mask if hasattr(layer, "mask") else layer.x).__array_interface__["data"][0]
            for name, layer in tr.net.layers.items()
        }

    where = kept()
    tr.step(max_iters=5)
    assert {k: id(a) for k, a in tr._workspace.arrays().items()} == before
    assert kept() == where  # the batch too: Affine1 keeps the trainer's fixed batch array
    assert ("Affine2", "out") in before and ("Relu1", "mask") in before and ("SoftmaxWithLoss", "y") in before


def test_every_array_of_a_float32_step_is_float32(mnist):
    tr = small_trainer(mnist)
    tr.step(max_iters=3)
    arrays = dict(tr._workspace.arrays())
    for name, layer in [*tr.net.layers.items(), ("SoftmaxWithLoss", tr.net.lastLayer)]:
        for attr, value in vars(layer).items():
            if isinstance(value, np.ndarray) and attr != "t":
                arrays[(name, attr)] = value
    for name in ("m", "v", "_tmp"):
        arrays.update({("Adam", f"{name}[{k}]"): a for k, a in getattr(tr.optimizer, name).items()})
    arrays[("net", "param_vector")] = tr.net.param_vector
    assert len(arrays) > 25
    wrong = {
        k: a.dtype
        for k, a in arrays.items()
        if a.dtype != (bool if k[1] in ("mask", "passes") else np.float32)
    }
    assert not wrong


class Float32Only(np.ndarray):
    """An array that fails any NumPy operation mixing it with a float64 operand (a silent
    upcast), and whose every result is a Float32Only again, so that the check follows
    the numbers through the whole step."""

    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        for a in inputs:
            if isinstance(a, np.float64) or (isinstance(a, np.ndarray) and a.dtype == np.float64):
                raise AssertionError(f"np.{ufunc.__name__} was given a float64 operand")
        plain = [a.view(np.ndarray) if isinstance(a, Float32Only) else a for a in inputs]
        if out is not None:
            kwargs["out"] = tuple(o.view(np.ndarray) if isinstance(o, np.ndarray) else o for o in out)
        result = getattr(ufunc, method)(*plain, **kwargs)
        if out is not None:
            return out[0] if len(out) == 1 else out
        return result.view(Float32Only) if isinstance(result, np.ndarray) else result


class GuardedScratch(Scratch):
    """Scratch whose every array is a Float32Only view: each operation on it is checked."""

    __slots__ = ()

    def __call__(self, role, shape, dtype):
        return super().__call__(role, shape, dtype).view(Float32Only)


class GuardedWorkspace(Workspace):
    scratch_type = GuardedScratch


@pytest.mark.parametrize("optimizer", sorted(ffn.OPTIMIZERS))
@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh"])
def test_no_operation_of_a_training_step_mixes_in_float64(mnist, monkeypatch, optimizer, activation):
    """A float64 scalar in a float32 in-place operation makes NumPy compute in float64 and
    convert back, eight times slower (Adam's step once did): every operation is checked."""
    monkeypatch.setattr(ffn.trainer, "Workspace", GuardedWorkspace)
    (x, t), _ = mnist
    net = ffn.MultiLayerNet(
        784, [32, 16], 10, activation=activation, weight_init="he", seed=0, weight_decay_lambda=1e-4
    )
    net.param_vector = net.param_vector.view(Float32Only)  # the optimizer's state is made like it
    net.params = vector_views(net.param_vector, {k: p.shape for k, p in net.params.items()})
    for i in range(1, net.n_affine + 1):
        net.layers[f"Affine{i}"].W, net.layers[f"Affine{i}"].b = net.params[f"W{i}"], net.params[f"b{i}"]
    x = x.view(Float32Only)
    tr = ffn.Trainer(
        net,
        ffn.make_optimizer(optimizer, 1e-3),
        x[:256],
        t[:256],
        batch_size=64,
        iters=3,
        lr_schedule="cosine",
        eval_size=64,
        seed=0,
    )
    tr.step()
    assert tr.status == "finished" and tr.iteration == 3


def test_a_fixed_array_of_another_shape_is_refused(mnist):
    tr = small_trainer(mnist)
    with pytest.raises(ValueError, match=r"Affine1's dW is part of the gradient vector.*\(3, 3\)"):
        tr._workspace.scratch("Affine1")("dW", (3, 3), np.float32)


def test_a_batch_of_another_size_gets_arrays_of_its_size(mnist):
    (x, t), _ = mnist
    tr = small_trainer(mnist)
    ws = tr._workspace
    tr.net.gradient(x[:64], t[:64], workspace=ws)
    g = tr.net.gradient(x[:10], t[:10], workspace=ws)
    fresh = ffn.MultiLayerNet(784, [32, 16], 10, weight_init="he", seed=0).gradient(x[:10], t[:10])
    assert ws.arrays()[("Affine2", "out")].shape == (10, 16)
    np.testing.assert_allclose(g["W2"], fresh["W2"], rtol=1e-5, atol=1e-7)
