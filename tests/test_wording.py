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
    assert codes >= {"samples", "iters", "units"} and codes == set(wording._SETTINGS)
    with pytest.raises(ffn.SettingsError) as e:
        ffn.settings.check(ffn.TrainSettings(iters=20000, batch_size=1024), ffn.settings.Limits(max_samples=10**6))
    assert wording.settings_error(e.value) == ("This run would process 20,480,000 images; the limit here is "
                                               "1,000,000. Choose fewer iterations or a smaller batch.")


def test_every_model_file_reason_is_worded():
    source = (FFN / "model_io.py").read_text() + (FFN / "archive.py").read_text()
    reasons = set(re.findall(r'ModelFileError\(\s*"(\w+)"', source))
    assert reasons == set(wording._MODEL_FILE)
    with pytest.raises(ffn.ModelFileError) as e:
        ffn.load_model(ffn.model_bytes(ffn.MultiLayerNet(100, [8], 10)), input_size=784)
    assert wording.model_file_error(e.value.reason, e.value.values) == (
        "This model takes 100 inputs and gives 10 outputs; reading a 28×28 digit into ten classes needs 784 and 10.")
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
    notes = [done.outcome, stopped.outcome, blown.outcome, stalled.advice, slow.advice, deep.advice]
    assert [n[0] for n in notes] == ["finished", "stopped", "diverged", "stalled", "stalled_scaled", "stalled_deep"]
    for n in notes:  # the English catalogue words each note as the CLI does, numbers formatted alike
        page, cli = wording.note(n).replace("The third chart, on “Gradient norm ‖dW‖”, shows why", "Why"), ffn.describe(n)
        assert re.sub(r"[\d,.]+", "#", page).replace("digits", "classes") == re.sub(r"[\d,.]+", "#", cli)
    assert wording.note(stopped.outcome) == "Stopped by you at iteration 7 of 100."
    assert np.isfinite(blown.net.params["W1"]).all()
