"""Plain English for the trainer's notes, for the command line.

The trainer words nothing: it reports why a run ended, and what advice it has, as a
code and numbers (``Trainer.outcome``, ``Trainer.advice``). The app words those codes
through its translation catalogue; this is the command line's wording.
"""


def describe(note):
    """Plain English for a note ``(code, values)`` of :attr:`Trainer.outcome` or
    :attr:`Trainer.advice`: the command line's wording (the app words notes itself)."""
    code, v = note
    if code == "finished":
        return f"Finished {v['iterations']} iterations ({v['epochs']:.1f} epochs)."
    if code == "stopped":
        return f"Stopped by you at iteration {v['iteration']} of {v['total']}."
    if code == "diverged":
        what = {"nan": "became NaN", "inf": "became infinite"}.get(v["how"], f"blew up to {v['loss']:.3g}")
        return (f"The loss {what} at iteration {v['iteration']}: the steps were too large and the "
                f"weights ran away. Lower the learning rate (it is {v['lr']:g}) and train again. "
                f"The weights from iteration {v['kept']} are kept.")
    if code == "stalled":
        return (f"The loss is still {v['loss']:.2f} after {v['iteration']} iterations, close to "
                f"ln {v['classes']} = {v['guess_loss']:.2f}, the loss of guessing all {v['classes']} classes "
                f"equally. The network is stalled. Why: layer 1's gradient norm is only {v['grad1']:.1e}. "
                f"With tiny initial weights the signal shrinks through each layer, and so does the "
                f"gradient on its way back, so the first layer's weights barely move. Start the same "
                f"network with He initialisation and its layer-1 gradient is hundreds of times larger. "
                f"Try He initialisation, or a larger learning rate.")
    if code == "stalled_deep":
        return (f"The loss is still {v['loss']:.2f} after {v['iteration']} iterations, close to "
                f"ln {v['classes']} = {v['guess_loss']:.2f}, the loss of guessing all {v['classes']} classes "
                f"equally. The network is stalled. Why: layer 1's gradient norm is only {v['grad1']:.1e}. "
                f"With tiny initial weights the signal shrinks through each of the many layers, and so "
                f"does the gradient on its way back. Batch normalisation rescales each layer's sums to "
                f"mean 0 and variance 1, whatever the weights' size: try it, or He initialisation.")
    if code == "stalled_scaled":
        return (f"The loss is still {v['loss']:.2f} after {v['iteration']} iterations, close to "
                f"ln {v['classes']} = {v['guess_loss']:.2f}, the loss of guessing all {v['classes']} classes "
                f"equally. The network is stalled. Why: layer 1's gradient norm is only {v['grad1']:.1e}. "
                f"Its initial weights are already scaled to each layer's size, so the learning rate or "
                f"the activation holds it back: try a larger learning rate, Adam, or ReLU.")
    raise ValueError(f"unknown note code {code!r}")
