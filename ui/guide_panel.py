"""Guided lessons on the page (``lessons/*.toml``, :mod:`guide`): the list to open one from,
the step with its question and answer, what to look at, Back and Next, and the summary.

A student's answers are kept for the session by the question's id, so an answer given in
Chinese is the same answer in English. A step's check moves the student on, but never
holds them: Next is always there.
"""
import streamlit as st

from guide.worksheet import worksheet

from . import class_send
from . import guide_state as gs
from .i18n import N_, _, language
from .layout import presenting

ACTIONS = {"start": N_("Your move: press **Start**."), "step": N_("Your move: press **Step**."),
           "draw": N_("Your move: draw a digit in the **Draw** tab."),
           "open_tab": N_("Your move: open the tab named above."),
           "open_view": N_("Your move: choose the view named above.")}
# What a step may point at: the page's element, found by its container's key
TARGETS = {"settings": '[data-testid="stSidebarUserContent"]', "progress": ".st-key-look_progress",
           "loss_chart": ".st-key-look_loss_chart", "accuracy_chart": ".st-key-look_accuracy_chart",
           "health_chart": ".st-key-look_health_chart", "tiles": ".st-key-live_tiles",
           "results": ".st-key-look_results", "step_figures": ".st-key-step_panel",
           "gradcheck": ".st-key-look_gradcheck", "canvas": ".st-key-canvas_box",
           "probabilities": ".st-key-proba_chart", "inside": ".st-key-look_view",
           "why": ".st-key-look_view", "confusion": ".st-key-confusion_chart",
           "network": ".st-key-network_box", "step_backward": ".st-key-network_back_box"}


def render():
    """The open lesson's step (or summary), or the list of lessons."""
    lesson, index = gs.current()
    if lesson is None:
        _chooser()
        return
    lang = language()
    with st.container(key="guide_panel", border=True):
        if index == len(lesson.steps):
            _summary(lesson, lang)
            return
        step = lesson.steps[index]
        st.caption(_("Lesson: {title} · step {n} of {total}").format(title=lesson.title(lang), n=index + 1,
                                                                     total=len(lesson.steps)))
        st.markdown(step.text(lang))  # a lesson's Markdown; HTML was refused when the file was read
        if step.question is not None:
            _question(lesson, step, lang)
        if step.action in ACTIONS:
            st.caption(_(ACTIONS[step.action]))
        live = step.check is not None and not gs.step_met(step)
        st.fragment(_status, run_every=1.0 if live else None)(lesson.id, index)
        row = st.container(horizontal=True, key="guide_buttons")
        row.button(_("Back"), key="guide_back", disabled=index == 0, on_click=gs.enter,
                   args=(lesson.id, index - 1))
        row.button(_("Next") if index + 1 < len(lesson.steps) else _("Finish"), key="guide_next",
                   type="primary", on_click=_next, args=(lesson.id, index))
        row.button(_("Close the lesson"), key="guide_close", on_click=gs.close)
        row.download_button(_("Worksheet to print"), lambda: worksheet(lesson, lang, answers=False),
                            key="guide_worksheet", file_name=f"{lesson.id}.{lang}.html", mime="text/html",
                            on_click="ignore",
                            help=_("This lesson's worksheet (学案), made from its file: the steps, and each "
                                   "question with room for a prediction and for what you saw. Open it in a "
                                   "browser and print it on A4. The teacher's copy, with the answers, is in "
                                   "docs/worksheets."))
    _highlight(step.look_at)


def _next(lesson_id, index):
    lesson, _index = gs.current()
    if lesson is not None and index < len(lesson.steps):
        gs.note_result(lesson.steps[index])
    gs.enter(lesson_id, index + 1)


def _revealed(step):
    """Whether the step's answer shows: given, and the check met or the step's run over, now
    or before (a step opened again never unlocks its answer)."""
    q = step.question
    ss = st.session_state
    given = ss.get("guide_answers", {}).get(q.id) if q else None
    if given is None:
        return False
    shown = step.check is not None and gs.step_met(step) or gs.run_ended(step)
    if shown:
        ss.setdefault("guide_revealed", set()).add(q.id)
    return shown or q.id in ss.get("guide_revealed", ())


def _question(lesson, step, lang):
    """The question, answered once: the answer is kept by the question's id (the same in
    either language), and fixed once revealed. One given after the step's run had shown
    the answer is marked late in the summary."""
    q = step.question
    ss = st.session_state
    answers, late = ss.setdefault("guide_answers", {}), ss.setdefault("guide_late", set())
    key = f"guide_q_{lesson.id}_{q.id}"
    fixed = _revealed(step)
    if q.id in answers and (key not in ss or fixed):  # back after a step away, or fixed: as answered
        ss[key] = answers[q.id]
    label = _("Predict first: {prompt}").format(prompt=q.prompt(lang))
    if q.kind == "choice":
        texts = dict(q.choices)
        given = st.radio(label, list(texts), format_func=lambda c: texts[c](lang), key=key, index=None,
                         disabled=fixed)
    else:
        given = st.number_input(label, key=key, value=None, step=0.1, format="%.2f", disabled=fixed)
    if given is not None and not fixed:
        if q.id not in answers and step.action in gs.RUNS and (gs.run_ended(step) or gs.step_met(step)
                                                               and step.check is not None):
            late.add(q.id)  # the run had already shown it
        answers[q.id] = given
    elif q.id not in answers and step.action in ACTIONS:
        st.caption(_("Answer before you act: the point is to predict, then check."))
    if q.id in answers:
        class_send.answer(lesson.id, q.id, answers[q.id])  # a student in a class: to the board, once


def _status(lesson_id, index):
    """Whether the step's check has been met; once it has (or the step's run has ended), the
    question's answer with the sentence on why."""
    lesson, now = gs.current()
    if lesson is None or lesson.id != lesson_id or now != index:
        return
    step = lesson.steps[index]
    done = gs.step_met(step)
    if step.check is not None:
        if done:
            st.success(_("Done: on to the next step."))
        elif gs.run_ended(step):
            st.warning(_("The run did not get there. That happens: look at what it did, then go on."))
        else:
            st.caption(_("Waiting for what this step asks. You can go on at any time."))
    q = step.question
    if q is not None and _revealed(step):
        _reveal(q, st.session_state.guide_answers[q.id], language())


def _reveal(q, answer, lang):
    right = _answer_text(q, q.answer, lang)
    if q.is_right(answer):
        st.markdown(_("**You predicted it.** The answer: {answer}.").format(answer=right))
    else:
        st.markdown(_("**Not quite.** You said {given}; the answer: {answer}.").format(
            given=_answer_text(q, answer, lang), answer=right))
    st.markdown(q.why(lang))


def _answer_text(q, value, lang):
    if q.kind == "choice":
        return dict(q.choices)[value](lang) if value in dict(q.choices) else str(value)
    return f"{value:g}"


def _summary(lesson, lang):
    st.subheader(_("{title}: what you found").format(title=lesson.title(lang)))
    answers, notes = st.session_state.get("guide_answers", {}), st.session_state.get("guide_notes", {})
    for n, step in enumerate(lesson.steps, 1):
        q, note = step.question, notes.get(step.id)
        if q is None and note is None:
            continue
        line = _("Step {n}").format(n=n)
        if q is not None:
            given = answers.get(q.id)
            verdict = (_("not answered") if given is None else
                       _("right") if q.is_right(given) else _("not quite"))
            if q.id in st.session_state.get("guide_late", ()):
                verdict += _(", answered after the run")
            line += _(" · {prompt} You said {given} ({verdict}); the answer: {answer}.").format(
                prompt=q.prompt(lang), given="—" if given is None else _answer_text(q, given, lang),
                verdict=verdict, answer=_answer_text(q, q.answer, lang))
        if note is not None:
            line += _(" · The run: {what}.").format(what=_worded(note))
        st.markdown("- " + line)
    row = st.container(horizontal=True, key="guide_buttons")
    row.button(_("Back"), key="guide_back", on_click=gs.enter, args=(lesson.id, len(lesson.steps) - 1))
    row.button(_("Start the lesson again"), key="guide_again", on_click=gs.enter, args=(lesson.id, 0),
               kwargs={"again": True})
    row.button(_("Close the lesson"), key="guide_close", on_click=gs.close)


def _worded(note):
    if note["outcome"] == "diverged":
        text = _("it diverged")
    elif note["test"] is not None:
        text = _("test accuracy {accuracy:.1%}").format(accuracy=note["test"])
        if note["gap"] is not None and note["gap"] >= 3:
            text += _(", a gap of {points:.0f} points").format(points=note["gap"])
    else:
        text = _("it ended without figures")
    if note["loss"] is not None:
        text += _(", loss {loss:.2f} at the end").format(loss=note["loss"])
    return text


def _chooser():
    """The lessons to open, what could not be read, and a teacher's own file to try: one
    folded line at the top of the page (none on the projector, where the work comes first)."""
    if presenting():
        return
    with st.expander(_("Guided lessons: start here if you are new")):
        top, bottom = st.container(), st.container()
        with bottom:  # first: a file uploaded just now is in the list at once
            _upload()
        found, errors = gs.lessons()
        lang = language()
        with top:
            if found:
                ids = list(found)
                pick = st.selectbox(_("Lesson"), ids, format_func=lambda i: found[i].title(lang),
                                    key="guide_pick")
                st.caption(found[pick].summary(lang))
                st.button(_("Begin the lesson"), key="guide_begin", type="primary", on_click=_begin)
            for e in errors:  # the file's own words, shown as text
                st.warning(_("A lesson file could not be read:"))
                st.text(str(e))


def _upload():
    ss = st.session_state
    up = st.file_uploader(_("Try a lesson file of your own (.toml)"), type=["toml"], key="guide_upload")
    if up is not None and ss.get("guide_upload_id") != up.file_id:
        ss.guide_upload_id = up.file_id
        read = gs.read_upload(up.getvalue(), up.name)
        ss.guide_uploaded = None if isinstance(read, Exception) else read
        ss.guide_upload_error = str(read) if isinstance(read, Exception) else None
    if ss.get("guide_upload_error"):
        st.error(_("This lesson file cannot be used:"))
        st.text(ss.guide_upload_error)


def _begin():
    """The lesson chosen in the list (as it is at the click), at its first step."""
    gs.enter(st.session_state.guide_pick, 0)


def _highlight(targets):
    """An outline around what the step says to look at."""
    rules = [f"{TARGETS[t]} {{outline: 4px solid #E69F00; outline-offset: 6px; border-radius: 6px;}}"
             for t in targets if t in TARGETS]
    if rules:
        st.html(f"<style>{''.join(rules)}</style>")
