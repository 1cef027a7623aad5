"""Your runs compared: the last finished or stopped runs overlaid, each labelled by what it
changed, with a table. It appears by itself once two runs are kept."""
import streamlit as st

from ffn.compare import accuracy_series, iterations_to, x_values

from . import charts, compare_charts, i18n
from .fields import run_labels
from .i18n import _
from .kept import forget, kept_runs


def render(shown=True):
    """The comparison, once two runs or more are kept. Its controls are drawn even while the
    Train tab is hidden (``shown`` False: a widget left out of a script run loses its state);
    its charts and table only while it is on screen."""
    kept = kept_runs()
    if not kept:
        return
    if len(kept) < 2:
        st.caption(_("Change one setting and press Start again: your runs appear here side by side."))
    else:
        with st.container(key="compare_panel"):
            _compared(kept, shown is not False)
    if st.button(_("Forget the kept runs"), key="forget_runs",
                 help=_("The kept runs and their models go; the current run stays on this tab.")):
        forget()
        st.rerun()


def _compared(kept, draw):
    st.subheader(_("Your runs compared"))
    labels, _fields = run_labels(kept)
    numbers = [k.number for k in kept]
    if st.session_state.get("compare_seen") != numbers:  # a new run is in the overlay at once
        st.session_state.compare_seen = st.session_state.compare_runs = numbers
    chosen = st.multiselect(_("Runs"), numbers, format_func=lambda n: labels[n], key="compare_runs",
                            placeholder=_("Choose"), max_selections=5)
    shown = [k for k in kept if k.number in chosen]
    c1, c2 = st.columns([2, 1])
    axis = c1.radio(_("Along"), list(compare_charts.AXES), format_func=i18n.labels(compare_charts.AXES),
                    key="compare_x", horizontal=True)
    depth = max(len(k.settings.hidden_sizes()) for k in kept) + 1
    layer = c2.selectbox(_("Gradient of layer"), list(range(depth)), format_func=lambda i: str(i + 1),
                         key="compare_layer")
    if not draw:
        return
    series = accuracy_series([k.settings for k in kept])  # one rule for the chart and the table
    if len(shown) < 2:
        st.info(_("Choose two runs or more to compare."))
    else:
        g1, g2, g3 = st.columns(3)
        figures = (compare_charts.loss_overlay(shown, labels, axis),
                   compare_charts.accuracy_overlay(shown, labels, axis, series),
                   compare_charts.gradient_overlay(shown, labels, axis, layer))
        for box, fig, key in zip((g1, g2, g3), figures, ("compare_loss", "compare_acc", "compare_grad")):
            charts.plot(box, fig, key=key)
    _table(kept, labels, series)


def _table(kept, labels, series):
    """One row a run: its label (what it changed), test accuracy, iterations (and epochs) to 90 %.
    Figures of the network's own, never a clock's: its wall time depends on the server's load."""
    valid = series == "valid_acc"
    to90 = _("iterations to 90 % validation accuracy") if valid else _("iterations to 90 % training accuracy")
    rows = []
    for k in kept:
        n = iterations_to(k.history, 0.9, series)
        if n is None:
            reached = _("never")
        else:
            epochs = float(x_values([n], k.settings, "epochs")[0])
            reached = _("{iterations:,} ({epochs:.1f} epochs)").format(iterations=n, epochs=epochs)
        rows.append({_("run"): labels[k.number],
                     _("test accuracy"): f"{k.final.get('test', float('nan')):.2%}",
                     to90: reached})
    st.table(rows)
    if not valid:
        st.caption(_("A run without a validation set is measured on its training accuracy here."))
