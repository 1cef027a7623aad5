"""The words a student meets on the page, each with its plain meaning: a "?" that opens them."""
import streamlit as st

from .i18n import N_, _

TERMS = (
    (N_("Neuron"), N_("adds up its inputs, each times a weight, plus a bias, and passes the sum through "
                      "the activation function")),
    (N_("Batch"), N_("the handful of training images one iteration learns from")),
    (N_("Iteration"), N_("one step: a batch forward, the loss, backpropagation, and the weights moved")),
    (N_("Epoch"), N_("enough iterations to see every training image once")),
    (N_("Learning rate"), N_("how big a step the weights take against the gradient")),
    (N_("Loss"), N_("how wrong the network is on a batch: −ln of the probability it gave the right "
                    "digit (cross-entropy). ln 10 ≈ 2.30 is guessing")),
    (N_("Softmax"), N_("turns the ten scores into probabilities that add up to 100 %")),
    (N_("Gradient"), N_("for each weight, which way and how fast the loss changes when the weight moves; "
                        "backpropagation computes it layer by layer, from the loss back to the input")),
    (N_("Accuracy"), N_("the share of images read right")),
    (N_("Validation set"), N_("images held out from training, to tell how well the network reads new ones")),
    (N_("Overfitting"), N_("learning the training images by heart: training accuracy far above "
                           "validation accuracy")),
    (N_("Regularisation"), N_("anything that holds a network back from overfitting: dropout, weight "
                              "decay (L2), more varied data")),
)


def render(box, key):
    """A "?" button in ``box`` that opens the words, under ``key``."""
    with box.popover(_("? Words"), key=key, help=_("What each word on this page means")):
        line = _("- **{term}**: {meaning}.")
        st.markdown("\n".join(line.format(term=_(t), meaning=_(m)) for t, m in TERMS))
