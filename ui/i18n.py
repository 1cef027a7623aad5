"""Every string the page shows, through one gettext catalogue, with a translator per session.

The catalogues are the ``.po`` files under ``locale/<lang>/LC_MESSAGES/messages.po``;
Babel compiles each once per process into a read-only ``GNUTranslations`` that all
sessions share. Each session reads its own language from its session state: nothing is
installed process-wide (``gettext.install`` would give every student one student's
language).

Mark a string with ``_("...")`` where it is shown, or with ``N_("...")`` where it is
defined and translated later (a table of labels). Formatting comes after translation:
``_("{n} images").format(n=...)``, so a translation may reorder the fields.
"""
import gettext
import io
from functools import lru_cache
from pathlib import Path

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"
LANGUAGES = ("en", "zh")   # catalogues present; English is the source language, zh Simplified Chinese
DEFAULT_LANGUAGE = "en"
LANGUAGE_NAMES = {"en": "English", "zh": "简体中文"}  # each in its own language, as a selector shows them


def negotiate(locale):
    """The language for a browser's locale (``st.context.locale``, e.g. ``'zh-CN'``): Simplified
    Chinese for any Chinese locale, English for every other.

    ``zh-TW``, ``zh-HK`` and ``zh-MO`` get Simplified Chinese too, not English: the article this
    app teaches is written in Simplified Chinese, so a reader there is reading Simplified terms
    already, and the page's terms then match the article's; the selector offers English.
    """
    tag = str(locale or "").replace("_", "-").lower()
    return "zh" if tag == "zh" or tag.startswith("zh-") else DEFAULT_LANGUAGE


@lru_cache(maxsize=None)
def translator(lang):
    """The compiled catalogue of ``lang``, built once per process and only read after."""
    if lang not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {lang!r}")
    with (LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as f:
        catalog = read_po(f, locale=lang, domain=DOMAIN)
    buf = io.BytesIO()
    write_mo(buf, catalog)
    buf.seek(0)
    return gettext.GNUTranslations(buf)


def language():
    """This session's language (the default outside a session, as in a unit test)."""
    if get_script_run_ctx(suppress_warning=True) is None:
        return DEFAULT_LANGUAGE
    return st.session_state.get("lang", DEFAULT_LANGUAGE)


def _(message):
    """``message`` in this session's language."""
    return translator(language()).gettext(message)


def labels(table):
    """A widget's ``format_func`` for options ``table`` (key -> message), translated now, in
    this run: Streamlit's test harness calls a format_func again outside the script run,
    where no session says the language."""
    return {key: _(message) for key, message in table.items()}.get


def N_(message):
    """Mark ``message`` for the catalogue where it is defined; ``_`` translates it where shown."""
    return message
