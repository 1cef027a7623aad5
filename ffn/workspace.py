"""The arrays one training run reuses at every step, so that a step allocates nothing.

A training step of 784-256-128-10 on a batch of 128 makes about twenty arrays: each
layer's output, its input gradient, the ReLU masks, the gradients of the weights. Made
anew at every step, they cost NumPy an allocation and the processor a cache miss each;
made once and written with ``out=``, they cost neither. The layers take them from a
:class:`Workspace` when a trainer passes one, and allocate their own otherwise, so the
same ``forward`` and ``backward`` serve a student's one-off call and the training loop.

A workspace belongs to one :class:`ffn.Trainer`, never to a network: a network shared
between sessions (the app's bundled model) is only read, and its ``predict`` allocates
its own arrays.
"""
import numpy as np


class Scratch:
    """One layer's arrays in a :class:`Workspace`: ``scratch(role, shape, dtype)`` -> array.

    The array for a role is made on first use and handed back at every later call. If
    a call asks for another shape or dtype (a caller passing a batch of another size),
    it is made anew and replaces the old one. A role bound to the gradient vector is
    never remade. ``scratch(role, shape, dtype)`` returns the array.
    """

    __slots__ = ("layer", "arrays", "_bound")

    def __init__(self, layer):
        self.layer, self.arrays, self._bound = layer, {}, set()

    def bind(self, role, array):
        """Hand out ``array`` (a view of the gradient vector) for ``role``, always."""
        self.arrays[role] = array
        self._bound.add(role)

    def __call__(self, role, shape, dtype):
        a = self.arrays.get(role)
        if a is not None and a.shape == shape and a.dtype == dtype:
            return a
        if role in self._bound:
            raise ValueError(f"{self.layer}'s {role} is part of the gradient vector, of shape {a.shape} and "
                             f"dtype {a.dtype}; got a request for shape {shape} and dtype {np.dtype(dtype)}")
        a = self.arrays[role] = np.empty(shape, dtype)
        return a


class Workspace:
    """Arrays for one network's training steps, made on first use and kept.

    Parameters
    ----------
    net : MultiLayerNet
        The network to be trained. Its gradients get one vector, laid out as its
        ``param_vector``: ``grads['W1']`` is a view of ``grads_vector``, and the layer
        that computes dW1 writes into it directly.

    Attributes
    ----------
    grads_vector : ndarray of shape (P,)
        Every gradient of the network, in the order of ``net.param_vector``, so that an
        optimizer updates the whole network with one NumPy call per operation.
    grads : dict of ndarray
        ``'W1'``, ``'b1'``, ...: views of ``grads_vector`` with the shapes of ``net.params``.
    """

    def __init__(self, net):
        self.grads_vector = np.zeros_like(net.param_vector)
        self.grads = vector_views(self.grads_vector, {k: p.shape for k, p in net.params.items()})
        self._scratch = {}
        for key, (layer, role) in net.grad_sources().items():  # dW1 is written straight into grads['W1']
            self.scratch(layer).bind(role, self.grads[key])

    scratch_type = Scratch  # a test substitutes a subclass that checks every operation

    def scratch(self, layer):
        """The :class:`Scratch` of the layer named ``layer`` (e.g. ``'Affine1'``)."""
        s = self._scratch.get(layer)
        if s is None:
            s = self._scratch[layer] = self.scratch_type(layer)
        return s

    def arrays(self):
        """Every array held, by (layer name, role): for tests and memory figures."""
        return {(layer, role): a for layer, s in self._scratch.items() for role, a in s.arrays.items()}


class BatchArrays:
    """The arrays a training batch is gathered into, made once for a run.

    Parameters
    ----------
    x, t : ndarray of shape (N, ...)
        The training set: images, and labels (N,) or one-hot rows (N, C).
    batch_size : int
    dtype : numpy dtype
        The network's: images of another dtype are cast once here, not in every layer.
    """

    def __init__(self, x, t, batch_size, dtype):
        x_dtype = np.asarray(x[:1]).dtype
        self.x = np.empty((batch_size, *np.shape(x)[1:]), x_dtype)
        self.x_cast = None if x_dtype == dtype else np.empty(self.x.shape, dtype)
        self.t = np.empty((batch_size, *np.shape(t)[1:]), np.asarray(t[:1]).dtype)

    def gather(self, x, t, idx):
        """Rows ``idx`` of ``x`` and ``t``, in the kept arrays: ``(x_batch, t_batch)``."""
        # mode="clip" skips the bounds check that makes np.take buffer its output (the
        # trainer's indices come from a permutation, always in range): as fast as x[idx],
        # and no new array.
        xb = np.take(x, idx, axis=0, out=self.x, mode="clip")
        tb = np.take(t, idx, axis=0, out=self.t, mode="clip")
        if self.x_cast is not None:
            np.copyto(self.x_cast, xb)
            xb = self.x_cast
        return xb, tb


def new_array(scratch, role, shape, dtype):
    """An array for a layer's result: the trainer's kept one when training, else a new one.

    Parameters
    ----------
    scratch : Scratch or None
    role : str
        What the array holds, e.g. ``'out'`` or ``'dx'``.
    shape : tuple of int
    dtype : numpy dtype

    Returns
    -------
    ndarray of the given shape and dtype, its contents undefined (to be overwritten)
    """
    if scratch is None:
        return np.empty(shape, dtype)
    return scratch(role, shape, dtype)


def vector_views(vector, shapes):
    """Views of one vector with the given shapes, one after another.

    Parameters
    ----------
    vector : ndarray of shape (P,)
        P must be the total size of ``shapes``.
    shapes : dict of tuple
        e.g. ``{'W1': (784, 256), 'b1': (256,), ...}``, in the order to lay them out.

    Returns
    -------
    dict of ndarray
        Writing into a view writes into ``vector``, and the other way round.
    """
    sizes = [int(np.prod(s)) for s in shapes.values()]
    if vector.ndim != 1 or vector.size != sum(sizes):
        raise ValueError(f"vector must have shape ({sum(sizes)},) for shapes {shapes}, got {vector.shape}")
    views, start = {}, 0
    for (key, shape), size in zip(shapes.items(), sizes):
        views[key] = vector[start:start + size].reshape(shape)
        start += size
    return views
