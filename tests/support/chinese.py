"""Checks of Chinese text against locale/zh/GLOSSARY.md: its forbidden terms and its
typography. Each check takes a string (a catalogue's msgstr, or text read off the page)
and returns what it found wrong, as a list of short excerpts: empty when the text is right.

Before the typography checks, :func:`masked` turns what is not prose into a neutral ``0``:
format fields (``{n:,}``, ``{p:.1%}``), Plotly's ``%{y}``, code in backticks, web
addresses and function notation (``F(x)``, ``L(w + h)``). Only those are exempt: a
half-width bracket between one of them and a Chinese word is still found.
"""
import re
from functools import lru_cache
from pathlib import Path

GLOSSARY = Path(__file__).resolve().parents[2] / "locale" / "zh" / "GLOSSARY.md"

# What counts as Chinese on either side of a punctuation mark: ideographs, CJK punctuation
# (。、「」), full-width forms (（），：), and the curly quotes Chinese text uses (“”).
CJK = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef\u201c\u201d\u2018\u2019"
IDEOGRAPH = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
HALF_WIDTH = ",:;()?!"

_FIELD = re.compile(r"%?\{[^{}]*\}")        # str.format's fields, and Plotly's %{...}
_CODE = re.compile(r"`[^`\n]+`")              # Markdown code spans
_URL = re.compile(r"https?://[^\s，。；：）]+")  # an address ends at a space or Chinese punctuation
# Function notation, F(x), L(w + h), exp(-x): a formula's own brackets, innermost first.
_CALL = re.compile(r"(?<![A-Za-z0-9_])[A-Za-z_][A-Za-z0-9_]*\([^()\u3400-\u9fff\uff00-\uffef]*\)")


def has_chinese(text):
    return bool(IDEOGRAPH.search(text))


def masked(text):
    """``text`` with each format field, code span, web address and function notation
    (``F(x)``) replaced by ``0``."""
    for pattern in (_CODE, _URL, _FIELD):
        text = pattern.sub("0", text)
    while _CALL.search(text):
        text = _CALL.sub("0", text)
    return text


def _excerpt(text, start, end, around=6):
    return text[max(0, start - around):end + around]


# -- the glossary ---------------------------------------------------------------------------

def _tables(markdown):
    """Every Markdown table in ``markdown`` as (header cells, rows of cells)."""
    tables, rows = [], []
    for line in markdown.splitlines() + [""]:
        if line.startswith("|"):
            rows.append([c.strip() for c in line.strip().strip("|").split("|")])
        elif rows:
            tables.append((rows[0], [r for r in rows[2:] if len(r) == len(rows[0])]))
            rows = []
    return tables


def _ticked(cell):
    return re.findall(r"`([^`]+)`", cell)


@lru_cache(maxsize=None)
def _glossary(path=GLOSSARY):
    return _tables(Path(path).read_text(encoding="utf-8"))


def forbidden_terms(path=GLOSSARY):
    """``{forbidden term: the glossary's term}`` from the 禁用 column of the glossary's table."""
    found = {}
    for header, rows in _glossary(path):
        if "禁用" in header:
            col, term = header.index("禁用"), header.index("中文")
            for row in rows:
                for word in _ticked(row[col]):
                    found[word] = row[term]
    return found


def required_terms(path=GLOSSARY):
    """``[(English words, Chinese words)]`` of the glossary's 必须出现 table: a msgid with any of
    the English words (whole words, any case) needs all of the Chinese ones in its msgstr."""
    for header, rows in _glossary(path):
        if header == ["English", "中文"]:
            return [(_ticked(r[0]), _ticked(r[1])) for r in rows]
    return []


def forbidden(text, terms=None):
    """The glossary's forbidden terms in ``text``."""
    terms = forbidden_terms() if terms is None else terms
    return [t for t in terms if t in text]


def missing_required(msgid, msgstr, pairs=None):
    """The Chinese terms ``msgstr`` lacks for the English words of ``msgid`` (glossary's 必须出现)."""
    pairs = required_terms() if pairs is None else pairs
    missing = []
    for english, chinese in pairs:
        if any(re.search(rf"\b{re.escape(w)}\b", masked(msgid), re.I) for w in english):  # not {unit}
            missing += [c for c in chinese if c not in msgstr]
    return missing


# -- typography -----------------------------------------------------------------------------

_HALF_NEXT_TO_CJK = re.compile(
    rf"(?<=[{CJK}])[ ]*[{re.escape(HALF_WIDTH)}]|[{re.escape(HALF_WIDTH)}](?=[ ]*[{CJK}])"
)


def half_width_punctuation(text):
    """Half-width , : ; ( ) ? ! touching a Chinese character or full-width mark, or apart from one
    only by spaces (``学习率 (lr)``): Chinese text takes ，：；（）？！ there."""
    t = masked(text)
    return [_excerpt(t, m.start(), m.end()) for m in _HALF_NEXT_TO_CJK.finditer(t)]


_SPACE_PERCENT = re.compile(r"\s+%")
# Numbers joined by hyphens, dashes or a half-width tilde; a run of two is a range (0-9),
# three or more a network's shape (784-512-256-10). 1e-7 has a letter before its hyphen.
_JOINED = re.compile(r"(?<!\w)(?<!\d\.)\d+(?:\.\d+)?(?:[ ]*[-–—~][ ]*\d+(?:\.\d+)?)+(?!\w|\.\d)")
_JOINER = re.compile(r"[-–—~]")


def percent_and_ranges(text):
    """A space before %, and a range written with a hyphen, dash or ~ (Chinese writes 0～9, 20～30%)."""
    t = masked(text)
    found = [_excerpt(t, m.start(), m.end()) for m in _SPACE_PERCENT.finditer(t)]
    found += [m.group() for m in _JOINED.finditer(t) if len(_JOINER.findall(m.group())) == 1]
    return found


_SECONDS = re.compile(r"(?<![A-Za-z])/?s(?![A-Za-z])")


def latin_seconds(text):
    """``s`` or ``/s`` for seconds (``12 s``, ``images/s``, ``（s）``): Chinese writes 秒, 张/秒."""
    t = masked(text)
    return [_excerpt(t, m.start(), m.end()) for m in _SECONDS.finditer(t)]


def markdown_markers(msgid, msgstr):
    """``['**']`` when ``msgstr`` does not keep ``msgid``'s bold markers, pair for pair."""
    return ["**"] if msgid.count("**") != msgstr.count("**") or msgstr.count("**") % 2 else []


def typography(text):
    """Every typography problem of ``text``, as ``[(check, excerpt)]``."""
    checks = (half_width_punctuation, percent_and_ranges, latin_seconds)
    return [(check.__name__, found) for check in checks for found in check(text)]


def problems(text, terms=None):
    """Forbidden terms and typography problems of ``text`` (page text or a msgstr)."""
    return [("forbidden", t) for t in forbidden(text, terms)] + typography(text)
