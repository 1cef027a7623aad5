"""Every technical word has a plain meaning on the page, in both languages."""
from ui.fields import FIELDS
from ui.i18n import translator
from ui.terms import TERMS


def test_every_setting_has_a_tip_and_the_words_are_explained_in_both_languages():
    assert [f.name for f in FIELDS if not f.help] == []
    zh = translator("zh")
    for term, meaning in TERMS:
        assert zh.gettext(term) != term or term == "Softmax"
        assert zh.gettext(meaning) != meaning
    terms = {t for t, _m in TERMS}
    assert {"Epoch", "Batch", "Learning rate", "Loss", "Softmax", "Gradient", "Overfitting"} <= terms
    assert zh.gettext("Iteration") == "迭代"  # the word, not the sidebar's count (迭代次数)


def test_the_words_open_from_the_train_tab(at):
    popovers = [str(p.proto) for p in at.get("popover")]
    assert any("? Words" in p for p in popovers)
    words = [m.value for m in at.markdown if "**Overfitting**" in m.value]
    assert words and "training accuracy far above validation accuracy" in words[0]
