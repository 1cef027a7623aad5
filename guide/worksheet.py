"""A lesson's printable worksheet (学案): made from its file, so the two never disagree.

One HTML page that prints on A4: the lesson's steps, each question with room for the
student's prediction and for what they saw, and, on a page of its own, the answers with
the sentence on why, for the teacher. Lesson text is Markdown without HTML
(:mod:`guide.lesson`); here it is rendered with raw HTML turned off, and every other text
is escaped.

    python -m guide.worksheet [--out docs/worksheets]   # every lesson, in English and Chinese
"""
import argparse
import html
from pathlib import Path

from markdown_it import MarkdownIt

from .lesson import LANGUAGES, Text, load_folder

_MD = MarkdownIt("commonmark", {"html": False})
ROOT = Path(__file__).resolve().parent.parent

WORDS = {
    "sheet": Text("Worksheet", "学案"), "name": Text("Name", "姓名"), "date": Text("Date", "日期"),
    "step": Text("Step {n}", "第 {n} 步"), "predict": Text("Predict first", "先预测"),
    "my_answer": Text("My prediction:", "我的预测："), "saw": Text("What I saw:", "我看到的："),
    "look": Text("Look at: {what}", "看：{what}"),
    "answers": Text("Answers, for the teacher", "答案（教师用）"),
    "tolerance": Text("(within {t:g})", "（误差在 {t:g} 以内）"),
    "open": Text("Open it in the app: {link}", "在应用中打开：{link}"),
}
TARGETS = {
    "settings": Text("the settings in the sidebar", "侧边栏里的设置"),
    "progress": Text("the progress bar", "进度条"),
    "loss_chart": Text("the loss chart", "损失图"), "accuracy_chart": Text("the accuracy chart", "准确率图"),
    "health_chart": Text("the third chart (the gradients)", "第三张图（梯度）"),
    "tiles": Text("the first layer's weights", "第一层的权重图"), "results": Text("the results", "训练结果"),
    "step_figures": Text("the figures of one step", "单步的图"),
    "gradcheck": Text("the gradient check", "梯度校验"), "canvas": Text("the canvas", "画布"),
    "probabilities": Text("the probabilities", "概率图"),
    "inside": Text("the view Inside the network", "网络内部视图"),
    "why": Text("the view Why this digit?", "“为什么是这个数字？”视图"),
    "confusion": Text("the confusion matrix", "混淆矩阵"),
}
CSS = """@page { size: A4; margin: 18mm 16mm; }
body { font-family: "Noto Sans", "Noto Sans CJK SC", "PingFang SC", "Microsoft YaHei", sans-serif;
       font-size: 11pt; line-height: 1.5; color: #000; max-width: 178mm; margin: auto; }
h1 { font-size: 18pt; margin-bottom: 2mm; } h2 { font-size: 13pt; margin: 6mm 0 2mm; }
.meta { display: flex; gap: 30mm; margin: 2mm 0 4mm; } .step { break-inside: avoid; }
.q { border: 1px solid #888; border-radius: 2mm; padding: 2mm 4mm; margin: 2mm 0; }
.line { border-bottom: 1px solid #888; height: 8mm; } .look { font-style: italic; }
.answers { break-before: page; } ul.choices { list-style: none; padding-left: 2mm; }
code { font-family: "Noto Sans Mono", monospace; }"""


def worksheet(lesson, lang, link=None, answers=True, css=None):
    """The worksheet of ``lesson`` in ``lang`` ('en' or 'zh') as one HTML page; ``link``, the
    lesson's address in the app, is printed under the title when given; ``answers``: with
    the teacher's page of answers (the students' copy has none); ``css``: the address of the
    style sheet the pages of a folder share (default: the page carries its own)."""
    w = {k: t(lang) for k, t in WORDS.items()}
    esc = html.escape
    style = f'<link rel="stylesheet" href="{esc(css)}">' if css else f"<style>{CSS}</style>"
    out = [f'<!doctype html><html lang="{"zh-CN" if lang == "zh" else "en"}"><head><meta charset="utf-8">',
           f"<title>{esc(lesson.title(lang))} · {esc(w['sheet'])}</title>{style}</head><body>",
           f"<h1>{esc(lesson.title(lang))}</h1>",
           f'<div class="meta"><span>{esc(w["name"])}: ______________</span>'
           f'<span>{esc(w["date"])}: __________</span></div>',
           _MD.render(lesson.summary(lang))]
    if link:
        out.append(f"<p>{esc(w['open'].format(link=link))}</p>")
    for n, step in enumerate(lesson.steps, 1):
        out.append(f'<div class="step"><h2>{esc(w["step"].format(n=n))}</h2>{_MD.render(step.text(lang))}')
        if step.look_at:
            what = ("、" if lang == "zh" else ", ").join(TARGETS[t](lang) for t in step.look_at)
            out.append(f'<p class="look">{esc(w["look"].format(what=what))}</p>')
        q = step.question
        if q is not None:
            out.append(f'<div class="q"><p><strong>{esc(w["predict"])}:</strong> {esc(q.prompt(lang))}</p>')
            if q.kind == "choice":
                items = "".join(f"<li>☐ {esc(t(lang))}</li>" for _c, t in q.choices)
                out.append(f'<ul class="choices">{items}</ul>')
            out.append(f'<p>{esc(w["my_answer"])}</p><div class="line"></div>'
                       f'<p>{esc(w["saw"])}</p><div class="line"></div><div class="line"></div></div>')
        out.append("</div>")
    if not answers:
        return "\n".join([*out, "</body></html>"])
    out.append(f'<div class="answers"><h2>{esc(w["answers"])}</h2><ol>')
    for step in lesson.steps:
        q = step.question
        if q is None:
            continue
        answer = dict(q.choices)[q.answer](lang) if q.kind == "choice" else f"{q.answer:g}"
        if q.kind == "number" and q.tolerance:
            answer += " " + w["tolerance"].format(t=q.tolerance)
        out.append(f"<li><p>{esc(q.prompt(lang))} <strong>{esc(answer)}</strong></p>"
                   f"{_MD.render(q.why(lang))}</li>")
    out.append("</ol></div></body></html>")
    return "\n".join(out)


def write_all(folder, out):
    """Every lesson of ``folder``'s worksheet in each language, as ``out/<id>.<lang>.html``,
    sharing ``out/worksheet.css``."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "worksheet.css").write_text(CSS + "\n", encoding="utf-8")  # one style for every page
    lessons, errors = load_folder(folder)
    for lesson in lessons:
        for lang in LANGUAGES:
            page = worksheet(lesson, lang, css="worksheet.css")
            (out / f"{lesson.id}.{lang}.html").write_text(page, encoding="utf-8")
    return lessons, errors


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--lessons", type=Path, default=ROOT / "lessons")
    ap.add_argument("--out", type=Path, default=ROOT / "docs" / "worksheets")
    args = ap.parse_args()
    lessons, errors = write_all(args.lessons, args.out)
    for e in errors:
        print(f"left out: {e}")
    print(f"{len(lessons)} lessons x {len(LANGUAGES)} languages written to {args.out}")


if __name__ == "__main__":
    main()
