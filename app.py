"""ffn-digits: train the article's feed-forward network live, then draw a digit for it.

Wiring only: the page's config, the sidebar and the two tabs. Each panel lives in
``ui/``, and every computation in the ``ffn`` library.
"""
import streamlit as st

from ui import draw_panel, evaluate_panel, resources, sidebar, state, train_panel
from ui.i18n import _

state.init()
st.set_page_config(page_title=_("ffn-digits: a neural network you train and test"), page_icon="✏️",
                   layout="wide")
st.title(_("ffn-digits"))
st.caption(_("The article's feed-forward network, 784 → H → H/2 → 10, written by hand in NumPy: "
             "Affine, ReLU/Sigmoid/Tanh and Softmax-with-loss layers, trained by backpropagation, with "
             "its tricks as layers too (batch and layer normalisation, dropout, residual connections). "
             "Train it, then draw a digit and watch it decide."))
settings, error = sidebar.render()
train, draw, evaluate = st.tabs([_("Train"), _("Draw"), _("Evaluate")], key="tab", on_change="rerun")
with draw:  # first: a stroke's prediction never waits for the Train tab to be drawn
    draw_panel.render()
with train:
    train_panel.render(settings, error, shown=train.open)
if evaluate.open:  # 10,000 images: measured only when asked for
    with evaluate:
        evaluate_panel.render()
resources.settle()  # once per server: what lives as long as it is left out of the GC's walks
