"""The Train tab's live charts: when they are redrawn (the rest of the tab: tests/test_app.py)."""
import types

import plotly.graph_objects as go
import pytest

import ffn
from serve.runs import ACTIVE, CANCELLED, FAILED, PAUSED, QUEUED, RUNNING, SESSION_ENDED, WORKER_DIED
from ui import live
from ui.live import CHART_EVERY, FULL_PACE, _Curves, _ending, pace


def history(n):
    """A run's history after ``n`` iterations, an evaluation every 10."""
    evals = list(range(0, n, 10))
    return {"iteration": list(range(1, n + 1)), "loss": [2.3 - 0.001 * i for i in range(n)],
            "eval_iteration": evals, "epoch": [i / 100 for i in evals],
            "train_acc": [0.5] * len(evals), "valid_acc": [0.5] * len(evals)}


class Drawn(list):
    """The boxes a chart was drawn in, in order, and the clock the test moves (``now``)."""
    now = 100.0


@pytest.fixture
def log(monkeypatch):
    out = Drawn()
    monkeypatch.setattr(live, "time", types.SimpleNamespace(monotonic=lambda: out.now))
    monkeypatch.setattr(live.charts, "plot", lambda box, fig, **kw: out.append(box))
    return out


@pytest.fixture
def curves():
    return _Curves("loss box", "accuracy box", "health box", "grad_norm", ffn.preset("fast"))


def test_a_chart_is_redrawn_at_most_once_a_second_and_only_when_its_data_changed(curves, log):
    curves.draw(history(5))
    assert log == ["loss box", "accuracy box"]
    log.now += CHART_EVERY / 2
    curves.draw(history(8))
    assert len(log) == 2  # too soon
    log.now += CHART_EVERY / 2
    curves.draw(history(8))
    assert log[2:] == ["loss box"]  # no new evaluation: the accuracy chart stays


def test_no_redraw_in_a_runs_last_second_but_its_final_charts_come_at_once(curves, log):
    curves.draw(history(5))
    log.now += 5 * CHART_EVERY
    curves.draw(history(25), ending=True)
    assert len(log) == 2  # the final charts follow in a moment: the browser is spared this one
    curves.draw(history(25), force=True)
    assert log[2:] == ["loss box", "accuracy box"]


def test_a_fresh_run_of_the_fragment_draws_its_empty_boxes_even_at_the_end(curves, log):
    curves.draw(history(5), ending=True)
    assert log == ["loss box", "accuracy box"]


@pytest.mark.parametrize("state, left, expected", [
    (RUNNING, 0.4 * CHART_EVERY, True),
    (RUNNING, 0.0, True),            # its last iteration done: the final accuracies are measured
    (RUNNING, 3 * CHART_EVERY, False),
    (RUNNING, None, False),          # no estimate before its first report
    (PAUSED, 0.4 * CHART_EVERY, False),
    (QUEUED, None, False),
])
def test_ending_is_the_runs_own_estimate_of_its_last_second(state, left, expected):
    run = types.SimpleNamespace(state=state, progress=None if left is None else {"seconds_left": left},
                                active=state in ACTIVE)
    assert _ending(run, CHART_EVERY) is expected


def test_before_the_first_points_each_chart_says_it_waits_once(monkeypatch):
    import contextlib

    said = []
    monkeypatch.setattr(live.st, "markdown", lambda text: said.append(text))
    monkeypatch.setattr(live.st, "caption", lambda text: said.append(text))

    class Box:
        containers = 0

        def container(self, border=False):
            Box.containers += 1
            return contextlib.nullcontext()

    boxes = Box(), Box(), Box()
    curves = _Curves(*boxes, "grad_norm", ffn.preset("fast"))
    empty = {"iteration": [], "loss": [], "eval_iteration": [], "epoch": [], "train_acc": [], "valid_acc": []}
    curves.draw(empty)
    curves.draw(empty, force=True)  # polled again before any point: drawn once, not at every poll
    assert Box.containers == 3
    waiting = "Waiting for the first points…"
    assert said == ["**Loss**", waiting, "**Accuracy**", waiting, "**Gradient norm ‖dW‖**", waiting]


def test_a_shared_runs_charts_are_built_once_for_every_page_that_watches_it(log, monkeypatch):
    built, sent = [], []
    monkeypatch.setattr(live.shared, "_kept", type(live.shared._kept)())  # nothing from other tests
    monkeypatch.setattr(live.charts, "loss_figure",
                        lambda h: built.append("loss") or go.Figure(go.Scatter(y=h["loss"])))
    monkeypatch.setattr(live.charts, "accuracy_figure", lambda h: built.append("acc") or go.Figure())
    monkeypatch.setattr(live.charts, "plot", lambda box, fig, **kw: log.append(box) or sent.append(fig))
    monkeypatch.setattr(live, "scale", lambda fig: fig)
    pages = [_Curves(f"loss {i}", f"acc {i}", f"health {i}", "grad_norm", ffn.preset("fast"), share="run A")
             for i in range(3)]
    for page in pages:
        page.draw(history(5))
    assert built == ["loss", "acc"] and len(log) == 6  # three pages drew, one built
    assert sent[0] is sent[2] is sent[4]  # the one figure, its dict made once: the pages send it as it is
    assert sent[0].to_dict() is sent[2].to_dict()
    assert list(sent[0].to_dict()["data"][0]["y"]) == list(history(5)["loss"])
    mine = _Curves("loss", "acc", "health", "grad_norm", ffn.preset("fast"))  # a run of its own
    mine.draw(history(5))
    assert built == ["loss", "acc", "loss", "acc"]
    log.now += 5 * CHART_EVERY
    pages[0].draw(history(8))  # new points: built again
    assert built[-1] == "loss"


def test_a_run_many_pages_watch_is_redrawn_less_often_by_each_so_that_all_together_draw_it_as_few_would():
    run = types.SimpleNamespace(students=1)
    assert pace(run) == 1.0
    run.students = FULL_PACE
    assert pace(run) == 1.0
    run.students = 2.5 * FULL_PACE
    assert pace(run) == 2.5  # each page every 2.5 s: the run's pages together, as FULL_PACE pages would


class _Page:
    """What a panel draws, in order: (kind, text or value)."""

    def __init__(self):
        self.drawn = []

    def __getattr__(self, kind):
        return lambda body=None, *args, text=None, **kw: self.drawn.append((kind, text or body))


@pytest.mark.parametrize("state, error, reason, said", [
    (FAILED, (WORKER_DIED, "exit code -9"), None, ("error", "Training stopped unexpectedly")),
    (CANCELLED, None, SESSION_ENDED, ("info", "the page was away for more than")),
])
def test_a_run_that_stopped_says_why_in_the_progress_bars_place_and_the_bar_shows_where(
        monkeypatch, state, error, reason, said):
    page = _Page()
    monkeypatch.setattr(live, "st", page)
    run = types.SimpleNamespace(state=state, error=error, cancel_reason=reason, students=1, done=True,
                                progress={"fraction": 0.4, "iteration": 400, "total_iters": 1000})
    live._progress(run)  # the top of the tab, where the progress bar was
    (kind, text), bar = page.drawn
    assert kind == said[0] and said[1] in text
    assert bar == ("progress", "stopped at iteration 400 / 1,000")
    live._results(run)  # below the charts: nothing more
    assert len(page.drawn) == 2
