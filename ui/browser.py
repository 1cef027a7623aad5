"""Which browser a session is in, the same in all its tabs: for the pool's limit of one run
per browser, so that one student with ten tabs cannot hold the class's workers.

Streamlit's server gives each browser a random XSRF token in a cookie (``_streamlit_xsrf``,
Tornado's) the first time it loads the page, and every tab sends it back. Tornado writes
the token masked (``2|mask|masked token|time``), with a new mask whenever it writes the
cookie again, so the browser is named by the token itself, unmasked, then hashed: the
secret never leaves this module. A browser that sends no such cookie (XSRF protection
off, a client without cookies) is not named, and has one run per tab as before.
"""
import binascii
import hashlib

import streamlit as st

COOKIE = "_streamlit_xsrf"


def token_of(cookie):
    """The XSRF token a cookie's value carries, as bytes, or None if it is not one.

    Tornado writes version 2 as ``2|<mask hex>|<masked token hex>|<timestamp>``: the token
    is the masked bytes XOR the 4-byte mask, repeated; version 1 was the token in hex alone.
    """
    if not cookie:
        return None
    try:
        if cookie.startswith("2|"):
            _version, mask, masked, _time = cookie.split("|")
            mask, masked = binascii.a2b_hex(mask), binascii.a2b_hex(masked)
            if not mask or not masked:
                return None
            return bytes(b ^ mask[i % len(mask)] for i, b in enumerate(masked))  # the mask repeats
        return binascii.a2b_hex(cookie) or None
    except (ValueError, binascii.Error):
        return None


def browser_name(cookies):
    """A short name for the browser whose ``cookies`` these are, or None."""
    token = token_of(cookies.get(COOKIE))
    return None if token is None else hashlib.sha256(b"ffn-digits browser " + token).hexdigest()[:16]


def browser_id():
    """This session's browser (see the module's docstring), or None."""
    return browser_name(st.context.cookies)
