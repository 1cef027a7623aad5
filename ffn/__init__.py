"""ffn: the article's feed-forward network for MNIST, written by hand in NumPy."""
from .augment import Augment
from .functions import cross_entropy_error, softmax
from .gradient import numerical_gradient
from .layers import Affine, Relu, Sigmoid, SoftmaxWithLoss, Tanh
from .mnist import load_mnist, split_validation
from .model_io import ModelFileError, load_model, model_bytes, save_model
from .network import MultiLayerNet
from .optimizers import OPTIMIZERS, SGD, AdaGrad, Adam, Momentum, Nesterov, RMSprop, make_optimizer
from .preprocess import decode_png, network_view, preprocess_canvas
from .notes import describe
from .presets import PRESETS, preset
from .settings import CHOICES, SettingsError, TrainSettings, build_trainer
from .three_layer_net import ThreeLayerNet
from .length import iters_per_epoch
from .trainer import Trainer

__all__ = [
    "Affine", "Relu", "Sigmoid", "Tanh", "SoftmaxWithLoss", "softmax", "cross_entropy_error",
    "numerical_gradient", "load_mnist", "split_validation", "MultiLayerNet", "ThreeLayerNet",
    "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam", "OPTIMIZERS", "make_optimizer",
    "Trainer", "iters_per_epoch", "describe", "TrainSettings", "SettingsError", "CHOICES", "PRESETS",
    "preset", "build_trainer", "Augment", "save_model", "load_model", "model_bytes", "ModelFileError",
    "preprocess_canvas", "decode_png", "network_view",
]
