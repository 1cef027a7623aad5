"""The stall note on made-up loss histories: true at every evaluation of a run, while it
stalls and once it has begun to learn after a stall."""
import math
from types import SimpleNamespace

import numpy as np
import pytest

from ffn.notes import describe
from ffn.stall import BEGAN, LEARNING, STALL_AFTER, WINDOW, began_to_learn, smoothed_loss, stall_advice

GUESS = math.log(10)
ARTICLE = SimpleNamespace(output_size=10, hidden_size_list=[64, 32], normalization="none", weight_init="std")


def history(losses, grad1=lambda it: 1e-3):
    """A trainer's history of ``losses``, with a health record every 50 iterations."""
    records = list(range(50, len(losses) + 1, 50))
    return {"loss": list(losses), "health_iteration": records,
            "grad_norm": [[grad1(it), 0.1, 1.0] for it in records]}


def plateau_then_fall(n=6000, start=4000, noise=0.003, seed=0):
    """ln 10 (less the labels' own entropy) with batch noise, then a fall from ``start`` on."""
    rng = np.random.default_rng(seed)
    it = np.arange(1, n + 1)
    fall = 1.5 * (1 - np.exp(-np.maximum(it - start, 0) / 800))
    return GUESS - 0.001 - fall + noise * rng.standard_normal(n)


def advice_at(losses, iteration, net=ARTICLE, **kw):
    return stall_advice(net, history(losses[:iteration], **kw), iteration)


def test_smoothed_loss_is_the_mean_of_the_last_window():
    v = np.arange(1.0, 301.0)
    s = smoothed_loss(v)
    assert s[0] == 1.0 and s[9] == 5.5 and s[WINDOW - 1] == np.mean(v[:WINDOW])
    assert s[-1] == pytest.approx(np.mean(v[-WINDOW:]))


def test_the_note_says_stalled_while_it_stalls_and_when_it_began_to_learn_after():
    losses = plateau_then_fall()
    assert advice_at(losses, STALL_AFTER - 1) is None  # too early to call
    seen = []
    for iteration in range(STALL_AFTER, 6001, 225):  # an evaluation an epoch, as the article's run
        code, values = advice_at(losses, iteration)
        smooth = np.mean(losses[iteration - WINDOW:iteration])
        assert values["iteration"] == iteration and values["loss"] == pytest.approx(smooth)
        assert code == ("stalled" if smooth >= GUESS - LEARNING else "stall_ended")  # the note is true
        seen.append((code, values.get("began")))
    stalled = [c for c, _ in seen if c == "stalled"]
    ended = {began for c, began in seen if c == "stall_ended"}
    assert stalled and seen[:len(stalled)] == [("stalled", None)] * len(stalled)  # one switch, no flicker
    assert len(ended) == 1 and 4000 < ended.pop() < 4000 + WINDOW  # dated where it fell, not where it crossed
    text = describe(advice_at(losses, 6000))
    assert "It stalled near ln 10 = 2.30" in text and "began to learn only at iteration 4,0" in text
    assert "While it stalled" in text and "He initialisation" in text  # the why stays


def test_the_article_run_at_its_end_says_it_began_to_learn():
    """The article's run (5,000 iterations) ends at 2.13 after leaving ln 10 near 4,100, slowly
    at first: a smoothed loss still near ln 10 while it has begun, and clearly below at the end."""
    it = np.arange(1, 5001)
    losses = GUESS - 0.001 - 2.2e-7 * np.maximum(it - 4100, 0) ** 2
    code, values = advice_at(losses, 5000)
    assert code == "stall_ended" and 2.0 < values["loss"] < 2.2
    smooth = smoothed_loss(losses)
    first_below = 1 + int(np.argmax(smooth < GUESS - BEGAN))  # an iteration, counted from 1
    assert values["began"] == first_below < 1 + int(np.argmax(smooth < GUESS - LEARNING))
    assert f"The loss is now {values['loss']:.2f}." in describe((code, values))


def test_a_noisy_plateau_is_never_taken_for_learning():
    """Batches of one image: the batch loss wanders by about 0.06 around the plateau."""
    for seed in range(5):
        losses = plateau_then_fall(n=20000, start=10**6, noise=0.06, seed=seed)
        assert {advice_at(losses, it)[0] for it in range(STALL_AFTER, 20001, 500)} == {"stalled"}


def test_began_is_after_the_last_return_near_guessing():
    losses = plateau_then_fall(n=6000, start=1000, noise=0.0)
    losses[2000:3000] = GUESS  # back to guessing for a while
    assert began_to_learn(history(losses), GUESS) == 3001
    assert advice_at(losses, 2800)[0] == "stalled" and advice_at(losses, 6000)[1]["began"] == 3001


def test_a_run_that_learns_at_once_or_starts_far_above_guessing_never_stalled():
    quick = GUESS + 0.1 - 2 * (1 - np.exp(-np.arange(3000) / 50))  # He: below ln 10 within tens
    assert all(advice_at(quick, it) is None for it in (STALL_AFTER, 1000, 3000))
    high = 9.0 - np.arange(3000) * 0.003  # far above guessing, falling through it: not a stall
    assert all(advice_at(high, it) is None for it in (STALL_AFTER, 2000, 3000))


def test_the_gradient_said_is_the_latest_while_stalled_and_the_stalls_median_after():
    losses = plateau_then_fall()
    grad1 = lambda it: 1e-3 * it  # noqa: E731  grows through the run
    assert advice_at(losses, 3000, grad1=grad1)[1]["grad1"] == pytest.approx(3.0)
    values = advice_at(losses, 6000, grad1=grad1)[1]
    records = [it for it in range(50, 6001, 50) if STALL_AFTER <= it <= values["began"]]
    assert values["grad1"] == pytest.approx(1e-3 * np.median(records))


@pytest.mark.parametrize("changes, cause", [
    ({}, ""),
    ({"hidden_size_list": [128] * 4 + [64]}, "_deep"),
    ({"hidden_size_list": [128] * 4 + [64], "normalization": "batch"}, ""),
    ({"weight_init": "he"}, "_scaled"),
])
def test_each_cause_has_its_code_while_stalled_and_after(changes, cause):
    net = SimpleNamespace(**{**vars(ARTICLE), **changes})
    losses = plateau_then_fall()
    assert advice_at(losses, 3000, net=net)[0] == "stalled" + cause
    assert advice_at(losses, 6000, net=net)[0] == "stall_ended" + cause



def test_sparse_health_records_still_give_the_stalls_gradient_and_none_leaves_it_out():
    from ffn import notes
    from ffn.stall import _grad1_while_stalled

    history = {"health_iteration": [0, 400, 800], "grad_norm": [[1e-3], [2e-3], [4e-3]]}
    assert _grad1_while_stalled(history, 551) == 2e-3  # no record in 500..551: the last before it
    assert math.isnan(_grad1_while_stalled({"health_iteration": [], "grad_norm": []}, 551))
    values = {"loss": 2.1, "iteration": 900, "classes": 10, "guess_loss": math.log(10), "began": 551,
              "grad1": math.nan}
    said = notes.describe(("stall_ended", values))
    assert "nan" not in said and "gradient norm was" not in said and "began to learn" in said
