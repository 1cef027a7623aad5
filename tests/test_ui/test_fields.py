"""The table of the page's settings: every setting in it flows to the sidebar, the session,
a link, the comparison's names and the hide list; and runs named by what they changed."""

import dataclasses

import ffn
from ffn.presets import PRESETS
from ffn.settings import CHOICES
from ui import fields, lesson_panel, state
from ui.fields import FIELD_NAMES, FIELDS, run_labels
from ui.kept import KeptRun


def test_every_setting_of_the_table_is_a_field_of_the_settings_and_has_every_name():
    names = [f.name for f in dataclasses.fields(ffn.TrainSettings)]
    assert set(state.SETTING_KEYS) <= set(names) and len(set(state.SETTING_KEYS)) == len(FIELDS)
    assert set(FIELD_NAMES) == set(names)  # a comparison can name any setting, the CLI's only ones too
    assert state.SETTING_KEYS == tuple(f.name for f in FIELDS)  # the sidebar's order
    assert set(fields.PRESET_LABELS) == set(PRESETS)
    assert {c for choices in CHOICES.values() for c in choices} <= set(fields.CHOICE_LABELS)
    assert all(
        isinstance(f.widget, (fields.Stops, fields.Number, fields.Slider, fields.Check)) or f.name in CHOICES
        for f in FIELDS
    )


def test_a_link_holds_each_row_as_its_control_offers_it():
    spec = lesson_panel._spec(("en",))
    assert list(spec.fields) == list(state.SETTING_KEYS) and spec.hideable == fields.HIDEABLE
    assert spec.fields["hidden_size"].options == (8, 16, 32, 64, 128, 256, 512)
    assert spec.fields["optimizer"].options == CHOICES["optimizer"]
    assert (spec.fields["iters"].low, spec.fields["iters"].high) == (10, 20000)
    for name, values in spec.presets.items():  # every preset's values are ones the controls offer
        for field in FIELDS:
            allowed = field.allowed()
            assert not hasattr(allowed, "options") or values[field.name] in allowed.options, (
                name,
                field.name,
            )


def kept(number, **changes):
    return KeptRun(number, ffn.TrainSettings(**changes), {}, {}, ("finished", {}), 1.0, None, None)


def test_labels_name_exactly_the_settings_that_differ():
    labels, names = run_labels([kept(1), kept(2, activation="sigmoid")])
    assert labels == {1: "activation = ReLU", 2: "activation = Sigmoid"} and names == ["activation"]
    labels, _ = run_labels([kept(1), kept(2, weight_init="he", learning_rate=0.1)])
    assert labels == {
        1: "weight init = std 0.01, learning rate = 0.01",
        2: "weight init = He, learning rate = 0.1",
    }
    labels, _ = run_labels([kept(1, augment=True), kept(2)])
    assert labels == {1: "augment = on", 2: "augment = off"}
    assert run_labels([kept(3), kept(4)])[0] == {3: "run 3", 4: "run 4"}  # the same settings twice
    labels, _ = run_labels([kept(1), kept(2), kept(3, seed=1)])
    assert labels == {1: "run 1 (seed = 0)", 2: "run 2 (seed = 0)", 3: "run 3 (seed = 1)"}
    labels, _ = run_labels(
        [kept(1), kept(2, hidden_size_list=(32, 16), epochs=2.0)]
    )  # the CLI's own settings
    assert labels == {1: "hidden layers = from H, epochs = 0", 2: "hidden layers = 32-16, epochs = 2"}
