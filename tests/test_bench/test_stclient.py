"""The virtual class's student (bench/support/stclient.py) against the real app: a session
opens, a drawing gets its prediction, a Start gets its figures."""
import asyncio

import pytest

from bench.support.stclient import Student, clear, drawing_state
from tests.support.apptest import a_seven
from tests.support.browser import streamlit_app


@pytest.fixture(scope="module")
def app_url():
    with streamlit_app() as url:
        yield url


def test_a_session_opens_from_a_lesson_link_in_its_language(app_url):
    async def go():
        s = Student(app_url, "tab=draw&lang=zh", locale="zh-CN")
        seconds = await s.open()
        await s.close()
        return s, seconds
    s, seconds = asyncio.run(go())
    assert seconds > 0 and s.runs == 1 and "_streamlit_xsrf" in s.cookies
    assert {"start", "canvas", "preset", "iters"} <= set(s.ids)
    assert s.find("教神经网络认手写数字")  # the page's title, in the link's language


def test_a_drawing_gets_its_prediction_and_clear_empties_the_canvas(app_url):
    async def go():
        s = Student(app_url, "tab=draw&lang=en")
        await s.open()
        assert s.find("The canvas is empty")
        await s.run(canvas=drawing_state(a_seven()))
        seven = s.find("Prediction: 7")
        await clear(s)
        assert s.find("The canvas is empty") and not s.find("Prediction")
        await s.run(canvas=drawing_state(a_seven()))
        await s.close()
        return s, seven
    s, seven = asyncio.run(go())
    assert seven
    assert s.find("Prediction: 7") and not s.find("The canvas is empty") and not s.errors
    assert s.media >= 1  # the network's view of the drawing, loaded as a browser loads it
    # as in a browser, the last stroke reran only the canvas's fragment, not the whole page
    assert s.last_run == {s.homes[s.ids["canvas"]]}


@pytest.mark.timeout(120)
def test_a_start_gets_its_figures_through_the_timed_fragments(app_url):
    async def go():
        s = Student(app_url, "tab=train&lang=en&iters=200&seed=2901")
        await s.open()
        await s.run(trigger="start")
        await s.follow(lambda s: s.find("Test accuracy"), timeout=90)  # the live fragment's timer drives it
        await s.close()
        return s
    s = asyncio.run(go())
    assert s.find("Finished 200 iterations") and s.find("Test accuracy (10,000 images): ")
