"""The article's network: 784 -> H -> H//2 -> 10, with its defaults (ReLU, weights drawn
with std 0.01), as a :class:`ffn.network.MultiLayerNet` of two hidden layers."""
import numpy as np

from .architecture import check_size
from .network import MultiLayerNet


class ThreeLayerNet(MultiLayerNet):
    """The article's network: input -> hidden -> hidden // 2 -> output.

    Parameters
    ----------
    input_size, hidden_size, output_size : int
        784, H, 10 for MNIST; the second hidden layer has ``hidden_size // 2`` units.
    weight_init_std : float
        Standard deviation of the initial weights (the article: 0.01). With three layers
        of such small weights the signal shrinks at each layer and SGD at lr 0.01 stalls;
        pass ``weight_init='he'`` to scale by fan-in instead.
    activation, weight_init, weight_decay_lambda, seed, dtype
        As in :class:`MultiLayerNet`.
    """

    def __init__(self, input_size, hidden_size, output_size, weight_init_std=0.01,
                 activation="relu", weight_init="std", weight_decay_lambda=0.0,
                 seed=None, dtype=np.float32):
        hidden_size = check_size("hidden_size", hidden_size)
        if hidden_size < 2:
            raise ValueError(f"hidden_size must be at least 2 (the second layer has hidden_size // 2 units), "
                             f"got {hidden_size}")
        super().__init__(input_size, [hidden_size, hidden_size // 2], output_size,
                         activation=activation, weight_init=weight_init,
                         weight_init_std=weight_init_std,
                         weight_decay_lambda=weight_decay_lambda, seed=seed, dtype=dtype)
