"""The Draw tab's two inside views: "Inside the network" (the drawing layer by layer, one
unit's arithmetic, who pushed the score) and "Why this digit?" (the saliency map).

The maths is :mod:`ffn.inside`'s, through the network's own layers; this only draws.
"""
import numpy as np
import streamlit as st

from ffn.inside import hidden_outputs, layer_outputs, saliency, score_contributions, unit_arithmetic

from . import charts, inside_charts
from .i18n import _
from .health_charts import layer_tags
from .wording import joined

STEP_NAMES = {"Relu": "ReLU", "Sigmoid": "Sigmoid", "Tanh": "Tanh", "BatchNorm": "BatchNorm",
              "LayerNorm": "LayerNorm"}  # layer names as the arithmetic shows them (names, not translated)


def render_inside(net, x):
    """The journey of drawing ``x`` (784,) through ``net``, a unit picked by the student,
    and the units that pushed the predicted digit's score."""
    x = np.asarray(x).reshape(1, -1)
    outputs = layer_outputs(net, x)
    hidden = hidden_outputs(outputs)  # what each hidden layer passes on
    scores = outputs[-1][1]
    digit = int(np.argmax(scores))
    c = score_contributions(net, x, digit, outputs=outputs)  # one forward pass for the whole view
    proba = c["proba"]
    relu = net.activation == "relu"  # only ReLU leaves units at exactly 0
    st.markdown(_("**The drawing's journey, layer by layer**"))
    left, right = st.columns([1, 1.1])  # beside the canvas: the score table needs half the room
    tags = layer_tags(net.config())
    parts = [_("the input, 28×28 pixels")]
    for i, (_name, a) in enumerate(hidden, 1):
        part = _("hidden layer {i}: {n} units").format(i=i, n=len(a))
        parts.append(_("{name} ({detail})").format(name=part, detail=tags[i - 1]) if tags[i - 1] else part)
    left.image(inside_charts.journey_image(x[0], [a for _name, a in hidden], net.activation),
               caption=_("Left to right: {parts}. A square per unit.").format(parts=_("; ").join(parts)))
    right.code(inside_charts.scores_text(scores, proba), language=None)
    right.caption(_("The ten scores the last layer adds up, then softmax turns them into probabilities; "
                    "◀ marks the prediction."))
    if relu:
        off = _(", ").join(_("{k} of {n} in layer {i}").format(k=int(np.sum(a == 0)), n=len(a), i=i)
                        for i, (_name, a) in enumerate(hidden, 1))
        st.caption(_("Darker blue: more active. Crossed out: units this drawing leaves inactive (0 after "
                     "ReLU): {off}.").format(off=off))
    elif net.activation == "tanh":
        st.caption(_("Tanh: orange units are above 0, blue ones below; none is exactly 0."))
    else:
        st.caption(_("Sigmoid, darker blue: nearer 1. Every unit passes on something between 0 and 1; none "
                     "is exactly 0."))
    _unit(net, x, outputs)
    st.markdown(_("**Who pushed the score of {digit}**: the last hidden layer's units with the largest "
                  "activation × weight").format(digit=digit))
    up, down = st.columns(2)
    for col, title, units in ((up, _("Up ▲"), c["up"]), (down, _("Down ▼"), c["down"])):
        lines = ["- " + _("{unit}: **{value:+.2f}**").format(unit=_("unit {j}").format(j=int(j)),
                                                             value=c["terms"][j]) for j in units]
        col.markdown(title + "\n\n" + "\n".join(lines or [_("- none")]))
    st.caption(_("The score of {digit} is the sum of every last-layer unit's activation × its weight to "
                 "{digit}, plus a bias: {score:.2f} = {total:.2f} + {bias:.2f}.").format(
        digit=digit, score=c["score"], total=float(c["terms"].sum()), bias=float(c["bias"])))


def _unit(net, x, outputs):
    layers = list(range(1, net.n_affine + 1))

    def layer_label(i):
        n = net.params[f"W{i}"].shape[1]
        if i == net.n_affine:
            return _("Scores ({n})").format(n=n)
        return _("Hidden layer {i} ({n} units)").format(i=i, n=n)
    c1, c2 = st.columns(2)  # labels made in this run (see ui.i18n.labels)
    layer = c1.selectbox(_("Layer"), layers, format_func={i: layer_label(i) for i in layers}.get,
                         key="inside_layer")
    shown = (dict(outputs)[f"Affine{layer}"] if layer == net.n_affine
             else hidden_outputs(outputs)[layer - 1][1])
    # Options in a fixed order, so a pick survives the next stroke; the most active unit first picked.
    option = _("unit {j}: {value:.3f}")  # translated once, not once for each of up to 512 units
    options = [option.format(j=j, value=v) for j, v in enumerate(np.asarray(shown).tolist())]
    unit = c2.selectbox(_("Unit"), list(range(len(shown))), index=int(np.argmax(shown)),
                        key=unit_key(layer), format_func=options.__getitem__)
    a = unit_arithmetic(net, x, layer, unit, outputs=outputs)
    left, right = st.columns([1.2, 1])
    if layer == 1:
        left.image(inside_charts.weights_image(a["weights"]), width=224,
                   caption=_("Unit {unit}'s 784 incoming weights, one per pixel").format(unit=unit))
    else:
        charts.plot(left, inside_charts.weights_figure(a["weights"], unit), key="weights_chart")
    left.caption(_("Orange: a positive weight (that input raises the unit's sum); blue: a negative one."))
    with right:
        st.markdown(_("**Its arithmetic, with this drawing's numbers**"))
        st.code(_arithmetic(a, layer, net), language=None, wrap_lines=True)
        if layer == net.n_affine - 1:
            digit = int(np.argmax(outputs[-1][1]))
            share = float(a["out"] * net.params[f"W{net.n_affine}"][unit, digit])
            st.caption(_("This unit added {share:+.3f} to the score of {digit}, the predicted digit.").format(
                share=share, digit=digit))


def unit_key(layer):
    """The unit menu's key for ``layer`` (the network diagram's click sets it)."""
    return f"inside_unit_{layer}_{_model_id()}"


def _model_id():
    """Which model the Draw tab reads with, for the unit menu's key: a menu shows one model's
    numbers, and a menu kept across models would show the last one's."""
    choice = st.session_state.get("model_choice", "bundled")
    return f"{choice}{st.session_state.get('upload_id', '')}" if choice == "uploaded" else choice


def _arithmetic(a, layer, net):
    """``z = Σ wᵢ·xᵢ + b = ... → ReLU → ...`` and the largest terms, as plain text. Each step
    after the sum (normalisation, activation, the residual sum) is named with its value."""
    z, b = float(a["z"]), float(a["bias"])
    line = _("z = Σ wᵢ·xᵢ + b = {sum:.3f} + ({b:.3f}) = {z:.3f}").format(sum=z - b, b=b, z=z)
    before = z
    for name, value in a["steps"]:
        kind = name.rstrip("0123456789")
        if kind == "Residual":  # the block's input for this unit: the sum minus what the block made
            shown = _("+ its input {skip:.3f} (residual)").format(skip=float(value) - float(before))
        else:
            shown = STEP_NAMES[kind]
        line += f" → {shown} → {float(value):.3f}"
        before = value
    if not a["steps"]:
        line = joined(line, _("(a score: softmax comes after)"))
    terms = []
    for i in a["top"]:
        where = _("pixel ({r}, {c})").format(r=i // 28, c=i % 28) if layer == 1 else _("unit {j}").format(j=i)
        terms.append(_("{where}: {w:+.3f} × {x:.3f} = {t:+.3f}").format(
            where=where, w=float(a["weights"][i]), x=float(a["inputs"][i]), t=float(a["terms"][i])))
    return line + "\n\n" + _("Largest terms wᵢ·xᵢ:") + "\n" + "\n".join(terms)


def render_why(net, x):
    """The saliency of the predicted digit, or of it against a digit the student names."""
    x = np.asarray(x).reshape(1, -1)
    scores = layer_outputs(net, x)[-1][1]
    digit = int(np.argmax(scores))
    others = [None] + [d for d in range(net.output_size) if d != digit]
    versus = st.columns(2)[0].selectbox(
        _("Why {digit} and not…").format(digit=digit), others, key="why_versus",
        format_func={d: _("(any other digit)") if d is None else str(d) for d in others}.get)
    s = saliency(net, x, digit, versus=versus)
    left, right = st.columns([1.2, 1])
    charts.plot(left, inside_charts.saliency_figure(x[0], s), key="saliency_chart")
    with right:
        if versus is None:
            st.markdown(_("How each pixel moves the **score of {digit}**: orange (marked +) raises it, blue "
                          "(marked −) lowers it.").format(digit=digit))
        else:
            st.markdown(_("How each pixel moves the score of **{digit} minus the score of {other}**: orange "
                          "(+) makes it more a {digit}, blue (−) more a {other}.").format(digit=digit,
                                                                                      other=versus))
        st.caption(_("This is backpropagation put to a second use. Training runs backward from the loss "
                     "to the weights; this runs the same backward of the same layers from one score to the "
                     "pixels: the gradient of the score with respect to the drawing."))
