"""Each layer's backward against central differences, in float64."""
import numpy as np
import pytest

from ffn.gradient import numerical_gradient, relative_error
import ffn
from ffn.layers import Affine, Relu, Sigmoid, SoftmaxWithLoss, Tanh

TOL = 1e-6


def check_input_gradient(layer, x, rng):
    """Compare backward's dx with the numerical gradient of sum(out * r) for random r."""
    r = rng.normal(size=layer.forward(x).shape)
    f = lambda: float(np.sum(layer.forward(x) * r))  # noqa: E731
    num = numerical_gradient(f, x)
    layer.forward(x)
    dout = r.copy()
    dx = layer.backward(dout)
    np.testing.assert_array_equal(dout, r)  # backward left dout untouched
    assert relative_error(dx, num) < TOL
    return r


@pytest.mark.parametrize("cls", [Relu, Sigmoid, Tanh])
def test_activation_gradients(cls, rng):
    x = rng.normal(size=(6, 7))
    x[np.abs(x) < 1e-3] = 0.5  # keep away from ReLU's kink, where no derivative exists
    check_input_gradient(cls(), x, rng)


def test_affine_gradients(rng):
    W, b = rng.normal(size=(5, 4)), rng.normal(size=4)
    layer = Affine(W, b)
    x = rng.normal(size=(3, 5))
    r = check_input_gradient(layer, x, rng)
    f = lambda: float(np.sum(layer.forward(x) * r))  # noqa: E731
    layer.forward(x)
    layer.backward(r)
    assert relative_error(layer.dW, numerical_gradient(f, W)) < TOL
    assert relative_error(layer.db, numerical_gradient(f, b)) < TOL


def test_affine_keeps_input_shape_and_can_skip_dx(rng):
    layer = Affine(rng.normal(size=(12, 3)), np.zeros(3))
    x = rng.normal(size=(2, 3, 4))
    out = layer.forward(x)
    assert out.shape == (2, 3)
    assert layer.backward(np.ones((2, 3))).shape == (2, 3, 4)
    first = Affine(layer.W, layer.b, input_grad=False)
    first.forward(x)
    assert first.backward(np.ones((2, 3))) is None
    np.testing.assert_allclose(first.dW, layer.dW)


def test_relu_backward_does_not_modify_dout():
    layer = Relu()
    layer.forward(np.array([[-1.0, 2.0, -3.0]]))
    dout = np.array([[5.0, 6.0, 7.0]])
    dx = layer.backward(dout)
    np.testing.assert_array_equal(dout, [[5.0, 6.0, 7.0]])
    np.testing.assert_array_equal(dx, [[0.0, 6.0, 0.0]])


def test_sigmoid_is_finite_for_huge_inputs():
    out = Sigmoid().forward(np.array([-1e4, 0.0, 1e4]))
    np.testing.assert_allclose(out, [0, 0.5, 1])


@pytest.mark.parametrize("one_hot", [False, True])
def test_softmax_with_loss_gradient(one_hot, rng):
    x = rng.normal(size=(4, 10))
    t = np.array([1, 0, 9, 4])
    if one_hot:
        t = np.eye(10)[t]
    layer = SoftmaxWithLoss()
    num = numerical_gradient(lambda: layer.forward(x, t), x)
    layer.forward(x, t)
    dx = layer.backward()
    assert relative_error(dx, num) < TOL
    np.testing.assert_allclose(dx.sum(axis=1), 0, atol=1e-12)  # (y - t) / N sums to 0


def test_softmax_with_loss_handles_extreme_logits():
    layer = SoftmaxWithLoss()
    loss = layer.forward(np.array([[1e4, -1e4], [-1e4, 1e4]]), np.array([1, 1]))
    assert np.isfinite(loss) and loss == pytest.approx(1e4, rel=1e-6)
    assert np.all(np.isfinite(layer.backward()))


def test_softmax_with_loss_rejects_mismatched_labels():
    with pytest.raises(ValueError, match="2 rows but t has 3"):
        SoftmaxWithLoss().forward(np.zeros((2, 10)), np.array([1, 2, 3]))


@pytest.mark.parametrize("layer", [ffn.Relu(), ffn.Sigmoid(), ffn.Tanh(),
                                   ffn.Affine(np.ones((4, 3)), np.zeros(3))])
def test_forward_without_keep_gives_the_same_output_and_keeps_nothing(layer, rng):
    x = rng.standard_normal((5, 4))
    state = dict(vars(layer))
    y = layer.forward(x, keep=False)
    assert {k: id(v) for k, v in vars(layer).items()} == {k: id(v) for k, v in state.items()}
    np.testing.assert_array_equal(y, layer.forward(x))  # keep=True: the training path


class Scratch:
    """A stand-in for a trainer's scratch: one array per role, kept."""

    def __init__(self):
        self.arrays = {}

    def __call__(self, role, shape, dtype):
        a = self.arrays.get(role)
        if a is None or a.shape != shape:
            a = self.arrays[role] = np.full(shape, np.nan, dtype)  # stale values must not leak through
        return a


@pytest.mark.parametrize("make", [lambda rng: Affine(rng.normal(size=(6, 5)), rng.normal(size=5)),
                                  lambda rng: Relu(), lambda rng: Sigmoid(), lambda rng: Tanh()],
                         ids=["Affine", "Relu", "Sigmoid", "Tanh"])
def test_a_layer_with_scratch_gives_the_numbers_without_and_leaves_dout_alone(make, rng):
    layer = make(rng)
    plain = Affine(layer.W, layer.b) if isinstance(layer, Affine) else type(layer)()
    scratch = Scratch()
    for _ in range(2):  # the second call reuses the first call's arrays
        x = rng.normal(size=(4, 6 if isinstance(layer, Affine) else 5))
        dout = rng.normal(size=(4, 5))
        kept = dout.copy()
        out = layer.forward(x, scratch=scratch)
        np.testing.assert_allclose(out, plain.forward(x))
        np.testing.assert_allclose(layer.backward(dout, scratch=scratch), plain.backward(dout))
        np.testing.assert_array_equal(dout, kept)
        assert any(out is a for a in scratch.arrays.values())
    if isinstance(layer, Affine):
        np.testing.assert_allclose(layer.dW, plain.dW)
        assert layer.dW is scratch.arrays["dW"]


def test_softmax_with_loss_with_scratch(rng):
    x, t = rng.normal(size=(5, 10)), np.array([1, 0, 9, 4, 4])
    layer, plain, scratch = SoftmaxWithLoss(), SoftmaxWithLoss(), Scratch()
    for _ in range(2):
        assert layer.forward(x, t, scratch=scratch) == pytest.approx(plain.forward(x, t), rel=1e-12)
        np.testing.assert_allclose(layer.backward(scratch=scratch), plain.backward())
    assert layer.forward(np.array([[1e4, 0.0]]), np.array([1]), scratch=Scratch()) == pytest.approx(1e4)
