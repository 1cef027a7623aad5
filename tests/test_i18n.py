"""The catalogue: every string the page shows goes through it, and each session has its own."""
import ast
import builtins
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po
from streamlit.testing.v1 import AppTest

import ui.i18n as i18n

ROOT = Path(__file__).resolve().parent.parent
PAGE_FILES = [ROOT / "app.py", *sorted((ROOT / "ui").glob("*.py"))]
# Streamlit calls whose string arguments reach the screen.
ST_ELEMENTS = {
    "title", "header", "subheader", "caption", "markdown", "text", "write", "error", "warning", "info",
    "success", "toast", "exception", "button", "download_button", "checkbox", "toggle", "radio",
    "selectbox", "multiselect", "select_slider", "slider", "number_input", "text_input", "text_area",
    "file_uploader", "metric", "progress", "tabs", "expander", "popover", "spinner", "image",
    "set_page_config", "segmented_control", "pills", "link_button", "form_submit_button", "code",
}
# Keyword arguments that never reach the screen as text.
NOT_SHOWN = {"key", "type", "mime", "file_name", "on_click", "on_change", "language", "icon", "page_icon", "layout",
             "delta_color", "delta_arrow", "label_visibility", "format", "width", "height", "scope",
             "stroke_color", "background_color", "drawing_mode"}


def _has_words(node):
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return any(c.isalpha() for c in node.value)
    if isinstance(node, ast.JoinedStr):
        return any(_has_words(v) for v in node.values if isinstance(v, ast.Constant))
    return False


def _bare_strings(node):
    """String literals with words in ``node`` that no ``_()`` call wraps."""
    if _has_words(node):
        yield node
    elif isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        for elt in node.elts:
            yield from _bare_strings(elt)
    elif isinstance(node, ast.BinOp):
        yield from _bare_strings(node.left)
        yield from _bare_strings(node.right)
    elif isinstance(node, ast.IfExp):
        yield from _bare_strings(node.body)
        yield from _bare_strings(node.orelse)


def untranslated(source, filename="<page>"):
    """(line, text) of every bare string literal passed to a Streamlit element."""
    found = []
    for call in ast.walk(ast.parse(source, filename)):
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                and call.func.attr in ST_ELEMENTS):
            continue
        if isinstance(call.func.value, ast.Name) and call.func.value.id in {"log", "logging"}:
            continue
        args = [*call.args, *(k.value for k in call.keywords if k.arg not in NOT_SHOWN)]
        found += [(n.lineno, ast.unparse(n)) for a in args for n in _bare_strings(a)]
    return found


def test_the_checker_finds_bare_strings():
    src = ('st.button("Start", key="start")\nsb.error(f"bad {x}")\nst.tabs(["Train", _("Draw")])\n'
           'c1.metric(_("Loss"), f"{v:.2%}", help="why" if a else None)\nlog.exception("not shown")\n'
           'st.success(note(x) + " " + _("Wall time"))\n')
    assert [line for line, _text in untranslated(src)] == [1, 2, 3, 4]


@pytest.mark.parametrize("path", PAGE_FILES, ids=lambda p: p.name)
def test_every_string_the_page_shows_goes_through_the_catalogue(path):
    assert untranslated(path.read_text(), str(path)) == []


def catalogue(lang):
    with (i18n.LOCALE_DIR / lang / "LC_MESSAGES" / f"{i18n.DOMAIN}.po").open("rb") as f:
        return {m.id for m in read_po(f) if m.id}


def test_the_english_catalogue_holds_every_string_and_no_stale_one():
    marked = {msg for _file, _line, msg, *_ in extract_from_dir(
        ROOT, method_map=[("app.py", "python"), ("ui/**.py", "python")],
        keywords={"_": None, "N_": None}) if msg}
    in_po = catalogue("en")
    assert marked - in_po == set(), "run pybabel extract and update (see README)"
    assert in_po - marked == set(), "strings no longer in the code"


def test_translations_are_per_session_never_installed_for_the_process(tmp_path, monkeypatch):
    """Two sessions in two languages at once: each sees its own; nothing is global."""
    po = tmp_path / "xx" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr "Content-Type: text/plain; charset=utf-8\\n"\n\n'
                  'msgid "Start"\nmsgstr "Commencer"\n\nmsgid "Draw"\nmsgstr "Dessiner"\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    monkeypatch.setattr(i18n, "LANGUAGES", ("en", "xx"))
    (tmp_path / "en" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "en" / "LC_MESSAGES" / "messages.po").write_text('msgid ""\nmsgstr ""\n', encoding="utf-8")
    i18n.translator.cache_clear()
    try:
        app = str(ROOT / "app.py")
        xx, en = AppTest.from_file(app, default_timeout=60), AppTest.from_file(app, default_timeout=60)
        xx.session_state["lang"] = "xx"
        xx.run()
        en.run()
        assert not xx.exception and not en.exception
        assert xx.button(key="start").label == "Commencer" and en.button(key="start").label == "Start"
        tabs = next(b for b in xx.get("button_group") if b.key == "tab")
        assert tabs.options == ["Train", "Dessiner", "Evaluate"]  # untranslated falls back to English
        assert not hasattr(builtins, "_")
    finally:
        i18n.translator.cache_clear()


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="'klingon'"):
        i18n.translator("klingon")
