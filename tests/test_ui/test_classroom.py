"""A class on the page, its wording: every refusal the board can raise has a message, in each
language, that takes the numbers the refusal carries."""
import re
from pathlib import Path

import pytest

from board.store import BoardError
from tests.support import ROOT
from ui import classroom
from ui.i18n import translator

RAISED = sorted({code for path in sorted(Path(ROOT, "board").glob("*.py"))
                 for code in re.findall(r'BoardError\("([a-z_]+)"', path.read_text())})


def test_the_board_raises_refusals_at_all():
    assert {"class_full", "runs_full", "drawings_full", "answers_full", "too_fast", "wrong_key"} <= {*RAISED}


@pytest.mark.parametrize("code", RAISED)
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_refusal_has_words_that_take_its_numbers(code, lang):
    message = classroom.MESSAGES[code]
    text = translator(lang).gettext(message).format(limit=1234, seconds=7, code="K7Q2MX")
    assert text and "{" not in text
    if "{limit" in message:
        assert "1,234" in text or "1234" in text


def test_a_refusal_is_worded_with_its_own_numbers_and_class():
    said = classroom.worded(BoardError("too_fast", "x", limit=30, seconds=12), code="K7Q2MX")
    assert said == "That is 30 submissions in a minute, the most a student may send. Try again in 12 s."
    said = classroom.worded(BoardError("unknown_class", "x"), code="ZZZZZZ")
    assert said.startswith("There is no class ZZZZZZ on this server")
    assert classroom.worded(classroom.Unavailable("down")).startswith("The class board is unavailable")
