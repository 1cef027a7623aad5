"""bench/screenshots.py's table and options, without a browser: every picture the README and
docs/ show has a shot, each shot's link, window and actions are ones the script and the app know."""
import inspect
import re
from dataclasses import fields
from urllib.parse import parse_qs

import pytest

from bench.screenshots import ACTIONS, ROOT, SHOTS, main, parse_args

SHOWN = re.compile(r"assets/screenshot-([\w-]+)\.png")


def shown():
    """The screenshots' names the README and docs/*.md show."""
    files = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    return {name for f in files for name in SHOWN.findall(f.read_text())}


def test_every_screenshot_the_readme_and_docs_show_is_taken():
    names = shown()
    assert {"train", "draw", "confusion", "presenter"} <= names  # the search finds them
    assert names - set(SHOTS) == set()


@pytest.mark.parametrize("name", ["presenter", "presenter-draw"])
def test_presenter_mode_is_taken_at_1080p(name):
    shot = SHOTS[name]
    assert shot.window["viewport"] == {"width": 1920, "height": 960}
    assert parse_qs(shot.link[1:])["present"] == ["1"]


@pytest.mark.parametrize("name", ["phone-draw", "phone-train"])
def test_a_phone_is_390_by_844_with_touch(name):
    window = SHOTS[name].window
    assert window["viewport"] == {"width": 390, "height": 844}
    assert window["is_mobile"] and window["has_touch"]
    assert "draw" not in [verb for verb, *_ in SHOTS[name].actions]  # a finger draws ("touch")


def test_the_chinese_shots_open_the_chinese_page():
    for name in ("chinese", "chinese-train"):
        assert parse_qs(SHOTS[name].link[1:])["lang"] == ["zh"]
        assert SHOTS[name].window.get("locale", "").startswith("zh")
    assert parse_qs(SHOTS["chinese-train"].link[1:])["tab"] == ["train"]


@pytest.mark.parametrize("name", list(SHOTS))
def test_each_link_holds_only_what_a_link_may(name):
    from ffn.presets import PRESETS
    from ffn.settings import TrainSettings
    from ui.layout import TAB_LABELS, VIEWS
    from ui.link import GUIDED, PAGE

    link = SHOTS[name].link
    assert link.startswith("?")
    query = {k: v[0] for k, v in parse_qs(link[1:], strict_parsing=True).items()}
    assert set(query) <= set(PAGE) | set(GUIDED) | {f.name for f in fields(TrainSettings)}
    assert query.get("preset", "fast") in PRESETS
    assert query.get("tab", "train") in TAB_LABELS
    assert query.get("view", "inside") in VIEWS
    assert query.get("lang", "en") in ("en", "zh")


@pytest.mark.parametrize("name", list(SHOTS))
def test_each_action_is_known_and_given_its_arguments(name):
    shot = SHOTS[name]
    for verb, *args in shot.actions:
        assert verb in ACTIONS, verb
        inspect.signature(ACTIONS[verb]).bind("page", *args)  # raises TypeError if they do not fit
    assert shot.crop is None or callable(shot.crop) or shot.crop.startswith((".st-key-", "["))
    assert shot.what and "viewport" in shot.window


def test_only_keeps_the_tables_order_and_refuses_an_unknown_name(capsys):
    args = parse_args(["--only", "mistakes", "train", "--out", "/tmp/x"])
    assert args.only == ["train", "mistakes"] and str(args.out) == "/tmp/x"
    assert parse_args([]).only == list(SHOTS) and parse_args([]).out == ROOT / "assets"
    with pytest.raises(SystemExit):
        parse_args(["--only", "no-such-shot"])
    assert "invalid choice" in capsys.readouterr().err


def test_list_prints_every_name_and_starts_nothing(capsys):
    assert main(["--list"]) == 0
    out = capsys.readouterr().out
    assert [line.split()[0] for line in out.splitlines()] == list(SHOTS)
    assert "390×844" in out and "1920×960" in out
