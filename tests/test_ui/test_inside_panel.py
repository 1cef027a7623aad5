"""The Draw tab's View switch and its two inside views, through AppTest (the canvas is
replaced by a drawing sent as a data URL, as in test_app.py)."""

import re

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import ffn
from tests.support import APP
from tests.support.apptest import a_seven, code_blocks, data_url, metric, upload


@pytest.fixture
def drawn(monkeypatch):
    """The app with a 7 on its canvas."""
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()  # first: the canvas component can only be imported inside a script run
    import streamlit_drawable_canvas as sdc

    import ui.draw_panel

    def fake(**kw):
        return sdc.CanvasResult(json_data=None, image_data_url=data_url(a_seven()), return_image_data=True)

    monkeypatch.setattr(ui.draw_panel, "st_canvas", fake)
    at.run()
    assert not at.exception
    return at


def open_view(at, view):
    at.radio(key="view").set_value(view)
    at.run()
    assert not at.exception
    assert not at.error, [e.value for e in at.error]


def test_the_prediction_view_is_todays(drawn):
    assert drawn.radio(key="view").value == "prediction"
    assert metric(drawn, "Prediction").value == "7"
    assert [o for o in drawn.radio(key="view").options] == [
        "Prediction",
        "Inside the network",
        "Why this digit?",
        "The whole network",
    ]


def test_inside_the_network_shows_the_journey_a_unit_and_its_arithmetic(drawn):
    open_view(drawn, "inside")
    assert metric(drawn, "Prediction").value == "7"  # the answer stays in sight...
    assert not drawn.get("plotly_chart")  # ...but only this view is drawn
    # the journey (input, two hidden layers), the unit's weights; and the model's tiles (in their expander)
    assert len(drawn.get("image")) == 3
    table = code_blocks(drawn)[0].value.splitlines()
    assert "softmax" in table[0] and table[8].strip().startswith("7") and table[8].endswith("◀")
    arithmetic = code_blocks(drawn)[1].value
    assert arithmetic.startswith("z = Σ wᵢ·xᵢ + b =") and "→ ReLU →" in arithmetic
    assert any("Crossed out" in c.value for c in drawn.caption)
    drawn.selectbox(key="inside_layer").set_value(3)  # the scores' layer
    drawn.run()
    assert not drawn.exception and "(a score: softmax comes after)" in code_blocks(drawn)[1].value
    drawn.selectbox(key="inside_layer").set_value(2)  # the last hidden layer
    drawn.run()
    drawn.selectbox(key="inside_unit_2_bundled").set_value(5)
    drawn.run()
    assert not drawn.exception and code_blocks(drawn)[1].value
    assert any("added" in c.value and "to the score of 7" in c.value for c in drawn.caption)


def test_why_this_digit_shows_the_overlay_and_answers_why_not(drawn):
    open_view(drawn, "why")
    assert [c.key for c in drawn.get("plotly_chart")] == ["saliency_chart"]
    assert any("score of 7" in m.value for m in drawn.markdown)
    drawn.selectbox(key="why_versus").set_value(1)
    drawn.run()
    assert not drawn.exception
    assert any(
        "7** minus the score of 1" in m.value or "7 minus the score of 1" in m.value for m in drawn.markdown
    )


@pytest.mark.parametrize(
    "hidden, activation", [([32], "relu"), ([32, 16, 8], "relu"), ([32, 16], "sigmoid"), ([32, 16], "tanh")]
)
def test_every_view_works_for_other_depths_and_activations(drawn, hidden, activation):
    upload(drawn, ffn.model_bytes(ffn.MultiLayerNet(784, hidden, 10, activation=activation, seed=0)))
    drawn.radio(key="model_choice").set_value("uploaded")
    drawn.run()
    for view in ("prediction", "inside", "why"):
        open_view(drawn, view)
    open_view(drawn, "inside")
    drawn.selectbox(key="inside_layer").set_value(len(hidden))
    drawn.run()
    assert not drawn.exception and not drawn.error
    crossed = any("Crossed out" in c.value for c in drawn.caption)
    assert crossed == (activation == "relu")  # only ReLU leaves units at exactly 0


def test_a_model_with_the_tricks_shows_each_step_by_name(drawn, rng):
    """A network with batch norm, dropout and a residual block, handed in: the journey names
    each hidden layer's tricks and a unit's arithmetic goes through BatchNorm, the activation
    and the residual sum; the saliency map is drawn through the same layers."""
    net = ffn.MultiLayerNet(
        784, [32, 32, 16], 10, normalization="batch", dropout_ratio=0.3, residual=True, seed=2
    )
    net.gradient(rng.random((64, 784)).astype("float32"), rng.integers(0, 10, 64))
    upload(drawn, ffn.model_bytes(net))
    drawn.radio(key="model_choice").set_value("uploaded").run()
    open_view(drawn, "inside")
    journey = drawn.get("image")[0].proto.imgs[0].caption
    assert "hidden layer 2: 32 units (BatchNorm, dropout 0.3, residual)" in journey
    drawn.selectbox(key="inside_layer").set_value(2).run()
    arithmetic = code_blocks(drawn)[1].value
    assert "→ BatchNorm →" in arithmetic and "→ ReLU →" in arithmetic
    relu, skip, total = map(
        float,
        re.search(
            r"→ ReLU → (-?[\d.]+) → \+ its input (-?[\d.]+) \(residual\) → "
            r"(-?[\d.]+)",
            arithmetic,
        ).groups(),
    )
    assert total == pytest.approx(relu + skip, abs=2e-3)  # the sum a student can check
    open_view(drawn, "why")
    assert drawn.get("plotly_chart")


def test_the_score_tables_header_stands_over_its_columns_in_chinese(monkeypatch):
    import unicodedata

    from ui import i18n, inside_charts

    def columns(text):
        return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)

    for lang in i18n.LANGUAGES:
        monkeypatch.setattr(i18n, "language", lambda lang=lang: lang)
        head, first = inside_charts.scores_text(np.linspace(-2, 3, 10), np.full(10, 0.1)).splitlines()[:2]
        score = i18n._("score")
        # the header's "score" ends where the row's score ends (two columns a Chinese character)
        assert columns(head[:head.index(score) + len(score)]) == 13, (lang, head)
        assert first[:13].split()[-1] == "-2.00"  # where a row's score ends: 5 + 1 + 7 columns
