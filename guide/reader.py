"""The parts of a lesson file, read one table at a time and checked: :class:`Reader` raises
:class:`~guide.model.LessonError` with the file, the step and the field."""
from .checks import CHECKS, Check
from .model import (ACTIONS, LANGUAGES, MAX_TEXT, MODELS, TABS, TARGETS, VIEWS, LessonError, Question,
                    Step, Text, HTML, ID)


class Reader:
    """Reads one file's parts, raising :class:`LessonError` with the file, step and field."""

    def __init__(self, name):
        self.name = name

    def fail(self, message, step=None, where=None):
        raise LessonError(self.name, message, step, where)

    def only(self, table, allowed, step, where):
        unknown = sorted(set(table) - set(allowed))
        if unknown:
            self.fail(f"unknown field(s) {', '.join(map(repr, unknown))}; allowed: {', '.join(allowed)}",
                      step, where or None)

    def text(self, table, key, step, where=None, required=True):
        where = where or key
        value = table.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, dict):
            self.fail("needs an English and a Chinese text: a table with 'en' and 'zh'", step, where)
        self.only(value, LANGUAGES, step, where)
        for lang in LANGUAGES:
            t = value.get(lang)
            if not isinstance(t, str) or not t.strip():
                self.fail(f"the {lang!r} text is missing or empty", step, f"{where}.{lang}")
            if len(t) > MAX_TEXT:
                self.fail(f"{len(t):,} characters; a text may have {MAX_TEXT:,}", step, f"{where}.{lang}")
            if HTML.search(t):
                self.fail("HTML is not allowed in a lesson's text: write Markdown", step, f"{where}.{lang}")
        return Text(value["en"].strip(), value["zh"].strip())

    def ident(self, value, step, where):
        if not isinstance(value, str) or not ID.match(value):
            self.fail(f"an id of lower-case letters, digits, '-' and '_' is needed, got {value!r}",
                      step, where)
        return value

    def choice(self, value, allowed, step, where):
        if value not in allowed:
            self.fail(f"must be one of {', '.join(allowed)}, got {value!r}", step, where)
        return value

    def unique(self, ids, what):
        seen = set()
        for i in ids:
            if i in seen:
                self.fail(f"the {what} {i!r} is used twice")
            seen.add(i)

    def step(self, s, n, read_settings):
        self.only(s, ("id", "text", "settings", "hide", "tab", "view", "action", "look_at", "model",
                      "question", "check"), n, "")
        sid = self.ident(s.get("id"), n, "id")
        settings = s.get("settings", {})
        if not isinstance(settings, dict) or not all(isinstance(v, (str, int, float, bool))
                                                     for v in settings.values()):
            self.fail("a table of settings, each a string, number or true/false", n, "settings")
        settings, hide = {k: _link_value(v) for k, v in settings.items()}, s.get("hide", [])
        if not isinstance(hide, list) or not all(isinstance(h, str) for h in hide):
            self.fail("a list of the controls' names", n, "hide")
        asked = {**settings, **({"hide": ",".join(hide)} if hide else {})}  # as a link would give them
        for problem in (read_settings(asked) if read_settings and asked else []):
            self.fail(problem, n, "hide" if problem.startswith("hide=") else "settings")
        look = s.get("look_at", [])
        look = [look] if isinstance(look, str) else look
        if not isinstance(look, list):
            self.fail(f"one or a list of {', '.join(TARGETS)}", n, "look_at")
        for t in look:
            self.choice(t, TARGETS, n, "look_at")
        action = self.choice(s.get("action", "none"), ACTIONS, n, "action")
        tab = s.get("tab") and self.choice(s["tab"], TABS, n, "tab")
        view = s.get("view") and self.choice(s["view"], VIEWS, n, "view")
        if action == "open_tab" and not tab:
            self.fail("the action 'open_tab' names the tab to open: add tab = ...", n, "action")
        if action == "open_view" and not view:
            self.fail("the action 'open_view' names the view to open: add view = ...", n, "action")
        model = s.get("model") and self.choice(s["model"], MODELS, n, "model")
        question = self.question(s["question"], n) if "question" in s else None
        check = self.check(s["check"], n) if "check" in s else None
        return Step(sid, self.text(s, "text", n), settings, tuple(hide), tab, view, action, tuple(look),
                    model, question, check)

    def question(self, q, n):
        if not isinstance(q, dict):
            self.fail("a table", n, "question")
        self.only(q, ("id", "kind", "prompt", "why", "choices", "answer", "tolerance"), n, "question")
        qid = self.ident(q.get("id"), n, "question.id")
        kind = self.choice(q.get("kind"), ("choice", "number"), n, "question.kind")
        prompt, why = self.text(q, "prompt", n, "question.prompt"), self.text(q, "why", n, "question.why")
        answer = q.get("answer")
        if kind == "number":
            tol = q.get("tolerance", 0.0)
            if not _is_number(answer) or not _is_number(tol) or tol < 0:
                self.fail("a number question needs a number 'answer' and a 'tolerance' of 0 or more",
                          n, "question.answer")
            return Question(qid, kind, prompt, why, answer=float(answer), tolerance=float(tol))
        choices = q.get("choices")
        if not isinstance(choices, list) or not 2 <= len(choices) <= 6:
            self.fail("a choice question needs 2 to 6 choices", n, "question.choices")
        parsed = []
        for i, c in enumerate(choices, 1):
            if not isinstance(c, dict):
                self.fail("each choice is a table with an id, 'en' and 'zh'", n, f"question.choices[{i}]")
            self.only(c, ("id", *LANGUAGES), n, f"question.choices[{i}]")
            cid = self.ident(c.get("id"), n, f"question.choices[{i}].id")
            parsed.append((cid, self.text({"c": {k: c.get(k) for k in LANGUAGES}}, "c", n,
                                          f"question.choices[{i}]")))
        self.unique([c for c, _t in parsed], "choice id")
        if answer not in [c for c, _t in parsed]:
            self.fail(f"the answer must be one of the choices' ids, got {answer!r}", n, "question.answer")
        return Question(qid, kind, prompt, why, tuple(parsed), answer)

    def check(self, c, n):
        if not isinstance(c, dict):
            self.fail("a table with a 'kind'", n, "check")
        kind = self.choice(c.get("kind"), tuple(CHECKS), n, "check.kind")
        needs = CHECKS[kind]
        self.only(c, ("kind", *needs), n, "check")
        values = {}
        for key, (kind_of, allowed) in needs.items():
            v = c.get(key)
            ok = (_is_number(v) if kind_of is float else isinstance(v, kind_of) and not isinstance(v, bool))
            ok = ok and not (kind == "accuracy_above" and key == "value" and not 0 <= v <= 1)  # a share
            if not ok or (allowed is not None and v not in allowed):
                want = f"one of {', '.join(map(str, allowed))}" if allowed else kind_of.__name__
                self.fail(f"needs {key} = {want}, got {v!r}", n, f"check.{key}")
            values[key] = float(v) if kind_of is float else v
        return Check(kind, values)


def _is_number(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v == v and abs(v) != float("inf")


def _link_value(v):
    """A setting as a link writes it: true/false as 1/0, numbers as their text."""
    if isinstance(v, bool):
        return "1" if v else "0"
    return str(v)
