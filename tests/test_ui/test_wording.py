"""Every code the library reports has words on the page."""

import re
from pathlib import Path

import numpy as np
import pytest

import ffn
from ffn.trainer import Trainer
from ui import wording

FFN = Path(ffn.__file__).resolve().parent


def test_every_settings_code_is_worded():
    codes = set(re.findall(r'need\([^"]*?"(\w+)",', (FFN / "settings.py").read_text(), re.S))
    codes |= set(re.findall(r'ConfigError\("(\w+)"', (FFN / "architecture.py").read_text()))  # the network's
    assert codes >= {"samples", "iters", "units"} and codes == set(wording._SETTINGS)
    with pytest.raises(ffn.SettingsError) as e:
        ffn.settings.check(
            ffn.TrainSettings(iters=20000, batch_size=1024), ffn.settings.Limits(max_samples=10**6)
        )
    assert wording.settings_error(e.value) == (
        "This run would process 20,480,000 images; the limit here is "
        "1,000,000. Choose fewer iterations or a smaller batch."
    )


def test_a_simple_bound_is_one_rule_worded_once_with_the_settings_name(monkeypatch):
    monkeypatch.setitem(ffn.settings.RANGES, "valid_ratio", (0.0, 0.2))
    with pytest.raises(ffn.SettingsError) as e:
        ffn.settings.check(ffn.TrainSettings(valid_ratio=0.25))
    assert e.value.code == "range" and str(e.value) == "valid_ratio must be in [0, 0.2), got 0.25"
    assert wording.settings_error(e.value) == (
        "The setting “validation ratio” must be at least 0 and less than 0.2."
    )
    monkeypatch.setitem(ffn.settings.RANGES, "seed", (0, 10))
    with pytest.raises(ffn.SettingsError, match="got 'x'"):
        ffn.settings.check(ffn.TrainSettings(seed="x"))  # not a number: the same rule, and no TypeError


def test_every_model_file_reason_is_worded():
    source = (FFN / "model_io.py").read_text() + (FFN / "archive.py").read_text()
    reasons = set(re.findall(r'ModelFileError\(\s*"(\w+)"', source))
    assert reasons == set(wording._MODEL_FILE)
    with pytest.raises(ffn.ModelFileError) as e:
        ffn.load_model(ffn.model_bytes(ffn.MultiLayerNet(100, [8], 10)), input_size=784)
    assert wording.model_file_error(e.value.reason, e.value.values) == (
        "This model takes 100 inputs and gives 10 outputs; "
        "reading a 28×28 digit into ten classes needs 784 and 10."
    )
    assert wording.model_file_error("no such reason") == wording.model_file_error("unreadable")


def tiny(mnist, **kw):
    (x, t), _ = mnist
    net = ffn.MultiLayerNet(784, [16, 8], 10, weight_init=kw.pop("init", "he"), weight_init_std=0.01, seed=0)
    return Trainer(net, ffn.make_optimizer("sgd", kw.pop("lr", 0.1)), x[:2000], t[:2000], batch_size=50, **kw)


def test_every_trainer_note_is_worded_as_the_command_line_words_it(mnist):
    done = tiny(mnist, iters=20)
    done.step()
    stopped = tiny(mnist, iters=100)
    stopped.step(max_iters=7)
    stopped.stop()
    blown = tiny(mnist, iters=100, lr=1e4)
    blown.step()
    stalled = tiny(mnist, iters=600, init="std", lr=0.01)
    stalled.step()
    slow = tiny(mnist, iters=600, lr=1e-4)  # He's weights, but steps too small to move
    slow.step()
    (x, t), _ = mnist
    deep = ffn.build_trainer(ffn.preset("deep_stuck", train_size=2000, epochs=0, iters=600), x, t)
    deep.step()
    ended = [(code.replace("stalled", "stall_ended"), {**values, "began": 4132})  # after the stall
             for code, values in (stalled.advice, slow.advice, deep.advice)]
    notes = [done.outcome, stopped.outcome, blown.outcome, stalled.advice, slow.advice, deep.advice, *ended]
    assert [n[0] for n in notes] == [
        "finished",
        "stopped",
        "diverged",
        "stalled",
        "stalled_scaled",
        "stalled_deep",
        "stall_ended",
        "stall_ended_scaled",
        "stall_ended_deep",
    ]
    assert set(n[0] for n in notes) == set(ffn.notes.NOTES)
    see_chart = "The third chart, on “Gradient norm ‖dW‖”, shows why: "
    for n in notes:  # one English source: the page's is the CLI's, the chart named in the stall's
        page = wording.note(n).replace(see_chart + "layer 1's", "Layer 1's")
        assert page.replace(see_chart + "while", "While") == ffn.describe(n)
    assert [see_chart in wording.note(n) for n in notes] == [False] * 3 + [True] * 6
    assert "began to learn only at iteration 4,132." in wording.note(ended[0])
    assert wording.note(stopped.outcome) == "Stopped by you at iteration 7 of 100."
    assert (
        wording.note(("finished", {"iterations": 5000, "epochs": 18.5}))
        == "Finished 5,000 iterations (18.5 epochs)."
    )
    assert np.isfinite(blown.net.params["W1"]).all()


def test_a_chinese_note_runs_its_sentences_together_as_chinese_does(monkeypatch):
    from ui import i18n

    monkeypatch.setattr(wording, "_", i18n.translator("zh").gettext)
    stalled = ("stalled", {"loss": 2.3, "iteration": 600, "classes": 10, "guess_loss": 2.30, "grad1": 1e-5})
    text = wording.note(stalled)
    assert "网络停滞了。第三张图（“梯度范数 ‖dW‖”）显示了原因：第 1 层的梯度范数只有 1.0e-05。" in text
    assert "。 " not in text
