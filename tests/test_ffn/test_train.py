"""The command line, ``python -m ffn.train``."""
import ffn
from ffn.train import main, parse_args, settings_from_args
from tests.support import ROOT


def test_defaults_are_the_articles():
    s = settings_from_args(parse_args([]))
    assert s == ffn.TrainSettings()
    s = settings_from_args(parse_args(["--preset", "fast", "--seed", "3", "--augment"]))
    assert s.optimizer == "adam" and s.seed == 3 and s.augment
    s = settings_from_args(parse_args(["--hidden-size-list", "32", "16", "8"]))
    assert s.hidden_sizes() == [32, 16, 8]


def test_a_short_run_writes_a_model(tmp_path, capsys):
    out = tmp_path / "m.npz"
    code = main(["--preset", "article_he", "--iters", "200", "--train-size", "3000",
                 "--quiet", "--out", str(out)])
    assert code == 0
    text = capsys.readouterr().out
    assert "Finished 200 iterations" in text and "test 0." in text
    m = ffn.load_model(out)
    assert m.meta["command"].startswith("python -m ffn.train --preset article_he")
    assert m.meta["settings"]["iters"] == 200


def test_bad_settings_exit_with_a_message(capsys):
    assert main(["--learning-rate", "-1", "--quiet"]) == 2
    assert "learning rate" in capsys.readouterr().err


def test_a_diverging_run_exits_non_zero(capsys):
    assert main(["--learning-rate", "1000", "--iters", "300", "--quiet", "--train-size", "2000"]) == 1
    assert "lower the learning rate" in capsys.readouterr().out.lower()


def test_the_package_installs_the_cli_as_ffn_train():
    import tomllib

    from ffn import train
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert meta["project"]["scripts"] == {"ffn-train": "ffn.train:main"} and callable(train.main)
    assert meta["tool"]["setuptools"]["packages"] == ["ffn"]
    assert meta["project"]["dependencies"] == ["numpy>=2.0"]  # the library needs nothing else
