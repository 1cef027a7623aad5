"""What one parameter of a lesson's link may hold (:class:`Choice`, :class:`Integer`,
:class:`Steps`, :class:`Flag`: the page's controls say which, :mod:`ui.fields`; :class:`Code`,
a class's code), and the value read from the link's text and written back. Pure: no Streamlit.
"""
import math
import re
from dataclasses import dataclass

TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


@dataclass(frozen=True)
class Choice:
    """A field that holds one of ``options`` (strings, or numbers compared as numbers)."""
    options: tuple


@dataclass(frozen=True)
class Integer:
    """A whole number in ``[low, high]``."""
    low: int
    high: int


@dataclass(frozen=True)
class Steps:
    """A number in ``[low, high]`` that is a whole number of ``step`` from ``low``."""
    low: float
    high: float
    step: float


@dataclass(frozen=True)
class Flag:
    """On or off: ``1``/``true``/``yes``/``on`` or ``0``/``false``/``no``/``off``."""


@dataclass(frozen=True)
class Code:
    """A short code of ``length`` characters from ``alphabet`` (a class's, read aloud and typed
    from a projector), in either case."""
    alphabet: str
    length: int


class BadValue(ValueError):
    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def read_value(raw, spec):
    """``raw`` (a string from a link) as the value ``spec`` allows, or ``ValueError`` whose
    message is the reason: 'choice', 'number', 'range', 'step', 'flag' or 'code'."""
    text = raw.strip()
    if isinstance(spec, Code):
        text = text.upper()
        if len(text) != spec.length or not set(text) <= set(spec.alphabet):
            raise BadValue("code")
        return text
    if isinstance(spec, Flag):
        if text.lower() in TRUE or text.lower() in FALSE:
            return text.lower() in TRUE
        raise BadValue("flag")
    if isinstance(spec, Choice):
        if not any(isinstance(o, str) for o in spec.options) and _number(text) is None:
            raise BadValue("number")
        for option in spec.options:
            if isinstance(option, str):
                if text == option:
                    return option
            elif _number(text) is not None and math.isclose(_number(text), option,
                                                            rel_tol=1e-9, abs_tol=1e-12):
                return option
        raise BadValue("choice")
    number = _number(text)
    if number is None:
        raise BadValue("number")
    if isinstance(spec, Integer):
        if number != int(number):
            raise BadValue("number")
        if not spec.low <= number <= spec.high:
            raise BadValue("range")
        return int(number)
    if not spec.low - 1e-12 <= number <= spec.high + 1e-12:
        raise BadValue("range")
    k = round((number - spec.low) / spec.step)
    if not math.isclose(spec.low + k * spec.step, number, abs_tol=1e-9):
        raise BadValue("step")
    return round(spec.low + k * spec.step, 10)


def write_value(value, spec):
    """A field's value as a link writes it: ``adam``, ``128``, ``0.001``, ``1``."""
    if isinstance(spec, Flag) or isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float):
        return format(value, "g")
    return str(value)


def _number(text):
    if len(text) > 40 or not re.fullmatch(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?", text):
        return None  # ASCII digits as a person writes them: no 'nan', 'inf', '1_000', hex or '６４'
    value = float(text)
    return value if math.isfinite(value) else None
