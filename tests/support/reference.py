"""The straightforward version of ffn's layers, optimizers and training loop: the reference
the fast engine must agree with.

Every array is new, every formula is the textbook's, and nothing is reused or done in
place except the parameter update itself. It follows the trainer's batch order (its
seeded permutations), so that one epoch here and one epoch of :class:`ffn.Trainer` see
the same batches and should end with the same weights.
"""
import math

import numpy as np


def relu_forward(x):
    return np.maximum(x, 0), x <= 0


def affine_backward(x, W, dout):
    return x.T @ dout, dout.sum(axis=0), dout @ W.T


def softmax_with_loss(x, t):
    """Loss and dL/dx of the mean cross-entropy of softmax(x) against labels t (N,)."""
    z = x - x.max(axis=1, keepdims=True)
    y = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    n = len(t)
    loss = -np.mean(np.log(y[np.arange(n), t]))
    onehot = np.eye(x.shape[1], dtype=x.dtype)[t]
    return loss, (y - onehot) / n


def gradient(params, x, t, n_affine, decay=0.0):
    """Backpropagation through (Affine -> ReLU) x (n_affine - 1) -> Affine -> softmax loss."""
    hs, masks = [x], []
    for i in range(1, n_affine + 1):
        a = hs[-1] @ params[f"W{i}"] + params[f"b{i}"]
        if i < n_affine:
            a, mask = relu_forward(a)
            masks.append(mask)
        hs.append(a)
    loss, dout = softmax_with_loss(hs[-1], t)
    grads = {}
    for i in range(n_affine, 0, -1):
        dW, db, dx = affine_backward(hs[i - 1], params[f"W{i}"], dout)
        grads[f"W{i}"], grads[f"b{i}"] = dW + decay * params[f"W{i}"], db
        if i > 1:
            dout = np.where(masks[i - 2], 0, dx)
    return loss, grads


class TextbookAdam:
    def __init__(self, lr, b1=0.9, b2=0.999, eps=1e-8):
        self.lr, self.b1, self.b2, self.eps, self.t, self.m, self.v = lr, b1, b2, eps, 0, {}, {}

    def update(self, params, grads):
        self.t += 1
        for k, g in grads.items():
            m = self.m[k] = self.b1 * self.m.get(k, 0) + (1 - self.b1) * g
            v = self.v[k] = self.b2 * self.v.get(k, 0) + (1 - self.b2) * g * g
            # the paper's efficient form of the bias correction (section 2), as ffn's Adam
            lr_t = self.lr * math.sqrt(1 - self.b2 ** self.t) / (1 - self.b1 ** self.t)
            params[k] -= lr_t * m / (np.sqrt(v) + self.eps)


class TextbookSGD:
    def __init__(self, lr):
        self.lr = lr

    def update(self, params, grads):
        for k, g in grads.items():
            params[k] -= self.lr * g


class TextbookMomentum:
    def __init__(self, lr, momentum=0.9, nesterov=False):
        self.lr, self.mu, self.nesterov, self.v = lr, momentum, nesterov, {}

    def update(self, params, grads):
        for k, g in grads.items():
            v = self.v[k] = self.mu * self.v.get(k, 0) - self.lr * g
            params[k] += self.mu * v - self.lr * g if self.nesterov else v


class TextbookAdaGrad:
    def __init__(self, lr, eps=1e-7):
        self.lr, self.eps, self.h = lr, eps, {}

    def update(self, params, grads):
        for k, g in grads.items():
            h = self.h[k] = self.h.get(k, 0) + g * g
            params[k] -= self.lr * g / (np.sqrt(h) + self.eps)


class TextbookRMSprop:
    def __init__(self, lr, decay=0.99, eps=1e-7):
        self.lr, self.decay, self.eps, self.h = lr, decay, eps, {}

    def update(self, params, grads):
        for k, g in grads.items():
            h = self.h[k] = self.decay * self.h.get(k, 0) + (1 - self.decay) * g * g
            params[k] -= self.lr * g / (np.sqrt(h) + self.eps)


OPTIMIZERS = {"adam": TextbookAdam, "sgd": TextbookSGD, "momentum": TextbookMomentum,
              "nesterov": lambda lr: TextbookMomentum(lr, nesterov=True),
              "adagrad": TextbookAdaGrad, "rmsprop": TextbookRMSprop}


def train_one_epoch(params, x, t, optimizer, lr, batch_size, seed, decay=0.0):
    """One epoch over x in the order ffn.Trainer(seed=seed) draws: its first permutation
    picks the evaluation subset, its second orders the epoch's batches."""
    params = {k: p.copy() for k, p in params.items()}
    rng = np.random.default_rng(seed)
    rng.permutation(len(x))
    order = rng.permutation(len(x))
    opt = OPTIMIZERS[optimizer](lr)
    n_affine = len(params) // 2
    losses = []
    for i in range(len(x) // batch_size):
        idx = order[i * batch_size:(i + 1) * batch_size]
        loss, grads = gradient(params, x[idx], t[idx], n_affine, decay)
        opt.update(params, grads)
        losses.append(loss)
    return params, losses
