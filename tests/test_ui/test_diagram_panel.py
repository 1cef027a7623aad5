"""The network view on the Draw tab, through AppTest: drawn for the bundled model and for an
uploaded one of every trick, with its strip toggle; only the chosen view is computed."""
import io

import pytest

from ffn.model_io import save_model
from ffn.network import MultiLayerNet
from tests.support.apptest import upload
from tests.test_ui.test_inside_panel import drawn, open_view  # noqa: F401 - the fixture

CHART = "network_chart"


def charts(at):
    return [c for c in at.get("plotly_chart") if getattr(c, "key", None) == CHART or CHART in str(c.proto.id)]


def test_the_network_view_draws_the_bundled_models_diagram(drawn):  # noqa: F811
    at = drawn
    assert charts(at) == []  # the Prediction view computes no diagram
    open_view(at, "network")
    assert len(charts(at)) == 1
    assert at.toggle(key="diagram_animate").value and not at.toggle(key="diagram_strips").value
    at.toggle(key="diagram_strips").set_value(True).run()
    assert not at.exception and charts(at)


@pytest.mark.parametrize("kw", [dict(activation="tanh", normalization="batch", residual=True),
                                dict(activation="sigmoid", normalization="layer", dropout_ratio=0.3)])
def test_an_uploaded_network_of_any_kind_is_drawn(drawn, kw):  # noqa: F811
    net = MultiLayerNet(784, [32, 32, 16], 10, weight_init="xavier", seed=2, **kw)
    buf = io.BytesIO()
    save_model(net, buf)
    at = upload(drawn, buf.getvalue())
    at.radio(key="model_choice").set_value("uploaded").run()
    open_view(at, "network")
    assert at.radio(key="model_choice").value == "uploaded" and charts(at) and not at.error
