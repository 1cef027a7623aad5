"""What the board shows, computed from what :meth:`board.store.Store.board` returns: the runs
as rows, a scatter's points, how the class answered each question, and how a network reads
the class's own handwriting. Pure NumPy and Python: the page draws it.
"""
from collections import Counter

import numpy as np

RESULTS = ("train", "valid", "test", "wall_seconds", "iters_to_90")  # a run's figures, after its settings


def setting_names(runs):
    """The settings the runs hold, in the order the first run that has each lists them."""
    return list(dict.fromkeys(name for r in runs for name in r["settings"]))


def varied(runs):
    """The settings whose values are not all the same across ``runs``: what the class tried."""
    return [n for n in setting_names(runs) if len({repr(r["settings"].get(n)) for r in runs}) > 1]


def run_rows(runs):
    """One row a run: ``student``, each setting, then :data:`RESULTS` (``None`` where missing)."""
    names = setting_names(runs)
    return [{"student": r["student"], **{n: r["settings"].get(n) for n in names},
             **{k: r.get(k) for k in RESULTS}} for r in runs]


def scatter(runs, x, colour=None):
    """The points of ``x`` (a setting) against test accuracy, one a run with a test accuracy:
    ``{x, test, colour, student, id}``, lists in the runs' order."""
    shown = [r for r in runs if r.get("test") is not None and x in r["settings"]]
    return {"x": [r["settings"][x] for r in shown], "test": [r["test"] for r in shown],
            "colour": [r["settings"].get(colour) if colour else None for r in shown],
            "student": [r["student"] for r in shown], "id": [r["id"] for r in shown]}


def tallies(answers):
    """How the class answered: ``{(lesson, question): Counter(answer -> students)}``."""
    out = {}
    for a in answers:
        out.setdefault((a["lesson"], a["question"]), Counter())[a["answer"]] += 1
    return out


def pixels(drawings):
    """The drawings as the network's input: (n, 784) float32 in [0, 1], and their labels."""
    if not drawings:
        return np.zeros((0, 784), np.float32), np.zeros(0, np.int64)
    x = np.frombuffer(b"".join(d["pixels"] for d in drawings), np.uint8).reshape(-1, 784)
    return x.astype(np.float32) / 255.0, np.array([d["label"] for d in drawings], np.int64)


def as_bytes(x):
    """A drawing's input (784 floats in [0, 1]) as the 784 bytes the board stores."""
    x = np.asarray(x, np.float64).reshape(-1)
    if x.size != 784 or not np.all(np.isfinite(x)):
        raise ValueError("a drawing is 784 finite values")
    return np.rint(np.clip(x, 0.0, 1.0) * 255).astype(np.uint8).tobytes()


def handwriting(net, drawings, hardest=8):
    """How ``net`` reads the class's drawings: ``{n, accuracy, confusion, read_as, hardest}``.

    ``confusion[t, p]`` counts drawings labelled ``t`` read as ``p``; ``hardest`` lists the
    ``hardest`` drawings the network gave the least probability to their own label, least
    first, as ``{id, label, read_as, p_label, student}``; ``accuracy`` is None with none."""
    x, t = pixels(drawings)
    confusion = np.zeros((10, 10), np.int64)
    if len(t) == 0:
        return {"n": 0, "accuracy": None, "confusion": confusion, "read_as": t, "hardest": []}
    proba = np.asarray(net.predict_proba(x), np.float64)
    read = proba.argmax(axis=1)
    np.add.at(confusion, (t, read), 1)
    p_label = proba[np.arange(len(t)), t]
    order = np.argsort(p_label, kind="stable")[:hardest]
    return {"n": len(t), "accuracy": float((read == t).mean()), "confusion": confusion, "read_as": read,
            "hardest": [{"id": drawings[i]["id"], "label": int(t[i]), "read_as": int(read[i]),
                         "p_label": float(p_label[i]), "student": drawings[i]["student"]} for i in order]}
