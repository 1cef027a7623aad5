"""Feed-forward networks built from the article's layers.

``MultiLayerNet`` takes any list of hidden sizes; :mod:`ffn.three_layer_net` builds the
article's 784 -> H -> H//2 -> 10 network on it.
"""
import numpy as np

from .architecture import (CONFIG_KEYS, check_config, check_input, initial_params, param_shapes,
                           stat_shapes)
from .blocks import backward_layers, build_layers, forward_layers, fresh_layers, grad_sources, named_layers
from .functions import softmax
from .gradient import numerical_gradient as _numerical_gradient
from .layers import SoftmaxWithLoss
from .workspace import new_array, vector_views


class MultiLayerNet:
    """A fully connected network: (Affine -> activation) x len(hidden) -> Affine -> softmax,
    with the article's tricks as options (see :mod:`ffn.blocks` for the layers' order).

    Parameters
    ----------
    input_size : int
        Inputs per sample (784 for MNIST).
    hidden_size_list : list of int
        Units in each hidden layer, e.g. ``[64, 32]``.
    output_size : int
        Classes (10).
    activation : {'relu', 'sigmoid', 'tanh'}
    weight_init : {'std', 'he', 'xavier'}
        How the initial weights are scaled (see :func:`init_scale`). Biases start at 0.
    weight_init_std : float
        The standard deviation used when ``weight_init='std'``.
    weight_decay_lambda : float
        L2 penalty: the loss adds ``0.5 * lambda * sum(W**2)`` over all weight matrices.
    normalization : {'none', 'batch', 'layer'}
        Batch or layer normalisation after each hidden Affine, before the activation.
    dropout_ratio : float in [0, 0.9]
        The share of each hidden layer's units dropped at random while training.
    residual : bool
        Skip connections, ``x + F(x)``, around each hidden layer whose input has its size.
    seed : int or None
        Seeds the initial weights and the dropout masks; the same seed gives the same network.
    dtype : {np.float32, np.float64}
        float32 trains about twice as fast; float64 is for gradient checks.
    params : dict of ndarray, optional
        Weights to use instead of random ones (a loaded model): ``W1`` of shape
        (input_size, H1), ``b1`` of shape (H1,), and so on (:func:`ffn.architecture.param_shapes`).
    stats : dict of ndarray, optional
        Batch normalisation's running statistics to use instead of 0 and 1 (a loaded model).

    Attributes
    ----------
    params : dict of ndarray
        ``'W1'``, ``'b1'``, ... shared by reference with the Affine layers: update them
        in place (``params['W1'] -= ...``), never rebind them.
    param_vector : ndarray of shape (P,)
        All the parameters, one after another: ``params`` are views of it. An element-wise
        optimizer (all of :mod:`ffn.optimizers`) may update this one vector in one call.
    stats : dict of ndarray
        ``'running_mean1'``, ``'running_var1'``, ...: batch normalisation's running
        statistics, moved by training but not learnt by gradient (empty without it).
    state_vector : ndarray of shape (P + S,)
        ``param_vector`` then the statistics: everything a trainer keeps or puts back.
    rng : numpy.random.Generator
        Draws the dropout masks.
    meta : dict
        Facts about the run that made it (accuracy, settings), saved with the model.
    layers : OrderedDict
        ``'Affine1'``, ``'Relu1'``, ..., in forward order; a residual block holds its own
        layers (:meth:`named_layers` lists them all).
    lastLayer : SoftmaxWithLoss

    Notes
    -----
    A network may be shared read-only, as the app shares its bundled model with every
    session: :meth:`predict`, :meth:`predict_proba`, :meth:`accuracy` and :meth:`input_gradient`
    write nothing into it (batch normalisation's running statistics included), so any number
    of threads may call them at once. :meth:`loss` and :meth:`gradient` keep the forward pass
    for backward and move the statistics: only the thread that trains a network calls them.
    """

    def __init__(self, input_size, hidden_size_list, output_size, activation="relu",
                 weight_init="he", weight_init_std=0.01, weight_decay_lambda=0.0,
                 normalization="none", dropout_ratio=0.0, residual=False,
                 seed=None, dtype=np.float32, params=None, stats=None):
        cfg = check_config(input_size, hidden_size_list, output_size, activation, weight_init,
                           weight_init_std, weight_decay_lambda, normalization, dropout_ratio, residual)
        if np.dtype(dtype) not in (np.float32, np.float64):
            raise ValueError(f"dtype must be float32 or float64, got {dtype!r}")
        for key in CONFIG_KEYS:
            setattr(self, key, cfg[key])
        self.seed, self.dtype = seed, np.dtype(dtype)
        self.meta = {}  # facts about the run that made it, filled by whoever saves or loads it

        shapes = param_shapes(self.input_size, self.hidden_size_list, self.output_size, normalization)
        s_shapes = stat_shapes(self.hidden_size_list, normalization)
        if params is None:
            params = initial_params(shapes, weight_init, self.weight_init_std, seed, self.dtype)
        if stats is None:  # a mean of 0 and a variance of 1 until training measures them
            stats = {k: np.full(s, float(k.startswith("running_var"))) for k, s in s_shapes.items()}
        for name, given, want in (("params", params, shapes), ("stats", stats, s_shapes)):
            if set(given) != set(want) or any(np.shape(given[k]) != s for k, s in want.items()):
                got = {k: np.shape(v) for k, v in given.items()}
                raise ValueError(f"{name} must have shapes {want}, got {got}")
        n_params = sum(int(np.prod(s)) for s in shapes.values())
        self.state_vector = np.empty(n_params + sum(int(np.prod(s)) for s in s_shapes.values()), self.dtype)
        self.param_vector = self.state_vector[:n_params]
        self.params = vector_views(self.param_vector, shapes)
        self.stats = vector_views(self.state_vector[n_params:], s_shapes)
        for key, p in (*params.items(), *stats.items()):
            (self.params if key in shapes else self.stats)[key][...] = p

        # dropout's own generator, apart from the weights'
        self.rng = np.random.default_rng(None if seed is None else [seed, 1])
        self.layers = build_layers(self.params, self.stats, cfg, self.rng)
        self.lastLayer = SoftmaxWithLoss()
        self._grad_sources = grad_sources(self.params, normalization)

    @property
    def n_affine(self):
        """Number of Affine layers (hidden layers + 1)."""
        return len(self.hidden_size_list) + 1

    def config(self):
        """The constructor arguments under :data:`CONFIG_KEYS` (saved with the model)."""
        cfg = {k: getattr(self, k) for k in CONFIG_KEYS}
        cfg["hidden_size_list"] = list(self.hidden_size_list)
        return cfg

    def _check_x(self, x):
        """x as (N, input_size) of the network's dtype, or ValueError (:func:`check_input`)."""
        return check_input(x, self.input_size, self.dtype)

    def grad_sources(self):
        """Where each parameter's gradient is found after backward: ``{'W1': ('Affine1', 'dW'),
        ..., 'gamma1': ('BatchNorm1', 'dgamma'), ...}``, by the names of :meth:`named_layers`."""
        return dict(self._grad_sources)

    def named_layers(self):
        """Every layer by name in forward order, those inside residual blocks included."""
        return named_layers(self.layers)

    def predict(self, x, keep=False, workspace=None, outputs=None, train_flg=None):
        """Scores (logits) of shape (N, output_size) for x of shape (N, input_size).

        Parameters
        ----------
        x : ndarray of shape (N, input_size)
        keep : bool
            False (inference): the layers keep nothing, so the network is only read.
            Training passes True so that ``backward`` finds what it needs.
        workspace : Workspace, optional
            A trainer's arrays, which the layers then write into (training only).
        outputs : list, optional
            Each layer's ``(name, output)`` is appended to it (:func:`ffn.inside.layer_outputs`).
        train_flg : bool, optional
            Batch statistics and dropout (True) or running statistics and no dropout
            (False); by default, training exactly when ``keep``.
        """
        return forward_layers(self.layers.items(), x, keep=keep, train_flg=train_flg, outputs=outputs,
                              scratch=None if workspace is None else workspace.scratch)

    def predict_proba(self, x, batch_size=4096):
        """Class probabilities, (N, output_size) rows summing to 1; x (N, input_size) or (input_size,).

        ``softmax(predict(x))``, in chunks of ``batch_size`` rows to bound memory. It
        checks its input and writes nothing into the network, so many sessions may call
        it at once on one shared network.
        """
        x = self._check_x(x)
        return np.concatenate([softmax(self.predict(x[s:s + batch_size]))
                               for s in range(0, max(len(x), 1), batch_size)])

    def _decay(self):
        if self.weight_decay_lambda == 0:
            return 0.0
        return 0.5 * self.weight_decay_lambda * sum(
            float(np.sum(self.params[f"W{i}"] ** 2)) for i in range(1, self.n_affine + 1))

    def loss(self, x, t):
        """Mean cross-entropy of the batch plus the L2 penalty. x (N, D), t (N,) or (N, C)."""
        y = self.predict(x, keep=True)
        return self.lastLayer.forward(y, t) + self._decay()

    def accuracy(self, x, t, batch_size=5000):
        """Fraction of rows of x whose highest score is the label t (indices or one-hot); writes nothing."""
        t = np.asarray(t)
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        if len(x) == 0:
            raise ValueError("accuracy needs at least one sample, got x of length 0")
        correct = 0
        for s in range(0, len(x), batch_size):
            guess = np.argmax(self.predict(x[s:s + batch_size]), axis=1)
            correct += int(np.sum(guess == t[s:s + batch_size]))
        return correct / len(x)

    def gradient(self, x, t, workspace=None):
        """Gradients of :meth:`loss` by backpropagation.

        Parameters
        ----------
        x : ndarray of shape (N, input_size)
        t : ndarray of shape (N,) or (N, output_size)
        workspace : Workspace, optional
            A trainer's arrays (see :mod:`ffn.workspace`). With one, the layers write
            into it and the gradients returned are views of ``workspace.grads_vector``,
            overwritten by the next call.

        Returns
        -------
        grads : dict of ndarray
            Same keys and shapes as ``params``. The loss of this forward pass is left in
            ``self.lastLayer.loss`` (without the L2 term), so a trainer need not run a
            second forward pass to report it. With weight decay, each Affine layer's
            ``dW`` holds the L2 term too once this returns: ``grads['W1']`` is its ``dW``.
        """
        def scratch(name):
            return None if workspace is None else workspace.scratch(name)
        y = self.predict(x, keep=True, workspace=workspace)
        self.lastLayer.forward(y, t, scratch=scratch("SoftmaxWithLoss"))  # the L2 term has no effect on dout
        dout = self.lastLayer.backward(1, scratch=scratch("SoftmaxWithLoss"))
        # each layer's backward, last first; None after Affine1: the data needs no gradient
        backward_layers(self.layers.items(), dout, scratch=None if workspace is None else workspace.scratch)
        layers = self.named_layers()
        grads = {key: getattr(layers[name], attr) for key, (name, attr) in self._grad_sources.items()}
        if self.weight_decay_lambda:  # d/dW of 0.5 * lambda * sum(W**2) is lambda * W
            for i in range(1, self.n_affine + 1):
                W = self.params[f"W{i}"]
                grads[f"W{i}"] += np.multiply(W, self.weight_decay_lambda,
                                              out=new_array(scratch(f"Affine{i}"), "decay", W.shape, W.dtype))
        return grads

    def input_gradient(self, x, t=None, dscores=None):
        """``dx``, of the shape of ``x``: the gradient with respect to the input, by this network's
        own backward: which pixels would change its answer most. It runs on private copies of the
        layers that share the weights: it writes nothing into this network, and any number
        of sessions may call it on one shared network.

        Parameters
        ----------
        x : ndarray of shape (N, input_size) or (input_size,)
        t : ndarray of shape (N,) (labels) or (N, output_size) (one-hot), optional
            Given: the gradient of the mean loss (backward from SoftmaxWithLoss).
        dscores : ndarray of shape (N, output_size) or (output_size,), optional
            Given instead: backward starts at the scores with this ``dout``, giving the
            gradient of ``sum(scores * dscores)``; one-hot, that of one class's score, the
            saliency of a drawing (:func:`ffn.inside.saliency`).
        """
        if (t is None) == (dscores is None):
            raise ValueError("give exactly one of t (labels) and dscores (a gradient at the scores)")
        shape = np.shape(x)
        x = self._check_x(x)
        layers = fresh_layers(self.layers)  # its own copies, in inference mode: nothing written here
        x = forward_layers(layers.items(), x, keep=True, train_flg=False)
        if dscores is None:
            last = SoftmaxWithLoss()
            last.forward(x, t)
            dout = last.backward(1)
        else:
            dout = np.asarray(dscores, dtype=self.dtype)
            if dout.shape not in ((x.shape[1],), x.shape) or not np.all(np.isfinite(dout)):
                raise ValueError(f"dscores must be finite, of shape {x.shape} or ({x.shape[1]},), "
                                 f"got {dout.shape}")
            dout = np.broadcast_to(dout, x.shape)
        return backward_layers(layers.items(), dout).reshape(shape)

    def numerical_gradient(self, x, t, h=1e-4):
        """Gradients of :meth:`loss` by central differences (slow: for checking only)."""
        return {key: _numerical_gradient(lambda: self.loss(x, t), p, h) for key, p in self.params.items()}
