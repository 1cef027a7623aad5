"""What a server, a class, a student and a field may hold on the board (:class:`Caps`), and
the error a refused request raises (:class:`BoardError`), whose code the page words."""
from dataclasses import dataclass

from .schema import NAME


@dataclass(frozen=True)
class Caps:
    """What a server, a class and a field may hold."""
    classes: int = 200                 # classes on the server at once
    students: int = 80                 # per class
    runs: int = 400                    # per class
    drawings: int = 4000               # per class
    answers: int = 8000                # per class (a student's answer to a question, counted once)
    model_bytes: int = 8 * 2 ** 20     # one run's model file
    class_model_bytes: int = 256 * 2 ** 20   # every model a class holds
    name: int = NAME                   # characters of a nickname
    per_minute: int = 30               # submissions a student may send in a minute
    settings_chars: int = 2000         # a run's settings, as JSON
    lesson_bytes: int = 64 * 1024      # a teacher's lesson file
    days: float = 7.0                  # a class's life, by default


class BoardError(ValueError):
    """A request the board refuses: ``code`` names why (``unknown_class``, ``wrong_key``,
    ``full``...), ``values`` hold its numbers, for the page to word."""

    def __init__(self, code, message, **values):
        super().__init__(message)
        self.code, self.values = code, values
