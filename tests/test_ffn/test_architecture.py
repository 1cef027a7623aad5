import pytest

import ffn
from ffn.architecture import CONFIG_KEYS, check_config, param_count, param_shapes


def test_check_config_normalises_and_keeps_the_config_keys():
    cfg = check_config(784, (64, 32), 10, weight_init_std=1)
    assert tuple(cfg) == CONFIG_KEYS and cfg["hidden_size_list"] == [64, 32]
    assert cfg == ffn.MultiLayerNet(784, [64, 32], 10, weight_init_std=1).config()


@pytest.mark.parametrize("kw, message", [
    (dict(weight_init_std=10 ** 400), "weight_init_std"),   # too large for a float: no OverflowError
    (dict(activation=["relu"]), "activation"),             # unhashable: no TypeError
    (dict(weight_init={"he": 1}), "weight_init"),
    (dict(weight_decay_lambda=float("nan")), "weight_decay_lambda"),
    (dict(hidden_size_list="64"), "hidden_size_list"),
    (dict(hidden_size_list=[8] * 9), "1 to 8 sizes"),
    (dict(hidden_size_list=[True]), "hidden size"),
])
def test_check_config_raises_only_value_errors(kw, message):
    args = dict(input_size=784, hidden_size_list=[8], output_size=10) | kw
    with pytest.raises(ValueError, match=message):
        check_config(**args)


def test_param_shapes_and_count():
    assert param_shapes(784, [512, 256], 10) == {"W1": (784, 512), "b1": (512,), "W2": (512, 256),
                                                 "b2": (256,), "W3": (256, 10), "b3": (10,)}
    assert param_count(784, [512, 256], 10) == 535_818 == sum(
        p.size for p in ffn.load_model().params.values())
