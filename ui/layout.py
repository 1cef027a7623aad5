"""The page's frame: its tabs and the Draw tab's views, and presenter mode for a projector.

The tabs are a keyed control of stable names (``train``, ``draw``, ``evaluate``), not
``st.tabs``, whose state is its labels: the open tab then survives a change of language
and can be set by a link. The Train and Draw panels are drawn in every run, as ``st.tabs``
drew them, so their widgets keep their state, and the one not chosen is hidden by CSS.
The Evaluate panel is drawn only while open (its 10,000 images are measured only when
asked for); its choices are kept for it meanwhile (:func:`ui.evaluate_panel.keep_choices`).

Presenter mode folds the sidebar away and draws text and charts 1.5 times larger, with a
larger canvas; the colours are Okabe-Ito's everywhere, and never the only cue.
"""
import streamlit as st

from .i18n import N_, _, labels

TAB_LABELS = {"train": N_("Train"), "draw": N_("Draw"), "evaluate": N_("Evaluate")}
VIEWS = {"prediction": N_("Prediction"), "inside": N_("Inside the network"),  # the Draw tab's
         "why": N_("Why this digit?")}
PRESENT_SCALE = 1.5     # text and chart fonts in presenter mode
CANVAS, PRESENT_CANVAS = 280, 420  # the drawing canvas's side in pixels


def presenting():
    return bool(st.session_state.get("present"))


def sidebar_state():
    """For ``st.set_page_config``: folded away while presenting."""
    return "collapsed" if presenting() else "auto"


def style():
    """Presenter mode's larger type: the page's sizes are in rem, so the root font scales them."""
    if presenting():
        st.html(f"<style>html {{font-size: {100 * PRESENT_SCALE:.0f}%;}}</style>")


def tabs():
    """The tab bar; returns the open tab's name and hides the other panels."""
    tab = st.segmented_control(_("Tab"), list(TAB_LABELS), format_func=labels(TAB_LABELS), key="tab",
                               required=True, label_visibility="collapsed", width="stretch")
    hidden = "".join(f".st-key-panel_{t} {{display: none;}}" for t in TAB_LABELS if t != tab)
    st.html(f"<style>{hidden}</style>")
    return tab


def canvas_size():
    return PRESENT_CANVAS if presenting() else CANVAS


def scale(fig):
    """A Plotly figure's fonts, 1.5 times larger while presenting (and the figure taller).

    Streamlit's chart theme sizes the ticks, axis titles and legend itself, so each is set
    here: the theme's 12, 14 and 16 px become 18, 21 and 24 px."""
    if presenting():
        s = PRESENT_SCALE
        fig.update_layout(font_size=14 * s, title_font_size=16 * s, legend_font_size=12 * s)
        fig.update_xaxes(tickfont_size=12 * s, title_font_size=14 * s)
        fig.update_yaxes(tickfont_size=12 * s, title_font_size=14 * s)
        fig.update_annotations(font_size=12 * s)
        if fig.layout.height:
            fig.update_layout(height=int(fig.layout.height * 1.3))
    return fig
