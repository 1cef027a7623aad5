"""Sessions that left are shut down by the server itself once their time to come back has
passed (ui/expiry.py), with nobody connecting after them: their images leave the media store."""
import asyncio
import re
import time
import urllib.request

import pytest

from bench.support.stclient import Student, drawing_state
from tests.support.apptest import a_seven
from tests.support.browser import streamlit_app


def media_bytes(url):
    """What the server's media store holds (the images sessions show), from its metrics."""
    text = urllib.request.urlopen(url + "/_stcore/metrics", timeout=30).read().decode()
    m = re.search(r'cache_memory_bytes\{cache_type="st_memory_media_file_storage",cache=""\} (\d+)', text)
    return int(m.group(1)) if m else 0


@pytest.mark.timeout(120)
def test_sessions_that_left_are_shut_down_after_their_ttl_with_nobody_connecting_after_them():
    with streamlit_app(args=["--server.disconnectedSessionTTL", "2"]) as url:
        async def a_class():
            students = [Student(url, "tab=draw&view=prediction&lang=en") for _ in range(3)]
            for s in students:
                await s.open()
                await s.run(canvas=drawing_state(a_seven()))  # what the network sees: an image each
            for s in students:
                await s.close()
        asyncio.run(a_class())
        held = media_bytes(url)
        assert held > 0  # the sessions' images, kept while their browsers may come back
        deadline = time.monotonic() + 30
        while media_bytes(url) and time.monotonic() < deadline:
            time.sleep(0.5)
        assert media_bytes(url) == 0, f"still {media_bytes(url)} of {held} bytes 30 s after the class left"
