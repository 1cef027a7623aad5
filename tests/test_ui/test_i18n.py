"""The catalogue: every string the page shows goes through it, and each session has its own."""

import ast
import builtins

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from streamlit.testing.v1 import AppTest

import ui.i18n as i18n
from tests.support import ROOT

PAGE_FILES = [ROOT / "app.py", *sorted((ROOT / "ui").glob("*.py"))]
# Streamlit calls whose string arguments reach the screen.
ST_ELEMENTS = {
    "title",
    "header",
    "subheader",
    "caption",
    "markdown",
    "text",
    "write",
    "error",
    "warning",
    "info",
    "success",
    "toast",
    "exception",
    "button",
    "download_button",
    "checkbox",
    "toggle",
    "radio",
    "selectbox",
    "multiselect",
    "select_slider",
    "slider",
    "number_input",
    "text_input",
    "text_area",
    "file_uploader",
    "metric",
    "progress",
    "tabs",
    "expander",
    "popover",
    "spinner",
    "image",
    "set_page_config",
    "segmented_control",
    "pills",
    "link_button",
    "form_submit_button",
    "code",
}
# Keyword arguments that never reach the screen as text.
NOT_SHOWN = {
    "key",
    "type",
    "mime",
    "file_name",
    "on_click",
    "on_change",
    "language",
    "icon",
    "page_icon",
    "layout",
    "delta_color",
    "delta_arrow",
    "label_visibility",
    "format",
    "output_format",
    "width",
    "height",
    "scope",
    "stroke_color",
    "background_color",
    "drawing_mode",
}


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
        if not (
            isinstance(call, ast.Call)
            and isinstance(call.func, ast.Attribute)
            and call.func.attr in ST_ELEMENTS
        ):
            continue
        if isinstance(call.func.value, ast.Name) and call.func.value.id in {"log", "logging"}:
            continue
        args = [*call.args, *(k.value for k in call.keywords if k.arg not in NOT_SHOWN)]
        found += [(n.lineno, ast.unparse(n)) for a in args for n in _bare_strings(a)]
    return found


def test_the_checker_finds_bare_strings():
    src = (
        'st.button("Start", key="start")\nsb.error(f"bad {x}")\nst.tabs(["Train", _("Draw")])\n'
        'c1.metric(_("Loss"), f"{v:.2%}", help="why" if a else None)\nlog.exception("not shown")\n'
        'st.success(note(x) + " " + _("Wall time"))\n'
    )
    assert [line for line, _text in untranslated(src)] == [1, 2, 3, 4]


@pytest.mark.parametrize("path", PAGE_FILES, ids=lambda p: p.name)
def test_every_string_the_page_shows_goes_through_the_catalogue(path):
    assert untranslated(path.read_text(), str(path)) == []


def catalogue(lang):
    with (i18n.LOCALE_DIR / lang / "LC_MESSAGES" / f"{i18n.DOMAIN}.po").open("rb") as f:
        return {m.id for m in read_po(f) if m.id}


def test_the_english_catalogue_holds_every_string_and_no_stale_one():
    with (ROOT / "babel.cfg").open() as f:
        method_map, options_map = parse_mapping_cfg(f)  # the page's files, and ffn/notes.py's sentences
    marked = {
        msg
        for _file, _line, msg, *_ in extract_from_dir(
            ROOT, method_map=method_map, options_map=options_map, keywords={"_": None, "N_": None}
        )
        if msg
    }
    in_po = catalogue("en")
    assert marked - in_po == set(), "run pybabel extract and update (see README)"
    assert in_po - marked == set(), "strings no longer in the code"


def test_translations_are_per_session_never_installed_for_the_process(tmp_path, monkeypatch):
    """Two sessions in two languages at once: each sees its own; nothing is global."""
    po = tmp_path / "xx" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=utf-8\\n"\n\n'
        'msgid "Start"\nmsgstr "Commencer"\n\nmsgid "Draw"\nmsgstr "Dessiner"\n',
        encoding="utf-8",
    )
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    monkeypatch.setattr(i18n, "LANGUAGES", ("en", "xx"))
    (tmp_path / "en" / "LC_MESSAGES").mkdir(parents=True)
    (tmp_path / "en" / "LC_MESSAGES" / "messages.po").write_text('msgid ""\nmsgstr ""\n', encoding="utf-8")
    i18n.translator.cache_clear()
    try:
        app = str(ROOT / "app.py")
        xx, en = AppTest.from_file(app, default_timeout=60), AppTest.from_file(app, default_timeout=60)
        xx.query_params["lang"] = "xx"
        xx.run()
        en.run()
        assert not xx.exception and not en.exception
        assert xx.button(key="start").label == "Commencer" and en.button(key="start").label == "Start"
        tabs = next(b for b in xx.get("button_group") if b.key == "tab")
        assert tabs.options == ["Train", "Dessiner", "Evaluate", "Class"]  # untranslated: in English
        assert not hasattr(builtins, "_")
    finally:
        i18n.translator.cache_clear()


def test_an_unknown_language_is_refused():
    with pytest.raises(ValueError, match="'klingon'"):
        i18n.translator("klingon")


# Chinese identical to its English source only for names and units, which stay as they are.
SAME_IN_CHINESE = {
    "ffn-digits",
    "softmax",
    "Softmax",
    "{seconds:.1f} s",
    "z = Σ wᵢ·xᵢ + b = {sum:.3f} + ({b:.3f}) = {z:.3f}",
    "SGD",
    "Adam",
    "Momentum",
    "Nesterov",
    "AdaGrad",
    "RMSprop",
    "ReLU",
    "Sigmoid",
    "Tanh",
    "He",
    "Xavier",
    "H",
    "✓",
    "Up ▲",
    "Down ▼",
}


def zh_catalogue():
    with (i18n.LOCALE_DIR / "zh" / "LC_MESSAGES" / f"{i18n.DOMAIN}.po").open("rb") as f:
        return {m.id: m.string for m in read_po(f) if m.id}


def test_the_chinese_catalogue_translates_every_message():
    import re

    field = re.compile(r"\{[^{}]*\}")
    zh, en = zh_catalogue(), catalogue("en")
    assert set(zh) == en, "run pybabel update, then translate the new messages (locale/zh/GLOSSARY.md)"
    assert [m for m, s in zh.items() if not s.strip()] == []
    same = {m for m, s in zh.items() if s == m}
    assert same <= SAME_IN_CHINESE, same - SAME_IN_CHINESE
    words = [
        m
        for m in zh
        if any(c.isalpha() and c.isascii() for c in field.sub("", m)) and m not in SAME_IN_CHINESE
    ]
    assert [m for m in words if not any("\u4e00" <= c <= "\u9fff" for c in zh[m])] == []  # words, in Chinese


def test_every_placeholder_is_in_both_languages():
    import re

    field = re.compile(r"\{[^{}]*\}")
    mismatched = {
        m: s for m, s in zh_catalogue().items() if sorted(field.findall(m)) != sorted(field.findall(s))
    }
    assert mismatched == {}


def test_the_glossary_fixes_the_articles_terms_and_the_catalogue_uses_them():
    glossary = (i18n.LOCALE_DIR / "zh" / "GLOSSARY.md").read_text(encoding="utf-8")
    terms = [
        "前馈神经网络",
        "反向传播",
        "学习率",
        "批大小",
        "权重初始化",
        "激活函数",
        "隐藏层",
        "准确率",
        "损失",
        "梯度",
        "数值梯度",
        "过拟合",
    ]
    assert [t for t in terms if t not in glossary] == []
    text = "".join(zh_catalogue().values())
    assert [t for t in terms if t != "过拟合" and t not in text] == []  # the page uses the article's words


@pytest.mark.parametrize(
    "locale, lang",
    [
        ("zh-CN", "zh"),
        ("zh-SG", "zh"),
        ("zh", "zh"),
        ("zh-TW", "zh"),
        ("zh-HK", "zh"),
        ("zh_Hans_CN", "zh"),
        ("en-US", "en"),
        ("de-DE", "en"),
        ("ja-JP", "en"),
        ("", "en"),
        (None, "en"),
    ],
)
def test_the_language_follows_the_browsers_locale(locale, lang):
    assert i18n.negotiate(locale) == lang


def browser(locale, query=None):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=60)
    at.context["locale"] = locale
    at.query_params.update(query or {})
    at.run()
    assert not at.exception
    return at


def test_a_chinese_browser_gets_chinese_and_a_link_saying_english_gets_english():
    zh = browser("zh-CN")
    assert zh.session_state["lang"] == "zh" and zh.button(key="start").label == "开始"
    assert zh.selectbox(key="optimizer").label == "优化器" and zh.sidebar.header[0].value == "超参数"
    en = browser("zh-CN", {"lang": "en"})
    assert en.session_state["lang"] == "en" and en.button(key="start").label == "Start"
    assert browser("fr-FR").button(key="start").label == "Start"


def test_switching_the_language_mid_run_keeps_the_run_the_tab_and_the_settings():
    at = browser("en-GB", {"hidden_size": "512", "batch_size": "1024", "iters": "1400", "activation": "tanh"})
    at.button(key="start").click().run()
    run = at.session_state["run"]
    at.session_state["tab"] = "draw"
    at.run()
    at.selectbox(key="lang").set_value("zh").run()
    assert not at.exception and at.session_state["run"] is run and run.active
    assert next(b for b in at.get("button_group") if b.key == "tab").value == "draw"
    assert (at.select_slider(key="hidden_size").value, at.selectbox(key="activation").value) == (512, "tanh")
    assert at.button(key="stop").label == "停止"
    at.selectbox(key="lang").set_value("en").run()
    assert at.session_state["run"] is run and at.button(key="stop").label == "Stop"
    at.button(key="stop").click().run()
