"""The Evaluate tab through AppTest: the confusion matrix, a cell's images, the mistakes, each
digit's accuracy, for the bundled model and for a run of this session."""

import json

import numpy as np

from tests.support.apptest import finish_a_run


def open_evaluate(at):
    at.session_state["tab"] = "evaluate"
    at.run()
    assert not at.exception


def figure(at, key):
    return next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.key == key)


def galleries(at):
    """The captions of each image element holding several images."""
    return [[img.caption for img in i.proto.imgs] for i in at.get("image") if len(i.proto.imgs) > 1]


def test_the_bundled_model_evaluated_with_a_cell_and_its_mistakes(at):
    assert not any(c.key == "confusion_chart" for c in at.get("plotly_chart"))  # measured only when opened
    open_evaluate(at)
    acc = next(m for m in at.metric if m.label == "Test accuracy (10,000 images)")
    assert acc.value == "99.31%"  # the bundled model's, as its file says
    conf = figure(at, "confusion_chart")
    right, wrong, targets = conf["data"]
    assert right["type"] == wrong["type"] == "heatmap" and len(right["text"]) == len(wrong["text"]) == 10
    counts = np.array([[int((a or b).replace(",", "") or 0) for a, b in zip(ra, rb)]
                       for ra, rb in zip(right["text"], wrong["text"])])
    assert counts.sum() == 10000 and np.trace(counts) == 9931
    off = ~np.eye(10, dtype=bool)
    assert all(right["z"][i][j] is None for i, j in zip(*np.nonzero(off)))  # the diagonal's trace...
    assert all(wrong["z"][i][i] is None for i in range(10))  # ...and the mistakes', each on its own scale
    assert wrong["zmax"] == counts[off].max() and right["zmax"] == np.diag(counts).max()
    assert targets["type"] == "scatter" and targets["marker"]["opacity"] == 0  # the click targets
    true, pred = at.selectbox(key="drill_true").value, at.selectbox(key="drill_pred").value
    assert (
        true != pred and counts[true, pred] == counts[~np.eye(10, dtype=bool)].max()
    )  # the commonest mistake
    drill, mistakes = galleries(at)
    assert len(drill) == min(40, counts[true, pred]) and all(c.startswith(f"{true}→{pred} ") for c in drill)
    assert len(mistakes) == 24 and all(c[0] != c[2] for c in mistakes)  # true → read: never the same digit
    confidences = [int(c.rsplit(" ", 1)[1][:-1]) for c in mistakes]
    assert confidences == sorted(confidences, reverse=True)
    at.selectbox(key="drill_true").set_value(3)
    at.selectbox(key="drill_pred").set_value(3).run()
    assert any(c.value.startswith("True 3, read right: 40 of 1,007 images") for c in at.caption)
    at.toggle(key="confusion_normalised").set_value(True).run()
    assert figure(at, "confusion_chart")["data"][0]["text"][3][3] == "99.7%"  # 1,007 of 1,010 threes
    per_class = figure(at, "per_class_chart")
    bars = per_class["data"][0]
    rates = (counts.sum(axis=1) - np.diag(counts)) / counts.sum(axis=1)  # each digit's share read wrong
    assert bars["x"] == [str(d) for d in range(10)] and bars["text"] == [f"{r:.1%}" for r in rates]
    low, high = per_class["layout"]["yaxis"]["range"]
    assert low == 0 and rates.max() < high < 0.05  # fitted to the rates, not 0-100 %
    assert bars["marker"]["pattern"]["shape"][int(np.argmax(rates))] == "/"  # the highest: hatched too


def test_a_session_run_is_evaluated_too(at):
    finish_a_run(at, 200)
    open_evaluate(at)
    at.radio(key="eval_model").set_value("run1").run()
    assert not at.exception
    run = at.session_state["run"]
    acc = next(m for m in at.metric if m.label == "Test accuracy (10,000 images)")
    assert acc.value == f"{run.final['test']:.2%}"  # the worker's own figure, measured again here


def test_each_model_is_evaluated_once_and_a_forgotten_one_is_let_go(at, monkeypatch):
    import ui.evaluate_panel as panel

    calls = []
    real = panel.evaluate
    monkeypatch.setattr(panel, "evaluate", lambda net, x, t: calls.append(net) or real(net, x, t))
    finish_a_run(at, 100)
    open_evaluate(at)
    at.radio(key="eval_model").set_value("run1").run()
    at.toggle(key="confusion_normalised").set_value(True).run()
    at.radio(key="eval_model").set_value("bundled").run()
    at.radio(key="eval_model").set_value("run1").run()
    assert not at.exception
    assert len([n for n in calls if n is at.session_state["kept_runs"][0].net]) == 1  # once, not per rerun
    at.session_state["tab"] = "train"
    at.run()
    at.button(key="forget_runs").click().run()
    open_evaluate(at)
    assert not at.exception and at.radio(key="eval_model").value == "bundled"  # its model is gone
    assert "evaluations" not in at.session_state or "run1" not in at.session_state["evaluations"]


def test_the_tabs_choices_are_kept_while_another_tab_is_open(at):
    open_evaluate(at)
    at.toggle(key="confusion_normalised").set_value(True)
    at.selectbox(key="drill_true").set_value(3)
    at.selectbox(key="drill_pred").set_value(5).run()
    for other in ("draw", "train"):
        at.session_state["tab"] = other
        at.run()
        at.run()  # a second run without the tab drawn: Streamlit forgets an undrawn widget after one
    open_evaluate(at)
    assert (
        at.toggle(key="confusion_normalised").value,
        at.selectbox(key="drill_true").value,
        at.selectbox(key="drill_pred").value,
    ) == (True, 3, 5)


def test_a_model_without_mistakes_and_a_digit_without_images_are_drawn():
    from ui.compare_charts import confusion_figure, per_class_figure

    right, wrong, _targets = confusion_figure(np.diag([5, 7, 9])).data
    assert (right.zmax, wrong.zmax) == (9, 1.0) and all(t == "" for row in wrong.text for t in row)
    bars = per_class_figure([1.0, np.nan, 0.5]).data[0]
    assert list(bars.y) == [0.0, 0.0, 0.5] and list(bars.text) == ["0.0%", "", "50.0%"]
