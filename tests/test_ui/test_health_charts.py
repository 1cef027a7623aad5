"""The pictures of training: tiles on one shared scale, a Step's batch, the health chart."""

import math

import numpy as np
import pytest

import ffn
from ffn.health import Health
from ui.health_charts import METRICS, batch_image, health_figure, tiles_image


def test_tiles_share_one_symmetric_scale_and_sit_in_a_near_square_grid():
    W = np.zeros((784, 10))
    W[0, 0], W[5, 3] = 0.5, -0.25
    img, scale = tiles_image(W, cell=2, gap=2)
    assert scale == 0.5
    assert (
        img.shape == (3 * 56 + 2 * 2, 4 * 56 + 3 * 2, 3) and img.dtype == np.uint8
    )  # 10 tiles: 4 wide, 3 high
    assert tuple(img[0, 0]) == (0xD5, 0x5E, 0x00)  # +0.5: full orange
    r, c = divmod(5, 28)
    blue_half = img[r * 2, 3 * 58 + c * 2]  # -0.25: halfway to blue
    assert blue_half[2] > blue_half[0] and 100 < blue_half[0] < 200
    assert tuple(img[30, 30]) == (255, 255, 255)  # 0: white
    W[0, 9] = 0.5
    img, _scale = tiles_image(W, cell=2, gap=2)
    assert tuple(img[2 * 58, 58]) == (0xD5, 0x5E, 0x00)  # tile 9: third row, second column
    assert (img[:, 56:58] == 255).all() and (img[56:58] == 255).all()  # the gaps
    assert (img[2 * 58 :, 2 * 58 :] == 255).all()  # the last row's two empty places
    _img, fixed = tiles_image(W, scale=2.0)
    assert fixed == 2.0
    assert tiles_image(np.full((784, 2), np.nan))[1] == 1.0  # nothing finite: no crash


def test_a_batch_is_drawn_eight_to_a_row_in_dark_ink():
    images = np.zeros((12, 784), np.uint8)
    images[0, 0] = 255
    img = batch_image(images, cell=2, gap=4)
    assert img.shape == (2 * 56 + 4, 8 * 56 + 7 * 4)
    assert img[0, 0] == 0 and img[0, 2] == 255


def test_the_health_chart_ends_at_the_last_finite_point_and_leaves_zeros_out_of_a_log_scale():
    h = {
        "health_iteration": [1, 2, 3, 4],
        "grad_norm": [[1.0, 2.0], [0.5, 0.0], [math.inf, 1.0], [0.1, 0.1]],
        "inactive": [[0.0], [0.5], [0.25], [0.25]],
    }
    fig = health_figure(h, "grad_norm", sizes=[784, 8, 10])
    assert [t.name for t in fig.data] == ["layer 1 (784→8)", "layer 2 (8→10)"]
    assert list(fig.data[0].x) == [1, 2] and list(fig.data[1].y) == [2.0, None]
    assert fig.layout.yaxis.type == "log"
    lin = health_figure(h, "inactive")
    assert list(lin.data[0].y) == [0.0, 0.5, 0.25, 0.25] and lin.layout.yaxis.type != "log"
    assert lin.layout.title.text == "Units stuck off or saturated"  # true of ReLU, Sigmoid and Tanh alike
    assert health_figure({"health_iteration": [], "grad_norm": []}).data == ()
    assert set(METRICS) == {"grad_norm", "update_ratio", "inactive", "act_std", "act_mean"}
    mean = health_figure({"health_iteration": [1, 2], "act_mean": [[-0.2], [0.4]]}, "act_mean")
    assert list(mean.data[0].y) == [-0.2, 0.4] and mean.layout.yaxis.type != "log"  # a mean may be negative


def test_a_log_axis_spans_whole_decades_around_the_data():
    h = {"health_iteration": [1, 2], "grad_norm": [[0.002, 0.5], [0.003, 0.7]]}
    assert tuple(health_figure(h).layout.yaxis.range) == (-3, 0)
    one = {"health_iteration": [1], "grad_norm": [[1.0]]}
    assert tuple(health_figure(one).layout.yaxis.range) == (0, 1)


def test_each_layer_of_the_deepest_network_has_its_own_style_and_its_tricks_in_the_legend():
    from ffn.settings import TrainSettings
    from ui.health_charts import health_figure, layer_tags

    s = TrainSettings(hidden_size_list=(64,) * 5 + (32,), normalization="layer", dropout=0.1, residual=True)
    tags = layer_tags(s.net_config())
    assert tags[0] == "LayerNorm, dropout 0.1" and tags[1] == "LayerNorm, dropout 0.1, residual"
    assert (
        tags[5] == "LayerNorm, dropout 0.1" and tags[6] == ""
    )  # 64 -> 32 is no residual; the scores have none
    history = {"health_iteration": [1, 2], "grad_norm": [[1.0] * 7, [0.5] * 7]}
    fig = health_figure(history, "grad_norm", s.layer_sizes(), tags)
    styles = {(t.line.color, t.line.dash) for t in fig.data}
    assert len(styles) == 7
    assert fig.data[1].name == "layer 2 (64→64, LayerNorm, dropout 0.1, residual)"
    assert layer_tags({"hidden_size_list": [64, 32]}) == ["", "", ""]


@pytest.mark.parametrize("activation, stuck", [("relu", 2 / 3), ("sigmoid", 2 / 3), ("tanh", 2 / 3)])
def test_units_stuck_off_or_saturated_is_what_the_health_measures_for_each_activation(activation, stuck):
    """Bias 20, -20, 0 and no weights: ReLU is off at -20 and 0, Sigmoid and Tanh saturate at 20 and -20."""
    net = ffn.MultiLayerNet(4, [3], 2, activation=activation, seed=0)
    net.params["W1"][...] = 0
    net.params["b1"][...] = [20, -20, 0]
    x = np.zeros((3, 4), np.float32)
    assert Health(net, x, 10, 5).activations(x)[0] == [pytest.approx(stuck)]
