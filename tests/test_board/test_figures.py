"""What the board shows, computed from the store's lists: the runs as rows and points, the
answers' tallies, the drawings as the network's input, and how a network reads them (checked
against direct computations, with a small fixed network and with the bundled one)."""
from collections import Counter

import numpy as np
import pytest

from board.figures import (RESULTS, as_bytes, handwriting, pixels, run_rows, scatter, setting_names, tallies,
                           varied)


def run(id, student, settings, test=None, **results):
    """A run as Store.board() lists it."""
    return {"id": id, "student": student, "settings": settings, "test": test, **results}


RUNS = [run(1, "Ada", {"hidden_size": 50, "lr": 0.1, "sizes": [100, 50]}, 0.95, train=0.97, valid=0.94,
            wall_seconds=3.0, iters_to_90=400),
        run(2, "Bo", {"lr": 0.1, "hidden_size": 100, "sizes": [100, 50], "activation": "relu"}, 0.97),
        run(3, "Cy", {"hidden_size": 200, "lr": 0.1, "sizes": [100, 50]}, None, train=0.5)]


def test_setting_names_are_in_the_order_the_first_run_with_each_lists_them():
    """setting_names lists every setting once: the first run's order, then what later runs add."""
    assert setting_names(RUNS) == ["hidden_size", "lr", "sizes", "activation"]
    assert setting_names(RUNS[1:]) == ["lr", "hidden_size", "sizes", "activation"]
    assert setting_names([]) == [] and setting_names([run(1, "a", {})]) == []


def test_varied_lists_the_settings_whose_values_differ():
    """varied keeps settings with two or more values (a missing one counts as a value), lists too."""
    assert varied(RUNS) == ["hidden_size", "activation"]  # lr and sizes are the same in every run
    assert varied(RUNS[:1]) == [] and varied([]) == []
    assert varied([run(1, "a", {"lr": 0.1}), run(2, "b", {"lr": 0.1})]) == []
    assert varied([run(1, "a", {"sizes": [100, 50]}), run(2, "b", {"sizes": [100, 60]})]) == ["sizes"]


def test_run_rows_give_the_student_every_setting_then_the_results():
    """run_rows: one row a run, student then settings then RESULTS, None wherever a run has none."""
    rows = run_rows(RUNS)
    assert [list(r) for r in rows] == [["student", "hidden_size", "lr", "sizes", "activation", *RESULTS]] * 3
    assert rows[0] == {"student": "Ada", "hidden_size": 50, "lr": 0.1, "sizes": [100, 50], "activation": None,
                       "train": 0.97, "valid": 0.94, "test": 0.95, "wall_seconds": 3.0, "iters_to_90": 400}
    assert rows[1]["activation"] == "relu" and rows[1]["train"] is None and rows[1]["iters_to_90"] is None
    assert (rows[2]["student"], rows[2]["test"], rows[2]["train"]) == ("Cy", None, 0.5)
    assert run_rows([]) == []


def test_scatter_leaves_out_runs_without_a_test_accuracy_or_the_setting():
    """scatter: one point a run with both a test accuracy and the setting, in the runs' order."""
    runs = RUNS + [run(4, "Di", {"lr": 0.5}, 0.9), run(5, "Ed", {"hidden_size": 50, "lr": 0.01}, 0.0)]
    assert scatter(runs, "hidden_size", colour="lr") == {
        "x": [50, 100, 50], "test": [0.95, 0.97, 0.0], "colour": [0.1, 0.1, 0.01],
        "student": ["Ada", "Bo", "Ed"], "id": [1, 2, 5]}  # Cy has no test accuracy, Di no hidden_size
    by_activation = scatter(runs, "activation", colour="hidden_size")
    assert (by_activation["x"], by_activation["colour"], by_activation["id"]) == (["relu"], [100], [2])
    assert scatter(runs, "lr")["colour"] == [None] * 4
    assert scatter(runs, "momentum") == {"x": [], "test": [], "colour": [], "student": [], "id": []}


def test_tallies_count_each_answer_to_each_question():
    """tallies: {(lesson, question): Counter(answer -> how many)}, questions of two lessons apart."""
    answers = [{"lesson": "init", "question": "q1", "answer": a, "student": s}
               for a, s in (("2.3", "a"), ("2.3", "b"), ("0", "c"))]
    answers += [{"lesson": "lr", "question": "q1", "answer": "2.3", "student": "a"},
                {"lesson": "init", "question": "q2", "answer": "<b>x</b>", "student": "a"}]
    assert tallies(answers) == {("init", "q1"): Counter({"2.3": 2, "0": 1}),
                                ("lr", "q1"): Counter({"2.3": 1}), ("init", "q2"): Counter({"<b>x</b>": 1})}
    assert tallies([]) == {}


def test_a_drawing_goes_to_bytes_and_back_to_the_networks_input():
    """as_bytes then pixels: 784 bytes, back within half a grey level, 0..255 exactly, clipped to [0, 1]."""
    rng = np.random.default_rng(0)
    x = rng.random((3, 784))
    x[0, :256] = np.arange(256) / 255  # every grey level
    x[1, :4] = [-3.0, 1.5, 0.0, 1.0]  # clipped
    drawings = [{"id": i, "label": i + 4, "pixels": as_bytes(row), "student": "a"} for i, row in enumerate(x)]
    assert all(isinstance(d["pixels"], bytes) and len(d["pixels"]) == 784 for d in drawings)
    back, labels = pixels(drawings)
    assert back.shape == (3, 784) and back.dtype == np.float32 and labels.tolist() == [4, 5, 6]
    assert np.abs(back - np.clip(x, 0, 1)).max() <= 0.5 / 255 + 1e-6
    assert np.array_equal(np.frombuffer(drawings[0]["pixels"], np.uint8)[:256], np.arange(256))
    assert back[1, :4].tolist() == [0.0, 1.0, 0.0, 1.0]
    assert as_bytes(x[2].reshape(28, 28)) == drawings[2]["pixels"]  # a 28x28 image reads as its 784 values
    empty, no_labels = pixels([])
    assert empty.shape == (0, 784) and no_labels.shape == (0,)


@pytest.mark.parametrize("bad", [np.zeros(783), np.zeros(785), np.zeros((2, 784)), [],
                                 np.r_[np.zeros(783), np.nan], np.r_[np.zeros(783), np.inf]])
def test_as_bytes_refuses_a_wrong_size_or_a_value_that_is_not_finite(bad):
    """as_bytes raises ValueError for anything but 784 finite values."""
    with pytest.raises(ValueError):
        as_bytes(bad)


class LinearNet:
    """A fixed network: softmax(x @ w + b), remembering the input it was given."""

    def __init__(self, seed=1):
        rng = np.random.default_rng(seed)
        self.w, self.b = rng.normal(0, 0.1, (784, 10)), rng.normal(0, 0.5, 10)
        self.seen = None

    def predict_proba(self, x):
        self.seen = np.array(x)
        z = x @ self.w + self.b
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)


def test_handwriting_matches_a_direct_count_with_a_fixed_network():
    """handwriting: confusion counted by hand, accuracy trace / total, hardest the least p(label) first."""
    rng, net = np.random.default_rng(2), LinearNet()
    raw = rng.integers(0, 256, (40, 784), dtype=np.uint8)
    p = LinearNet().predict_proba(raw / 255)
    read = p.argmax(axis=1)
    labels = np.where(np.arange(40) % 2 == 0, read, rng.integers(0, 10, 40))  # about half read right
    drawings = [{"id": 100 + i, "label": int(labels[i]), "pixels": raw[i].tobytes(), "student": f"s{i % 3}"}
                for i in range(40)]
    out = handwriting(net, drawings)
    assert np.allclose(net.seen, raw / 255, atol=1e-6)  # it gave the network the pixels over 255
    confusion = np.zeros((10, 10), int)
    for t, r in zip(labels, read):
        confusion[t, r] += 1
    assert out["n"] == 40 and np.array_equal(out["confusion"], confusion)
    assert np.array_equal(out["read_as"], read)
    assert 0 < out["accuracy"] < 1 and out["accuracy"] == pytest.approx(np.trace(confusion) / 40)
    assert out["accuracy"] == pytest.approx(np.mean(read == labels))
    p_label = p[np.arange(40), labels]
    least = sorted(range(40), key=lambda i: p_label[i])[:8]
    assert [h["id"] for h in out["hardest"]] == [100 + i for i in least]
    assert [h["p_label"] for h in out["hardest"]] == pytest.approx(sorted(p_label)[:8], rel=1e-5)
    assert out["hardest"][0] == {"id": 100 + least[0], "label": int(labels[least[0]]),
                                 "read_as": int(read[least[0]]), "p_label": out["hardest"][0]["p_label"],
                                 "student": f"s{least[0] % 3}"}
    assert [h["id"] for h in handwriting(net, drawings, hardest=3)["hardest"]] == [100 + i for i in least[:3]]
    assert len(handwriting(net, drawings[:5])["hardest"]) == 5  # fewer drawings than hardest: all of them


def test_handwriting_of_no_drawings_has_no_accuracy():
    """handwriting with no drawings: n 0, accuracy None, an all-zero confusion, no hardest, no call."""
    net = LinearNet()
    out = handwriting(net, [])
    assert (out["n"], out["accuracy"], out["hardest"], len(out["read_as"])) == (0, None, [], 0)
    assert out["confusion"].shape == (10, 10) and not out["confusion"].any() and net.seen is None


def test_the_bundled_network_reads_mnist_test_digits_as_predict_proba_does():
    """handwriting with the bundled model on 50 MNIST test digits: accuracy over 0.9, as computed directly."""
    import ffn
    net = ffn.load_model()
    _train, (x, t) = ffn.load_mnist(normalize=False)
    x, t = x[:50], t[:50]
    assert x.dtype == np.uint8 and x.shape == (50, 784)
    drawings = [{"id": i, "label": int(label), "pixels": row.tobytes(), "student": "mnist"}
                for i, (row, label) in enumerate(zip(x, t))]
    out = handwriting(net, drawings)
    direct = net.predict_proba(x / 255).argmax(axis=1)
    assert out["n"] == 50 and out["accuracy"] > 0.9
    assert out["accuracy"] == np.mean(direct == t) and np.array_equal(out["read_as"], direct)
    assert out["confusion"].sum() == 50 and np.trace(out["confusion"]) == round(out["accuracy"] * 50)
