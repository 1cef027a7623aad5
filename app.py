"""ffn-digits: train the article's feed-forward network live, then draw a digit for it.

Wiring only: the page's config, the lesson a link opened, the sidebar and the three tabs.
Each panel lives in ``ui/``, and every computation in the ``ffn`` library.
"""
import streamlit as st

from ui import (class_panel, classroom, draw_panel, evaluate_panel, guide_panel, guide_state, keeper,
                layout, lesson_panel, replica, resources, sidebar, state, top_panel, train_panel)
from ui.i18n import _

if state.init():
    query = lesson_panel.open_link()  # a session's first run: the settings, tab and view its link asks for
    guide_state.open_link(query)  # ...and the guided lesson's step it opens at
    replica.check()  # behind a balancer: was this browser moved off a replica that died?
else:
    guide_state.follow(lesson_panel.follow_address())  # the browser's Back or Forward
st.set_page_config(page_title=_("ffn-digits: a neural network you train and test"), page_icon="✏️",
                   layout="wide", initial_sidebar_state=layout.sidebar_state())
layout.style()
classroom.identify()  # from what this browser keeps (a student's token, a teacher's key): who is in a class
layout.header(resources.bundled_model().meta.get("test_accuracy"))
settings, error = sidebar.render()
replica.render()  # "the server restarted: your run was lost"
top_panel.render()  # the note, Share these settings, presenter mode
guide_panel.render()  # a guided lesson's step, or the list of lessons to begin one
tab = layout.tabs()  # a keyed control of stable names: the open tab survives a change of language
if tab != "draw":  # a timer, so that a page reconnecting to a server that lost its session reruns
    replica.watch()
panels = st.container(key="panels")
train_box, draw_box = panels.container(key="panel_train"), panels.container(key="panel_draw")
with draw_box:  # first: a stroke's prediction never waits for the Train tab to be drawn
    draw_panel.render()
with train_box:
    train_panel.render(settings, error, shown=tab == "train")
if tab == "evaluate":  # 10,000 images: measured only when asked for
    with panels.container(key="panel_evaluate"):
        evaluate_panel.render()
else:
    evaluate_panel.keep_choices()  # its model, counts or shares, and cell, for when it opens again
if tab == "class":  # a class: start or join one, and its board
    with panels.container(key="panel_class"):
        class_panel.render()
with st.container(key="keeper_box"):  # last: its telling reruns the page, whose widgets are then all drawn
    keeper.mount()
lesson_panel.sync(guide_state.address())  # every field, and the lesson's step: a reload keeps the page
resources.settle()  # once per server: what lives as long as it is left out of the GC's walks
