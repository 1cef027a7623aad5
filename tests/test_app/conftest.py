"""What the page's browser tests share: one app per module, and a fresh Chromium per test."""
import pytest

from tests.support.browser import CHROMIUM, CHROMIUM_ARGS, streamlit_app


@pytest.fixture(scope="module")
def app_url():
    """The app, started once for the module's tests."""
    with streamlit_app() as url:
        yield url


@pytest.fixture
def browser():
    """Debian's Chromium through Playwright (``playwright`` imported here: only browser tests ask)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()
