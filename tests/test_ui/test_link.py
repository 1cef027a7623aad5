"""Reading and writing a lesson's link: stable identifiers both ways, every field written,
each part that can't be used named, and never an exception (a fuzz of hand-written values)."""

from dataclasses import replace
import random
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from ui.link import LESSON, MAX_NOTE, NO_LESSON, LinkSpec, address, link, parse, query, read_address
from ui.link_values import Choice, Flag, Integer, Steps, read_value

FIELDS = {
    "hidden_size": Choice((8, 16, 32, 64, 128, 256, 512)),
    "activation": Choice(("relu", "sigmoid", "tanh")),
    "learning_rate": Choice((1e-4, 1e-3, 0.01, 0.1, 1.0)),
    "iters": Integer(10, 20000),
    "valid_ratio": Steps(0.0, 0.3, 0.05),
    "augment": Flag(),
    "seed": Integer(0, 2**31 - 1),
}
PRESETS = {
    "a": dict(
        hidden_size=64,
        activation="relu",
        learning_rate=0.1,
        iters=5000,
        valid_ratio=0.1,
        augment=False,
        seed=0,
    ),
    "b": dict(
        hidden_size=256,
        activation="tanh",
        learning_rate=1e-3,
        iters=840,
        valid_ratio=0.1,
        augment=True,
        seed=0,
    ),
}


def caps(values):
    if values["hidden_size"] == 512 and values["iters"] > 10000:
        raise ValueError("too much work")


SPEC = LinkSpec(
    fields=FIELDS,
    presets=PRESETS,
    default_preset="a",
    tabs=("train", "draw", "evaluate"),
    views=("prediction", "inside", "why"),
    languages=("en",),
    hideable=("preset", *FIELDS),
    check=caps,
)


def test_fields_override_their_preset_and_every_part_is_read():
    lesson = parse(
        {
            "preset": "b",
            "hidden_size": "128",
            "learning_rate": "0.01",
            "augment": "0",
            "tab": "draw",
            "view": "why",
            "lang": "en",
            "hide": "activation,seed",
            "note": "Try it",
            "present": "1",
        },
        SPEC,
    )
    assert lesson.preset == "b" and lesson.problems == []
    assert lesson.values == dict(PRESETS["b"], hidden_size=128, learning_rate=0.01, augment=False)
    assert (lesson.tab, lesson.view, lesson.language, lesson.hide, lesson.note, lesson.present) == (
        "draw",
        "why",
        "en",
        ("activation", "seed"),
        "Try it",
        True,
    )
    assert set(lesson.given) == {"hidden_size", "learning_rate", "augment"}


def test_a_link_writes_every_field_as_a_stable_identifier_and_reads_back_the_same():
    lesson = parse({"preset": "b", "learning_rate": "1e-4", "valid_ratio": ".25"}, SPEC)
    q = query(lesson, SPEC)
    assert set(FIELDS) <= set(q) and q["learning_rate"] == "0.0001" and q["valid_ratio"] == "0.25"
    assert q["activation"] == "tanh" and q["augment"] == "1" and "hide" not in q and "present" not in q
    compact = query(lesson, SPEC, compact=True)
    assert compact == {
        "preset": "b",
        "learning_rate": "0.0001",
        "valid_ratio": "0.25",
        "tab": "train",
        "view": "prediction",
    }
    assert parse(compact, SPEC).values == lesson.values  # the same lesson, while the preset stays as it is
    url = link("http://host:8501/app?old=1#x", lesson, SPEC)
    assert url.startswith("http://host:8501/app?preset=b&")
    again = parse({k: v[-1] for k, v in parse_qs(urlsplit(url).query).items()}, SPEC)
    assert again.values == lesson.values and again.problems == []


@pytest.mark.parametrize(
    "name, raw, reason",
    [
        ("hidden_size", "100", "choice"),
        ("hidden_size", "big", "number"),
        ("activation", "ReLU", "choice"),
        ("learning_rate", "0.002", "choice"),
        ("iters", "5", "range"),
        ("iters", "20001", "range"),
        ("iters", "12.5", "number"),
        ("iters", "1e3x", "number"),
        ("valid_ratio", "0.12", "step"),
        ("valid_ratio", "0.35", "range"),
        ("augment", "maybe", "flag"),
        ("seed", "-1", "range"),
        ("seed", "nan", "number"),
        ("seed", "inf", "number"),
        ("seed", "0x10", "number"),
    ],
)
def test_a_bad_value_is_named_with_its_reason_and_the_default_applies(name, raw, reason):
    lesson = parse({"preset": "b", name: raw}, SPEC)
    assert lesson.problems == [(name, raw, reason)]
    assert lesson.values == PRESETS["b"]
    with pytest.raises(ValueError):
        read_value(raw, FIELDS[name])


def test_values_fine_one_by_one_but_over_the_caps_together_only_the_one_over_falls_back():
    lesson = parse({"iters": "20000", "seed": "3", "hidden_size": "512"}, SPEC)
    # in the sidebar's order: H 512 applies, then 20,000 iterations would be over the caps with
    # it and fall back to the preset's; the harmless seed applies as the link asked
    assert lesson.values == {**PRESETS["a"], "hidden_size": 512, "seed": 3}
    assert lesson.problems == [("iters", "20000", "caps:too much work")]
    assert set(lesson.given) == {"hidden_size", "seed"}


def test_a_link_within_the_caps_applies_whole_even_if_one_field_alone_with_the_preset_would_not():
    from dataclasses import replace
    long_runs = replace(SPEC, presets={"a": {**PRESETS["a"], "iters": 20000}})
    # H 512 with the preset's 20,000 iterations is over the caps, with the link's 5,000 it is not
    lesson = parse({"hidden_size": "512", "iters": "5000"}, long_runs)
    assert lesson.values["hidden_size"] == 512 and lesson.values["iters"] == 5000 and not lesson.problems
    # a field that is no use alongside changes nothing for the others
    lesson = parse({"hidden_size": "512", "iters": "5000", "seed": "4", "activation": "purple"}, long_runs)
    assert (lesson.values["hidden_size"], lesson.values["iters"], lesson.values["seed"]) == (512, 5000, 4)
    assert [n for n, _v, _r in lesson.problems] == ["activation"]


def test_the_teachers_parts():
    lesson = parse(
        {"hide": "seed,,optimizer, activation,seed", "note": "x" * 600 + "\x00", "present": "yes"}, SPEC
    )
    assert lesson.hide == ("seed", "activation")
    assert ("hide", "optimizer", "choice") in lesson.problems
    assert len(lesson.note) == MAX_NOTE and lesson.present is True
    assert any(n == "note" and r == "too_long" for n, _v, r in lesson.problems)
    note = parse({"note": "<script>alert(1)</script> **bold**\nline two"}, SPEC).note
    assert note == "<script>alert(1)</script> **bold**\nline two"  # kept as typed: the page shows it as text
    hidden = parse({"note": "pay\u202eyap \u200bzero\u2028sep\ufeff"}, SPEC).note
    assert hidden == "payyap zerosep"  # no invisible character reorders or hides a note's words


def test_a_notes_emoji_keep_their_joiners_and_a_lone_joiner_goes():
    emoji = "👩\u200d🏫 (teacher), 👩🏽\u200d🔬 (scientist), 🏃\u200d♀\ufe0f (runner)"
    assert parse({"note": emoji}, SPEC).note == emoji  # each drawn as one emoji, as the teacher typed
    assert parse({"note": "to\u200dgether \u200d👩 👩\u200d"}, SPEC).note == "together 👩 👩"


def test_several_values_for_one_name_mean_the_last_and_nothing_at_all_is_the_default():
    assert parse({"hidden_size": ["16", "32"]}, SPEC).values["hidden_size"] == 32
    empty = parse({}, SPEC)
    assert (
        empty.values == PRESETS["a"] and empty.tab == "train" and empty.problems == [] and empty.given == ()
    )


# The fuzz: hand-written values for each name, valid and not (not taken from the parser). Spaces
# around a value are forgiven; inside one, or another case, or full-width digits, are not.
VALID = {
    "preset": ["a", "b"],
    "hidden_size": ["8", "64", "512", "128.0"],
    "activation": ["relu", "tanh", "relu "],
    "learning_rate": ["0.1", "1e-3", "0.0001", "1"],
    "iters": ["10", "840", "20000", "1e3"],
    "valid_ratio": ["0", "0.05", "0.3", ".1"],
    "augment": ["1", "0", "true", "off"],
    "seed": ["0", "42", "2147483647"],
    "tab": ["train", "draw", "evaluate", " draw"],
    "view": ["inside", "why"],
    "lang": ["en"],
    "present": ["1", "no"],
    "hide": ["seed", "preset,activation"],
    "note": ["Look at layer 1"],
}
INVALID = {
    "preset": ["c", "", "A", "article"],
    "hidden_size": ["7", "-64", "64px", "1e999", "６４"],
    "activation": ["Relu", "softmax", "<b>", "re lu"],
    "learning_rate": ["0.5", "abc", "--1", "1e-3.5"],
    "iters": ["9", "999999", "1.5", "ten", "1_000"],
    "valid_ratio": ["0.31", "0.07", "-0.05", "nan"],
    "augment": ["2", "yes please", "[]"],
    "seed": ["-5", "2147483648", "3.3", "0b11"],
    "tab": ["Train", "tr ain", "settings"],
    "view": ["Prediction", "x"],
    "lang": ["zz", "EN", "de-DE"],
    "present": ["2", "presenter"],
    "hide": ["optimizer", "seed,<script>"],
    "junk": ["1", "<b>x</b>"],
    "__proto__": ["{}"],
    "hidden_size[]": ["64"],
}


def test_200_links_of_valid_and_invalid_values_never_raise_and_every_invalid_one_is_named():
    rnd = random.Random(15)
    names = sorted(set(VALID) | set(INVALID))
    for _ in range(200):
        q, bad = {}, set()
        for name in rnd.sample(names, rnd.randint(1, 8)):
            if name in INVALID and (name not in VALID or rnd.random() < 0.5):
                q[name] = rnd.choice(INVALID[name])
                bad.add(name)
            else:
                q[name] = rnd.choice(VALID[name])
        url_query = parse_qs(urlencode(q), keep_blank_values=True)  # as a browser's address would carry it
        lesson = parse(url_query, SPEC)
        named = {n for n, _v, _r in lesson.problems}
        assert bad <= named, (q, lesson.problems)
        for n, raw, _r in lesson.problems:
            assert n in q and (raw == q[n] or n == "hide" and raw in q[n])
        assert set(lesson.values) == set(FIELDS)


def test_an_address_holds_the_page_and_the_lesson_it_opened_with_and_nothing_else():
    lesson = parse({"preset": "b", "hidden_size": "128", "note": "Try it"}, SPEC)
    page = parse({"preset": "b", "hidden_size": "32", "colour": "red"}, SPEC)
    assert page.problems == [("colour", "red", "unknown")]
    q = address(page, SPEC, lesson)
    assert "colour" not in q and set(q) <= {
        "preset",
        *FIELDS,
        "tab",
        "view",
        "lang",
        "hide",
        "note",
        "present",
        LESSON,
    }
    now, kept, from_link = read_address(q, SPEC)
    assert (now.values, kept.values, kept.note, from_link) == (page.values, lesson.values, "Try it", True)
    assert now.problems == [] and kept.problems == []
    # a page opened with no link writes its own address, and says so: reloaded, it is no lesson
    # (whose language, for one, its QR code would carry)
    mine = address(replace(page, language="en"), SPEC)
    alone, nothing, opened = read_address(mine, SPEC)
    assert mine[LESSON] == NO_LESSON and alone.values == page.values and alone.language == "en"
    assert opened is False and nothing.language is None and nothing.values == parse({}, SPEC).values
    assert read_address({}, SPEC)[2] is False and read_address({"junk": "1"}, SPEC)[2] is True


def test_a_field_over_the_caps_with_the_preset_applies_once_a_later_field_has_made_room():
    from dataclasses import replace

    def caps(values):  # two rules: a large network runs few iterations; augmenting wants a small rate
        if values["hidden_size"] == 512 and values["iters"] > 10000:
            raise ValueError("too much work")
        if values["augment"] and values["learning_rate"] > 0.5:
            raise ValueError("augmenting wants a smaller rate")
    spec = replace(SPEC, presets={"a": {**PRESETS["a"], "iters": 20000}}, check=caps)
    lesson = parse({"hidden_size": "512", "learning_rate": "1", "iters": "5000", "augment": "1"}, spec)
    # together over the caps (augment with rate 1). In turn: H 512 is over with the preset's
    # 20,000 iterations, rate 1 and 5,000 iterations apply, augment is over with rate 1; once
    # more: H 512 now fits with 5,000 iterations, augment still does not
    v = lesson.values
    assert (v["hidden_size"], v["learning_rate"], v["iters"], v["augment"]) == (512, 1.0, 5000, False)
    assert lesson.problems == [("augment", "1", "caps:augmenting wants a smaller rate")]


def test_a_class_code_goes_through_the_link_and_a_teachers_key_never_does():
    from ui.link_values import Code
    spec = replace(SPEC, classes=Code("ABCDEFGHJKMNPQRSTUVWXYZ23456789", 6))
    lesson = parse({"class": "k7q2mx", "key": "secret-teacher-key", "tab": "draw"}, spec)
    assert lesson.classroom == "K7Q2MX" and lesson.problems == []  # either case; the key is not "unknown"
    written = query(lesson, spec)
    assert written["class"] == "K7Q2MX" and "key" not in written
    assert "secret" not in link("http://h/", lesson, spec)
    assert "key" not in address(lesson, spec) and "secret" not in str(address(lesson, spec, lesson))
    for bad in ("K7Q2M", "K7Q2MXX", "K7Q2M0", "<b>x</b>", "K7Q2M\u202e"):  # 0 is not in the alphabet
        read = parse({"class": bad}, spec)
        assert read.classroom == "" and read.problems == [("class", bad, "code")]
    assert "class" not in query(parse({}, spec), spec)
    no_classes = parse({"class": "K7Q2MX", "key": "k"}, SPEC)  # a page without classes: both unknown
    assert no_classes.classroom == "" and {p[0] for p in no_classes.problems} == {"class", "key"}
