"""The article's training code path, re-implemented as it is, as a speed baseline.

Kept deliberately as the article runs it: float64 weights drawn with the global
np.random, batches drawn with np.random.choice (with replacement), a second forward pass
to record the loss after each update, and accuracy on the *whole* training and
validation sets once per epoch. Only ``bench.train_speed`` imports this file.
"""
import numpy as np


class _Affine:
    def __init__(self, W, b):
        self.W, self.b = W, b

    def forward(self, x):
        self.x = x
        return np.dot(x, self.W) + self.b

    def backward(self, dout):
        self.dW = np.dot(self.x.T, dout)
        self.db = np.sum(dout, axis=0)
        return np.dot(dout, self.W.T)


class _Relu:
    def forward(self, x):
        self.mask = x <= 0
        out = x.copy()
        out[self.mask] = 0
        return out

    def backward(self, dout):
        dout[self.mask] = 0  # in place, as in the article
        return dout


def _softmax(x):
    x = x.T
    x = x - np.max(x, axis=0)
    return (np.exp(x) / np.sum(np.exp(x), axis=0)).T


class ArticleNet:
    def __init__(self, input_size=784, hidden_size=64, output_size=10, weight_init_std=0.01):
        mid = hidden_size // 2
        self.params = {
            "W1": weight_init_std * np.random.randn(input_size, hidden_size), "b1": np.zeros(hidden_size),
            "W2": weight_init_std * np.random.randn(hidden_size, mid), "b2": np.zeros(mid),
            "W3": weight_init_std * np.random.randn(mid, output_size), "b3": np.zeros(output_size)}
        p = self.params
        self.layers = [_Affine(p["W1"], p["b1"]), _Relu(), _Affine(p["W2"], p["b2"]), _Relu(),
                       _Affine(p["W3"], p["b3"])]

    def predict(self, x):
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def loss(self, x, t):  # t one-hot, as the article loads it
        self.y = _softmax(self.predict(x))
        self.t = t
        n = self.y.shape[0]
        return -np.sum(np.log(self.y[np.arange(n), t.argmax(axis=1)] + 1e-7)) / n

    def accuracy(self, x, t):
        return np.sum(np.argmax(self.predict(x), axis=1) == np.argmax(t, axis=1)) / float(x.shape[0])

    def gradient(self, x, t):
        self.loss(x, t)
        dout = (self.y - self.t) / self.y.shape[0]
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return {f"{k}{i}": getattr(self.layers[2 * (i - 1)], "d" + k) for i in (1, 2, 3) for k in "Wb"}


def train_article(x, t_onehot, seed, iters_num=5000, batch_size=200, lr=0.01, ratio=0.1):
    """Run the article's loop; returns the trained network."""
    np.random.seed(seed)
    valid_size = int(x.shape[0] * ratio)
    x_valid, t_valid = x[:valid_size], t_onehot[:valid_size]
    x_train, t_train = x[valid_size:], t_onehot[valid_size:]
    train_size = x_train.shape[0]
    net = ArticleNet()
    iter_per_epoch = max(train_size / batch_size, 1)
    for i in range(iters_num):
        mask = np.random.choice(train_size, batch_size)
        xb, tb = x_train[mask], t_train[mask]
        grad = net.gradient(xb, tb)
        for key in net.params:
            net.params[key] -= lr * grad[key]
        net.loss(xb, tb)  # the article records the loss with a second forward pass
        if i % iter_per_epoch == 0:
            net.accuracy(x_train, t_train)
            net.accuracy(x_valid, t_valid)
    return net
