import numpy as np

from ffn.gradient import numerical_gradient, relative_error


def test_numerical_gradient_of_a_quadratic_and_restores_x():
    x = np.array([[1.0, -2.0], [3.0, 0.5]])
    before = x.copy()
    g = numerical_gradient(lambda: float(np.sum(x ** 2)), x)
    np.testing.assert_allclose(g, 2 * before, rtol=1e-8)
    np.testing.assert_array_equal(x, before)


def test_relative_error():
    assert relative_error([1.0, 2.0], [1.0, 2.0]) == 0
    assert relative_error([0.0], [0.0]) == 0
    assert 0.3 < relative_error([1.0], [2.0]) < 0.34
