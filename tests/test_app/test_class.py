"""A class on one server, through Streamlit's AppTest: pages with the same settings train
once and say so, a browser's second tab is told why it can't start, a large run says its
cost before Start. Each page is its own session of one server process (one pool)."""
import pytest
from streamlit.testing.v1 import AppTest

from serve.runs import RUNNING
from tests.support import APP
from tests.support.apptest import rerun_until
from ui import browser


def page(seed, iters=3000):
    at = AppTest.from_file(APP, default_timeout=60)
    at.run()
    assert not at.exception
    at.number_input(key="seed").set_value(seed)  # a seed no other test uses: a run of its own
    at.number_input(key="iters").set_value(iters)
    return at


def captions(at):
    return [c.value for c in at.caption]


@pytest.mark.timeout(240)
def test_pages_with_the_same_settings_train_once_and_say_so():
    a, b = page(seed=2801), page(seed=2801)
    a.button(key="start").click().run()
    rerun_until(a, lambda run: run.state == RUNNING)
    b.button(key="start").click().run()
    assert b.session_state["run"].handle.run is a.session_state["run"].handle.run
    rerun_until(b, lambda run: run.students == 2)
    assert any("Training once for 2 students with these settings" in c for c in captions(b))
    b.button(key="stop").click().run()  # b's own stopped copy, with its figures...
    stopped = rerun_until(b, lambda run: run.done)
    assert stopped.outcome[0] == "stopped" and stopped.final and stopped.net is not None
    assert a.session_state["run"].sync().state == RUNNING  # ...and a's run goes on
    a.button(key="reset").click().run()


@pytest.mark.timeout(120)
def test_a_second_tab_of_one_browser_is_told_why_it_cannot_start(monkeypatch):
    monkeypatch.setattr(browser, "browser_name", lambda cookies: "one browser")
    first, second = page(seed=2802), page(seed=2803)
    first.button(key="start").click().run()
    second.button(key="start").click().run()
    assert second.session_state["run"] is None
    assert any("Another tab of this browser already has a run" in w.value for w in second.warning)
    second.number_input(key="seed").set_value(2802).run()  # the same run as the first tab: it joins
    second.button(key="start").click().run()
    assert second.session_state["run"].handle.run is first.session_state["run"].handle.run
    assert not any("Another tab" in w.value for w in second.warning)
    for at in (first, second):
        at.button(key="reset").click().run()


def test_a_large_run_says_what_it_costs_the_class_before_start():
    at = page(seed=2804, iters=300)
    assert not any("min of a trainer" in c for c in captions(at))  # a short run says nothing
    at.select_slider(key="hidden_size").set_value(512)  # the sidebar's largest: about 2 min of a core here
    at.select_slider(key="depth").set_value(6)
    at.selectbox(key="normalization").set_value("batch")
    at.select_slider(key="batch_size").set_value(1024)
    at.number_input(key="iters").set_value(1400).run()
    assert any("This run needs about" in c and "min of a trainer" in c for c in captions(at))
