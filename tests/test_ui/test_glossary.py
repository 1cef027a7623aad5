"""The Chinese catalogue in the article's terms and in Chinese typography: every msgstr of
locale/zh against locale/zh/GLOSSARY.md, through the checks of tests/support/chinese.py."""
import pytest
from babel.messages.pofile import read_po

from ffn import notes
from tests.support import chinese
from tests.support.chinese import (
    forbidden,
    forbidden_terms,
    half_width_punctuation,
    latin_seconds,
    markdown_markers,
    missing_required,
    percent_and_ranges,
    problems,
    required_terms,
)

PO = chinese.GLOSSARY.parent / "LC_MESSAGES" / "messages.po"


def zh():
    with PO.open("rb") as f:
        return {m.id: m.string for m in read_po(f) if m.id}


def wrong(check):
    """``{msgid: what check found in its msgstr}``, for the msgstrs where it found something."""
    found = {m: check(s) for m, s in zh().items()}
    return {m: f for m, f in found.items() if f}


# -- the glossary as the tests read it --------------------------------------------------------

def test_the_glossary_lists_the_forbidden_terms_and_what_replaces_them():
    terms = forbidden_terms()
    assert {"单元", "检验", "手写图", "会话", "留言", "QR 码", "照搬", "小图", "隐藏层大小"} \
        <= set(terms)
    assert terms["单元"] == "神经元" and terms["检验"].startswith("梯度校验")
    assert all(terms.values())  # each names its replacement


def test_the_glossary_lists_the_terms_an_english_word_requires():
    pairs = dict((tuple(e), tuple(c)) for e, c in required_terms())
    assert pairs[("Affine",)] == ("仿射",) and pairs[("unit", "units")] == ("神经元",)


# -- the catalogue --------------------------------------------------------------------------

def test_no_translation_uses_a_forbidden_term():
    assert wrong(forbidden) == {}


def test_each_english_term_has_the_articles_chinese():
    assert {m: f for m, s in zh().items() if (f := missing_required(m, s))} == {}


def test_the_stall_notes_name_the_vanishing_gradient():
    shrinking = {s for ss in notes.NOTES.values() for s in ss if "gradient on its way back" in s}
    assert len(shrinking) == 2
    assert [m for m in shrinking if "梯度消失" not in zh()[m]] == []


def test_units_stuck_off_include_the_saturated_ones():
    assert "饱和" in zh()["Units stuck off or saturated"]


def test_chinese_punctuation_is_full_width():
    assert wrong(half_width_punctuation) == {}


def test_no_space_before_percent_and_ranges_with_a_wave_dash():
    assert wrong(percent_and_ranges) == {}


def test_seconds_are_written_in_chinese():
    assert wrong(latin_seconds) == {}


def test_bold_markers_are_kept():
    assert {m: s for m, s in zh().items() if markdown_markers(m, s)} == {}


# -- each check can fail --------------------------------------------------------------------

@pytest.mark.parametrize("check, text", [
    (forbidden, "打叉的是这张手写图没有激活的单元"),
    (forbidden, "本次会话训练的模型"),
    (forbidden, "显示本页的 QR 码"),
    (forbidden, "用数值梯度检验反向传播"),
    (half_width_punctuation, "更新前: {before:.4f}"),
    (half_width_punctuation, "学习率 (lr)"),
    (half_width_punctuation, "隐藏层 {i}（{n} 个神经元） (BatchNorm)"),
    (half_width_punctuation, "激活值,权重"),
    (half_width_punctuation, "是否一致?"),
    (half_width_punctuation, "中心差分 (L(w + h) − L(w − h)) / 2h"),
    (half_width_punctuation, "“开始”, 然后"),
    (half_width_punctuation, "像素 (%{y}, %{x})"),
    (half_width_punctuation, "由本应用或 `python -m ffn.train`(.npz)保存"),
    (percent_and_ranges, "准确率会停滞在 20-30 % 左右"),
    (percent_and_ranges, "约 95 %。"),
    (percent_and_ranges, "写一个数字（0-9）"),
    (percent_and_ranges, "写一个数字（0–9）"),
    (percent_and_ranges, "在 0~1 之间"),
    (percent_and_ranges, "（{lo}-{hi}）"),
    (latin_seconds, "预计约 {seconds:.0f} s 后自动开始"),
    (latin_seconds, "{rate:,.0f} 张图像/s"),
    (latin_seconds, "训练时间（s）"),
    (latin_seconds, "{seconds:.1f}s"),
])
def test_each_check_finds_a_bad_string(check, text):
    assert check(text)


@pytest.mark.parametrize("text", [
    "用鼠标或手指**写一个数字（0～9）**，在方框里尽量写大。",
    "准确率会停滞在 20～30% 左右",
    "像素（%{y}, %{x}）：%{z:+.4f}",
    "z = Σ wᵢ·xᵢ + b = {sum:.3f} + ({b:.3f}) = {z:.3f}",
    "使用你自己的模型（由本应用或 `python -m ffn.train --out` 保存的 .npz）",
    "与中心差分 [L(w + h) − L(w − h)] / 2h 相比较",
    "已完成 {iterations:,} 次迭代（{epochs:.1f} 轮）。",
    "{name}（MNIST 测试准确率 {accuracy:.1%}）",
    "相对误差小于 1e-7，预训练模型 784-512-256-10",
    "打开 https://example.org/a?b=1&c=(2)，再扫码",
    "Softmax 概率，ReLU/Sigmoid/Tanh，{seconds:.1f} 秒，{rate:,.0f} 张/秒",
])
def test_the_checks_pass_good_chinese(text):
    assert problems(text) == []


def test_a_bold_marker_lost_is_found():
    assert markdown_markers("**Draw a digit** now", "写一个数字") == ["**"]
    assert markdown_markers("**Draw a digit** now", "**写一个数字**") == []


def test_a_missing_article_term_is_found():
    units = "Each hidden layer may have at most {limit} units."
    assert missing_required(units, "每个隐藏层最多 {limit} 个单元。") == ["神经元"]
    assert missing_required("Affine, ReLU layers", "由 Affine、ReLU 层构成") == ["仿射"]
    assert missing_required("Community", "社区") == []  # whole words only
