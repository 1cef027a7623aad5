"""A guided lesson as the page reads it: its parts (:class:`Lesson`, :class:`Step`,
:class:`Question`, :class:`Text`), the fixed lists a file names its actions, targets, tabs
and views from, and the caps of a file (:mod:`guide.lesson` reads one)."""
import re
from dataclasses import dataclass, field

from .checks import Check

LANGUAGES = ("en", "zh")
LEVELS = ("beginner", "advanced")
ACTIONS = ("none", "start", "step", "draw", "open_tab", "open_view")
TABS = ("train", "draw", "evaluate")
VIEWS = ("prediction", "inside", "why", "network")
TARGETS = ("settings", "progress", "loss_chart", "accuracy_chart", "health_chart", "tiles", "results",
           "step_figures", "gradcheck", "canvas", "probabilities", "inside", "why", "confusion", "network",
           "step_backward")
MODELS = ("bundled", "trained")
MAX_BYTES = 64 * 1024     # a lesson file
MAX_STEPS = 30
MAX_TEXT = 4000           # characters of one text
ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
HTML = re.compile(r"<\s*[/!?a-zA-Z]")  # a tag, a comment or a declaration: Markdown without HTML


class LessonError(ValueError):
    """A lesson file that can't be used: ``str()`` names the file, the step and the field."""

    def __init__(self, file, message, step=None, where=None):
        place = " · ".join(p for p in (file, None if step is None else f"step {step}", where) if p)
        super().__init__(f"{place}: {message}")
        self.file, self.step, self.where, self.detail = file, step, where, message


@dataclass(frozen=True)
class Text:
    en: str
    zh: str

    def __call__(self, lang):
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True)
class Question:
    id: str
    kind: str                  # 'choice' or 'number'
    prompt: Text
    why: Text                  # the sentence on why, shown with the answer
    choices: tuple = ()        # ((id, Text), ...) for a choice
    answer: object = None      # a choice's id, or a number
    tolerance: float = 0.0     # for a number: an answer within this of ``answer`` is right

    def is_right(self, given):
        if given is None:
            return False
        if self.kind == "number":
            return abs(float(given) - self.answer) <= self.tolerance
        return given == self.answer


@dataclass(frozen=True)
class Step:
    id: str
    text: Text
    settings: dict = field(default_factory=dict)   # link parameter -> value, as a link writes it
    hide: tuple = ()
    tab: str = None
    view: str = None
    action: str = "none"
    look_at: tuple = ()
    model: str = None
    question: Question = None
    check: Check = None


@dataclass(frozen=True)
class Lesson:
    id: str                    # the file's name without .toml
    title: Text
    summary: Text
    steps: tuple
    level: str = None
    order: int = 100

    def step_index(self, step_id):
        return next((i for i, s in enumerate(self.steps) if s.id == step_id), None)
