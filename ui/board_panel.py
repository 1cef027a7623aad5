"""The class board: what every student of a class sent, read again every :data:`EVERY` seconds
(a fragment: nothing else of the page reruns). The runs as a sortable table; a setting
against test accuracy; how the class answered each question; and how a network reads the
class's own handwriting, against MNIST's test set. Made for presenter mode: the teacher
projects it. Names and answers a student typed are shown as text, never as markup."""
import threading
import time
from functools import partial

import streamlit as st

import ffn
from board import figures
from board.export import csv_bytes

from . import board_charts, charts, compare_charts, guide_state, layout, resources
from .classroom import BoardError, Unavailable, call, worded
from .fields import CONTROL_LABELS, FIELD_NAMES
from .i18n import _, language
from .run import MODEL_LIMITS

EVERY = 2.0        # seconds between the board's refreshes on the teacher's page
STUDENTS_EVERY = 5.0  # ...and on a student's, when shown to the class (forty pages drawing it)
SHARED = 0.5       # seconds a read of a class's board serves every page that shows it
BUNDLED = "bundled"
_boards, _boards_lock = {}, threading.Lock()  # class code -> (when read, its board)
FEW = ("hidden_size", "depth", "activation", "optimizer", "learning_rate")  # a lone run's table columns


def _read_board(code):
    """``(board, the lesson file offered)`` of class ``code`` as read at most :data:`SHARED` s ago:
    every page that shows it (the teacher's, and 40 students' when shown to them) shares one
    read. Read only."""
    now = time.monotonic()
    with _boards_lock:
        read_at, data = _boards.get(code, (-SHARED, None))
        if now - read_at < SHARED:
            return data
    data = call("board", code), call("info", code).get("lesson_file")  # the board, and the lesson offered
    with _boards_lock:
        for old in [c for c, (t, _d) in _boards.items() if now - t > 60]:  # a class no page shows
            del _boards[old]
        _boards[code] = (now, data)
    return data


def render(code, teacher):
    """The board of class ``code``, refreshed by itself; the CSV downloads for its ``teacher``."""
    st.fragment(_board, run_every=EVERY if teacher else STUDENTS_EVERY)(code, teacher)


def _board(code, teacher):
    try:
        data, offered = _read_board(code)
    except (BoardError, Unavailable) as e:  # down, or the class expired or was deleted meanwhile: said
        st.warning(worded(e))
        return
    runs, drawings = data["runs"], data["drawings"]
    m = st.columns(3)
    m[0].metric(_("Students"), data["students"])
    m[1].metric(_("Runs sent"), len(runs))
    m[2].metric(_("Drawings sent"), len(drawings))
    if teacher:
        _downloads(code, data)
    st.subheader(_("The runs"))
    if runs:
        _runs(runs)
    else:
        st.caption(_("No run yet: a student sends one from the Train tab when it ends."))
    st.subheader(_("What the class answered"))
    _answers(data["answers"], offered)
    st.subheader(_("Our class's handwriting"))
    _handwriting(code, runs, drawings)


def _setting(name):
    return _(CONTROL_LABELS.get(name) or FIELD_NAMES.get(name) or name)


def _runs(runs):
    """The runs, sortable by any column: who, the test accuracy, the settings the class varied
    (with one run, the network's shape and its optimiser's), then the other figures. The CSV
    holds every setting."""
    rows = figures.run_rows(runs)
    heads = {"student": _("student"), "train": _("training accuracy"), "valid": _("validation accuracy"),
             "test": _("test accuracy"), "wall_seconds": _("wall time (s)"),
             "iters_to_90": _("iterations to 90 %")}
    names = figures.setting_names(runs)
    # what the class varied, the most values first (a jigsaw's four rates before its two sizes)
    # (a seed last: each student's own is no finding)
    tried = sorted(figures.varied(runs), key=lambda n: (n == "seed", -len({repr(r["settings"].get(n))
                                                                           for r in runs}))) \
        or [n for n in FEW if n in names]
    def cell(k, v):  # accuracies in percent, each with one decimal
        return v * 100 if k in ("train", "valid", "test") and v is not None else v
    shown = [{heads.get(k) or _setting(k): cell(k, v) for k, v in r.items() if k in heads or k in tried}
             for r in rows]
    percent = {heads[k]: st.column_config.NumberColumn(format="%.1f%%") for k in ("train", "valid", "test")}
    percent[heads["wall_seconds"]] = st.column_config.NumberColumn(format="%.1f")
    percent[heads["iters_to_90"]] = st.column_config.NumberColumn(
        format="%d", help=_("Empty: the run never got to 90 %."))
    st.dataframe(shown, key="class_runs_table", hide_index=True, column_config=percent,
                 column_order=[heads["student"], heads["test"], *[_setting(n) for n in tried],
                               heads["valid"], heads["train"], heads["iters_to_90"], heads["wall_seconds"]])
    c1, c2 = st.columns(2)
    x = c1.selectbox(_("Across: a setting"), tried + [n for n in names if n not in tried],
                     key="class_scatter_x", format_func=_setting)
    others = [n for n in tried if n != x] + [n for n in names if n != x and n not in tried]
    first = others[:1] if len(tried) > 1 else []  # by default, the other setting the class varied, if any
    colour = c2.selectbox(_("Colour and shape: another"), [*first, "", *others[len(first):]],
                          key="class_scatter_colour", format_func=lambda n: _setting(n) if n else _("none"))
    fig = board_charts.scatter_figure(figures.scatter(runs, x, colour or None), _setting(x),
                                      _setting(colour) if colour else None, shown=_value)
    st.plotly_chart(layout.scale(fig), key="class_scatter", config=board_charts.SCATTER_CONFIG)
    st.caption(_("One dot a run. The camera at the chart's top right saves it as PNG."))


def _value(v):
    if isinstance(v, float):
        return format(v, "g")
    return "—" if v is None else str(v)


def _answers(answers, offered=None):
    """Each question's answers as bars, the right one marked: the questions of the app's lessons
    and of the lesson file the teacher offered (``offered``, its text)."""
    tallies = figures.tallies(answers)
    if not tallies:
        st.caption(_("No answer yet: a guided lesson's predictions arrive here as students give them."))
        return
    known, lang = dict(guide_state.lessons()[0]), language()
    own = guide_state.offered_lesson(offered) if offered else None
    if own is not None and not isinstance(own, Exception):
        known[own.id] = own
    # only the questions of lessons the board knows (a student's own lesson file is theirs: its
    # answers are in the CSV, not on the projector)
    asked = {(lesson.id, s.question.id): (lesson, s.question)
             for lesson in known.values() for s in lesson.steps if s.question is not None}
    shown = [(asked[k], counts) for k, counts in sorted(tallies.items()) if k in asked]
    if not shown:
        st.caption(_("No answer yet: a guided lesson's predictions arrive here as students give them."))
    for i, ((lesson, q), counts) in enumerate(shown):
        st.text(f"{lesson.title(lang)}: {q.prompt(lang)}")
        texts = {c: t(lang) for c, t in q.choices} if q.kind == "choice" else {}
        right = q.answer if q.kind == "choice" else None
        charts.plot(st, board_charts.answers_figure(dict(counts), texts, right), key=f"class_q_{i}")
        if q.kind == "number":
            st.caption(_("The answer: {answer:g}").format(answer=q.answer))


def _handwriting(code, runs, drawings):
    if not drawings:
        st.caption(_("No drawing yet: on the Draw tab, a student draws a digit, says which and sends it."))
        return
    held = {r["id"]: r for r in runs if r.get("has_model")}
    model = st.selectbox(_("Read by"), [BUNDLED, *held], key="class_hw_model", format_func=lambda m: (
        _("the pretrained model") if m == BUNDLED else _("{student}'s run #{id}").format(
            student=held[m]["student"], id=m)))
    try:
        net, mnist = _network(code, model, held)
    except (BoardError, Unavailable, ValueError):  # a file that can't be read, too: said; the board goes on
        st.warning(_("This run's model could not be read."))
        return
    r = _read(code, model, len(drawings), drawings[-1]["id"], _drawings=drawings, _net=net)
    c1, c2 = st.columns(2)
    c1.metric(_("Our class's drawings read right"), f"{r['accuracy']:.1%}",
              help=_("{n:,} drawings the class sent, each labelled by the student who drew it").format(
                  n=r["n"]))
    if mnist is not None:
        c2.metric(_("MNIST's test set read right"), f"{mnist:.1%}", help=_("10,000 images"))
    charts.plot(st, compare_charts.confusion_figure(r["confusion"]), key="class_confusion")
    st.markdown(_("**The hardest drawings** (the least probability for the digit drawn)"))
    x, _t = figures.pixels(drawings)
    index = {d["id"]: i for i, d in enumerate(drawings)}
    cols = st.columns(4)
    for k, h in enumerate(r["hardest"]):
        with cols[k % 4]:
            st.image(ffn.network_view(x[index[h["id"]]], scale=3), width=84)
            st.text(_("drew {label}, read as {read} ({p:.0%})").format(label=h["label"], read=h["read_as"],
                                                                    p=h["p_label"]))
            st.text(h["student"])  # a nickname: as text


def _network(code, model, held):
    """``(network, its MNIST test accuracy or None)``: the bundled model, or a run's from the board."""
    if model == BUNDLED:
        net = resources.bundled_model()
        return net, net.meta.get("test_accuracy")
    return _run_network(code, model), held[model].get("test")


@st.cache_resource(max_entries=4, ttl=600, show_spinner=False)
def _run_network(code, run_id):
    from ffn.model_io import load_model
    data = call("model", code, run_id)
    return load_model(data, **MODEL_LIMITS)  # checked as an upload is; shared: read only


@st.cache_data(max_entries=16, ttl=600, show_spinner=False)
def _read(code, model, n, last_id, _drawings, _net):
    """How the network reads the drawings, once for each new drawing (keyed by their count and last id)."""
    return figures.handwriting(_net, _drawings)


def _downloads(code, data):
    """CSV files of the runs, the answers and the drawings' labels, for the lesson's record, with
    the page's headers (in Chinese on a Chinese page: the BOM lets Excel and WPS read them)."""
    row = st.container(horizontal=True, key="class_downloads")
    names = figures.setting_names(data["runs"])
    heads = [_("run"), _("student"), *[_setting(n) for n in names], _("training accuracy"),
             _("validation accuracy"), _("test accuracy"), _("wall time (s)"), _("iterations to 90 %")]
    # the files are made when a button is pressed, not at each refresh of the board (the headers
    # now: a download's callable runs where no session says the language)
    rows = {"runs": lambda: [[r["id"], r["student"], *[_csv_value(r["settings"].get(n)) for n in names],
                              r["train"], r["valid"], r["test"], r["wall_seconds"], r["iters_to_90"]]
                             for r in data["runs"]],
            "answers": lambda: [[a["student"], a["lesson"], a["question"], a["answer"]]
                                for a in data["answers"]],
            "drawings": lambda: [[d["id"], d["student"], d["label"]] for d in data["drawings"]]}
    runs = partial(_csv, heads, rows["runs"])
    answers = partial(_csv, [_("student"), _("lesson"), _("question"), _("answer")], rows["answers"])
    drawings = partial(_csv, [_("drawing"), _("student"), _("label")], rows["drawings"])
    files = ((_("Runs (CSV)"), runs, "runs"), (_("Answers (CSV)"), answers, "answers"),
             (_("Drawings' labels (CSV)"), drawings, "drawings"))
    for name, body, what in files:
        row.download_button(name, body, file_name=f"class-{code}-{what}.csv", mime="text/csv",
                            key=f"class_csv_{what}", on_click="ignore")


def _csv(header, rows):
    return csv_bytes(header, rows())


def _csv_value(v):
    """A setting as a cell: a list (the hidden layers' sizes) as its numbers with dashes."""
    return "-".join(map(str, v)) if isinstance(v, (list, tuple)) else v
