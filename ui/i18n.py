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
LANGUAGES = ("en",)   # catalogues present; English is the source language
DEFAULT_LANGUAGE = "en"


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


def N_(message):
    """Mark ``message`` for the catalogue where it is defined; ``_`` translates it where shown."""
    return message
