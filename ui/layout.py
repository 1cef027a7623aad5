"""The page's frame: the header, its tabs and the Draw tab's views, the page's own CSS, and
presenter mode for a projector.

The tabs are a keyed control of stable names (``train``, ``draw``, ``evaluate``), not
``st.tabs``, whose state is its labels: the open tab then survives a change of language
and can be set by a link. The Train and Draw panels are drawn in every run, as ``st.tabs``
drew them, so their widgets keep their state, and the one not chosen is hidden by CSS.
The Evaluate panel is drawn only while open (its 10,000 images are measured only when
asked for); its choices are kept for it meanwhile (:func:`ui.evaluate_panel.keep_choices`).

Presenter mode is for a projector at 1920×1080: the header folds away, the sidebar is
folded, text and charts are 1.5 times larger (chart text at least 20 px, axis titles
horizontal, the predicted digit large) and the canvas larger, so that the work (the
canvas and the prediction, or the live charts) is on screen without scrolling. The
colours are Okabe-Ito's everywhere, and never the only cue.
"""
import streamlit as st

from .i18n import N_, _, labels

TAB_LABELS = {"train": N_("Train"), "draw": N_("Draw"), "evaluate": N_("Evaluate"), "class": N_("Class")}
VIEWS = {"prediction": N_("Prediction"), "inside": N_("Inside the network"),  # the Draw tab's
         "why": N_("Why this digit?"), "network": N_("The whole network")}
PRESENT_SCALE = 1.5     # the page's text in presenter mode
# Chart text in pixels, normal and presenting: Streamlit's theme draws ticks at 12, axis titles
# at 14 and titles at 16; on a projector none is under 20 (the back row reads it).
CHART_FONTS = {False: None, True: dict(font=21, title=27, legend=20, tick=20, axis=22, annotation=20)}
CANVAS, PRESENT_CANVAS = 280, 420  # the drawing canvas's side in pixels
PHONE = 640  # px: below this width Streamlit stacks columns, and the page is laid out for a phone
# (screens narrower than, zoom) of the presenter's canvas: 420 px x zoom and the page's 24 px
# margins fit in each width (a 390 px phone: 336 px)
PHONE_CANVAS_ZOOM = ((PHONE, 0.8), (384, 0.7), (342, 0.6))


def presenting():
    return bool(st.session_state.get("present"))


# The level (入门 / 进阶): a beginner sees the preset and the few controls a first lesson needs,
# and the loss and accuracy charts; the gradients' chart and the tricks wait for the advanced one.
LEVELS = {"beginner": N_("Beginner"), "advanced": N_("Advanced")}
BEGINNER_FIELDS = ("hidden_size", "activation", "learning_rate", "iters")


def beginner():
    return st.session_state.get("level") == "beginner"


def gradients_shown():
    """Whether the Train tab shows its third chart (the gradients' health): at the advanced
    level, or when a guided lesson's step points at it."""
    return not beginner() or "health_chart" in st.session_state.get("guide_look", ())


def sidebar_state():
    """For ``st.set_page_config``: folded away while presenting."""
    return "collapsed" if presenting() else "auto"


def _css_text(text):
    """``text`` as a CSS string's content (a catalogue's words in a ``content:`` rule)."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def style():
    """The page's own CSS: the labelled settings button, room for the canvas's toolbar, the
    phone's line under the canvas, Streamlit's own English words in the session's language,
    and presenter mode's sizes."""
    css = [
        # the folded sidebar's "»" says what it opens (a phone shows only it)
        '[data-testid="stExpandSidebarButton"]::after {content: %s; margin-left: 0.3rem; '
        'font-size: 0.95rem;}' % _css_text(_("Settings")),
        # Streamlit's own Stop stops a script run, not training: the run's Stop is the page's
        '[data-testid="stStatusWidget"] button {display: none;}',
        # the canvas's toolbar floats above it: room for it, over nothing
        ".st-key-canvas_box {padding-top: 40px;}",
        # the digit in one line under the canvas, where a phone's screen ends
        f"@media (min-width: {PHONE}px) {{.st-key-phone_prediction {{display: none;}}}}",
        f"@media (max-width: {PHONE - 1}px) {{h1 {{font-size: 1.9rem !important;}}}}",
        # Streamlit's uploader says "Upload" and "8MB per file • NPZ" in English whatever the page's
        # language: its button says the page's word, and the limit is in the uploader's help
        '[data-testid="stFileUploaderDropzoneInstructions"] {display: none;}',
        '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p '
        '{visibility: hidden; font-size: 0;}',
        '[data-testid="stFileUploaderDropzone"] button [data-testid="stMarkdownContainer"] p::after '
        '{content: %s; visibility: visible; font-size: 0.875rem;}' % _css_text(_("Upload")),
        # "Press Enter to apply" is Streamlit's English; the page's captions say when a box applies
        '[data-testid="InputInstructions"] {display: none;}',
        # the browser's keeper (ui.keeper) has no face: it only reads and writes what the browser keeps
        ".st-key-keeper_box, .st-key-network_play {display: none;}",
        # the network diagram keeps a width its circles and words can be read at: a phone scrolls it sideways
        ".st-key-network_box, .st-key-network_back_box {overflow-x: auto;}",
        '.st-key-network_box [data-testid="stElementContainer"], '
        '.st-key-network_back_box [data-testid="stElementContainer"] {min-width: 880px;}',
    ]
    if presenting():
        css += [
            f"html {{font-size: {100 * PRESENT_SCALE:.0f}%;}}",
            # the header's room shrinks: the work starts near the top of the screen
            '[data-testid="stMainBlockContainer"] {padding-top: 4rem; padding-bottom: 2rem;}',
            '[data-testid="stMainBlockContainer"] [data-testid="stVerticalBlock"] {gap: 0.6rem;}',
            # the predicted digit, for the back row
            '.st-key-prediction [data-testid="stMetricValue"] {font-size: 6rem; line-height: 1.1;}',
        ]
        # The projector's 420 px canvas on a phone: smaller, whole (the drawing it sends keeps its
        # 420 px, and the canvas reads a finger where it is: zoom scales its box too).
        css += [f"@media (max-width: {width - 1}px) {{.st-key-canvas_box "
                f'[data-testid="stBidiComponentIsolated"] {{zoom: {zoom};}}}}'
                for width, zoom in PHONE_CANVAS_ZOOM]
    st.html(f"<style>{''.join(css)}</style>")


def header(accuracy):
    """The page's title and its first line, which says what to do now (the bundled model
    reads ``accuracy`` of the test set). Presenting, none: the work takes the screen."""
    if presenting():
        return
    st.title(_("Teach a network to read handwriting"))
    if accuracy is not None:
        st.markdown(_("Press **Start** to train a network of your own and watch it learn, or open **Draw** "
                      "now: a network trained to {accuracy:.1%} on MNIST's test digits is ready to read "
                      "yours.").format(accuracy=accuracy))
    else:  # a bundled model saved without its measure
        st.markdown(_("Press **Start** to train a network of your own and watch it learn, or open **Draw** "
                      "now: a trained network is ready to read yours."))
    with st.expander(_("What is this?"), key="about"):
        st.caption(_("The article's feed-forward network, 784 → H → H/2 → 10, written by hand in NumPy: "
                     "Affine, ReLU/Sigmoid/Tanh and Softmax-with-loss layers, trained by backpropagation, "
                     "with its tricks as layers too (batch and layer normalisation, dropout, residual "
                     "connections). Train it, then draw a digit and watch it decide."))


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
    """A Plotly figure for a projector while presenting: every text at least 20 px (Streamlit's
    chart theme sizes the ticks, axis titles and legend itself, so each is set here), the
    figure taller, and no y-axis title drawn sideways."""
    f = CHART_FONTS[presenting()]
    if f is None:
        return fig
    fig.update_layout(font_size=f["font"], title_font_size=f["title"], legend_font_size=f["legend"])
    fig.update_xaxes(tickfont_size=f["tick"], title_font_size=f["axis"])
    fig.update_yaxes(tickfont_size=f["tick"], title_font_size=f["axis"])
    fig.update_annotations(font_size=f["annotation"])
    # a log axis's 10⁻² draws its exponent at 70 % of the tick's size: 1e−2 keeps it full size
    fig.for_each_yaxis(lambda axis: axis.update(exponentformat="e") if axis.type == "log" else None)
    _no_sideways_title(fig, f)
    if fig.layout.height:
        fig.update_layout(height=int(fig.layout.height * 1.3))
    return fig


def _no_sideways_title(fig, f):
    """No sideways y-axis title: the chart's title already names what the y axis shows (its
    ticks say the scale); a chart without a title takes the y axis's title as its title. A
    legend above the plot goes under it, out of the title's way."""
    y = fig.layout.yaxis.title.text if fig.layout.yaxis and fig.layout.yaxis.title else None
    if not y:
        return
    if not fig.layout.title.text:
        fig.update_layout(title_text=y)
    fig.layout.yaxis.title.text = None
    legend = fig.layout.legend
    if legend.orientation == "h" and legend.y is not None and legend.y >= 1:
        margin = fig.layout.margin.b or 0
        fig.update_layout(legend=dict(yref="container", y=0, yanchor="bottom", x=0, xanchor="left"),
                          margin_b=margin + 2 * f["legend"] + 16)
