"""The class board's storage, every test on SQLite and on PostgreSQL (``FFN_TEST_PG_URL``, a
real server: .ci/run starts one; in CI its tests fail, not skip, when it is missing)."""
import json
import os
import threading
import unicodedata

import numpy as np
import pytest
import sqlalchemy as sa

from board.export import BOM, csv_bytes
from board.schema import md
from board.store import CODE_ALPHABET, BoardError, Caps, Store, digest


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


def database(kind, tmp_path):
    if kind == "sqlite":
        return f"sqlite:///{tmp_path / 'classes.db'}"
    url = os.environ.get("FFN_TEST_PG_URL")
    if not url:
        if os.environ.get("CI"):
            pytest.fail("FFN_TEST_PG_URL is not set: .ci/run starts PostgreSQL for these tests")
        pytest.skip("no PostgreSQL here (FFN_TEST_PG_URL); CI runs these")
    engine = sa.create_engine(url)
    md.drop_all(engine)  # each test on an empty database
    with engine.begin() as c:
        c.execute(sa.text("DROP TABLE IF EXISTS meta"))
    engine.dispose()
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request, tmp_path):
    clock = Clock()
    s = Store(database(request.param, tmp_path), clock=clock,
              caps=Caps(students=3, runs=2, drawings=2, classes=2, model_bytes=100, class_model_bytes=150))
    s.create()
    s.clock_, s.url_ = clock, database(request.param, tmp_path) if request.param == "sqlite" else s.engine.url
    yield s
    s.engine.dispose()


def test_a_class_is_made_joined_and_fed(store):
    code, key = store.new_class()
    assert len(code) == 6 and set(code) <= set(CODE_ALPHABET) and len(key) >= 32
    assert store.is_teacher(code, key) and not store.is_teacher(code, key + "x")
    assert not store.is_teacher("ZZZZZZ", key)
    with store.engine.connect() as c:  # the key is stored hashed, never as it is
        row = c.execute(sa.text("select teacher_hash from classes")).one()
    assert row.teacher_hash == digest(key) and key not in row.teacher_hash
    a = store.join(code, "token-a", "  <b>Ada</b>  ")
    assert store.join(code.lower(), "token-a", "") == a  # a reload: the same student, the code in any case
    b = store.join(code, "token-b", "")
    store.submit_run(code, "token-a", {"hidden_size": 64}, {"train": 0.99, "valid": 0.97, "test": 0.975}, 3.5,
                     iters_to_90=400, model=b"PK" * 10)
    store.submit_answers(code, "token-b", "init", {"guess-loss": 2.3, "why-stall": "small-weights"})
    store.submit_answers(code, "token-b", "init", {"guess-loss": 2.4})  # a later answer replaces it
    store.submit_drawing(code, "token-b", 7, np.zeros(784, np.uint8).tobytes())
    board = store.board(code)
    run, = board["runs"]
    assert (run["student"], run["test"], run["iters_to_90"], run["has_model"], run["settings"]) == (
        "<b>Ada</b>", 0.975, 400, True, {"hidden_size": 64})  # stored as sent: the page shows it as text
    assert sorted((x["question"], x["answer"]) for x in board["answers"]) == [("guess-loss", "2.4"),
                                                                               ("why-stall", "small-weights")]
    assert {x["student"] for x in board["answers"]} == {"Student 2"}
    drawing, = board["drawings"]
    assert drawing["label"] == 7 and len(drawing["pixels"]) == 784 and a != b


def test_every_cap_says_what_was_reached(store):
    code, key = store.new_class()
    store.new_class()
    with pytest.raises(BoardError) as e:
        store.new_class()
    assert e.value.code == "full" and e.value.values == {"limit": 2}
    for t in "abc":
        store.join(code, t, t)
    with pytest.raises(BoardError, match="as many students") as e:
        store.join(code, "d", "d")
    assert e.value.code == "class_full"
    first = store.submit_run(code, "a", {}, {"test": 0.9}, 1.0, model=b"x" * 90)
    second = store.submit_run(code, "a", {}, {"test": 0.9}, 1.0, model=b"x" * 90)  # past the class's bytes
    assert (first["model_kept"], second["model_kept"]) == (True, False)
    assert [r["has_model"] for r in store.board(code)["runs"]] == [True, False]
    with pytest.raises(BoardError) as e:
        store.submit_run(code, "a", {}, {}, 1.0)
    assert e.value.code == "runs_full"
    for _ in range(2):
        store.submit_drawing(code, "b", 1, bytes(784))
    with pytest.raises(BoardError) as e:
        store.submit_drawing(code, "b", 1, bytes(784))
    assert e.value.code == "drawings_full"
    with pytest.raises(BoardError) as e:
        store.submit_drawing(code, "b", 11, bytes(784))
    assert e.value.code == "bad_drawing"
    with pytest.raises(BoardError) as e:
        store.submit_answers(code, "stranger", "init", {"q": "a"})
    assert e.value.code == "not_joined"  # a student adds only to their own class
    store.join(code, "a", "x" * 500)  # a nickname is cut to its cap
    assert store.board(code)["runs"][0]["student"] == "x" * 40


def test_a_class_expires_and_its_teacher_deletes_it(store):
    old, _key = store.new_class(days=1)
    store.join(old, "a", "a")
    store.submit_drawing(old, "a", 3, bytes(784))
    store.clock_.now += 2 * 86400
    with pytest.raises(BoardError) as e:
        store.board(old)
    assert e.value.code == "unknown_class"
    assert store.expire() == 1
    with store.engine.connect() as c:
        assert [c.execute(sa.text(f"select count(*) from {t}")).scalar()
                for t in ("classes", "students", "drawings")] == [0, 0, 0]
    code, key = store.new_class()
    with pytest.raises(BoardError) as e:
        store.delete(code, "not the key")
    assert e.value.code == "wrong_key"
    store.delete(code, key)
    assert not store.is_teacher(code, key)


def test_a_submission_is_all_or_nothing_and_writers_share_the_file(store, tmp_path):
    code, _key = store.new_class()
    store.join(code, "a", "a")
    other = Store(store.url_, clock=store.clock).create()  # another replica, on the same database
    failed = []

    def answer(value):
        try:
            other.submit_answers(code, "a", "x", {"q": value})
        except Exception as e:  # noqa: BLE001 - counted
            failed.append(e)
    threads = [threading.Thread(target=answer, args=(str(v),)) for v in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failed == [] and len(store.board(code)["answers"]) == 1  # four writers at once: one answer
    if store.engine.dialect.name == "sqlite":
        with store.engine.connect() as c:
            assert c.execute(sa.text("pragma journal_mode")).scalar() == "wal"


def test_a_submission_that_fails_midway_leaves_nothing_behind(store):
    """One transaction: a run whose INSERT fails (a replica killed mid-submit) is not stored, and the
    student's count of the minute, written before it in the same transaction, is rolled back too."""
    code, _key = store.new_class()
    store.join(code, "a", "Ada")

    def killed(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith("INSERT INTO RUNS"):
            raise RuntimeError("the replica died here")
    sa.event.listen(store.engine, "before_cursor_execute", killed)
    try:
        with pytest.raises(RuntimeError):
            store.submit_run(code, "a", {"hidden_size": 64}, {"test": 0.9}, 1.0, model=b"m")
    finally:
        sa.event.remove(store.engine, "before_cursor_execute", killed)
    assert store.board(code)["runs"] == []
    with store.engine.connect() as c:
        assert c.execute(sa.text("select window_count from students")).scalar() == 0


def test_the_csv_opens_in_a_spreadsheet_as_text():
    data = csv_bytes(["学生", "测试准确率"], [["=HYPERLINK(\"x\")", 0.97], ["+1", None], ["@SUM(A1)", "-2"]])
    text = data.decode("utf-8")
    assert text.startswith(BOM + "学生,测试准确率\r\n")
    assert "'=HYPERLINK" in text and "'+1" in text and "'@SUM" in text and "'-2" in text
    assert "0.97" in text and not text.count("'0.97")


def test_a_database_that_never_answers_fails_within_the_timeout():
    import socket
    import time

    silent = socket.socket()  # accepts the connection (the backlog) and never says a word
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    try:
        s = Store(f"postgresql+psycopg://ffn:ffn@127.0.0.1:{silent.getsockname()[1]}/ffn_board")
        t0 = time.monotonic()
        with pytest.raises(sa.exc.OperationalError):
            s.create()
        took = time.monotonic() - t0
    finally:
        silent.close()
    assert 1.0 <= took < 8  # the connect timeout (2 s) gave up: not at once, and not after TCP's minutes


def test_a_locked_sqlite_file_fails_within_the_timeout(tmp_path):
    import sqlite3
    import time

    s = Store(f"sqlite:///{tmp_path / 'classes.db'}").create()
    code, _key = s.new_class()
    holder = sqlite3.connect(tmp_path / "classes.db")
    holder.execute("BEGIN EXCLUSIVE")  # another process writing for ever
    try:
        t0 = time.monotonic()
        with pytest.raises(sa.exc.OperationalError, match="locked"):
            s.join(code, "a", "a")
        took = time.monotonic() - t0
    finally:
        holder.rollback()
        holder.close()
    assert 1.0 <= took < 8
    assert s.join(code, "a", "a")  # and works again once the file is free


def test_info_says_what_the_page_needs_of_a_class(store):
    """info() gives a class's code, times, whether its board is public and its lesson file."""
    code, key = store.new_class()
    now = store.clock_.now
    assert store.info(code) == dict(code=code, created=now, expires=now + 7 * 86400, public=False,
                                    lesson_file=None)
    assert store.info(code.lower())["code"] == code  # typed in any case
    store.set_public(code, key, True)
    store.set_lesson(code, key, 'title = "初始化"\n')
    assert (store.info(code)["public"], store.info(code)["lesson_file"]) == (True, 'title = "初始化"\n')
    store.set_public(code, key, False)
    store.set_lesson(code, key, None)
    assert (store.info(code)["public"], store.info(code)["lesson_file"]) == (False, None)
    for gone in ("ZZZZZZ", code):
        with pytest.raises(BoardError) as e:
            store.info(gone)
        assert e.value.code == "unknown_class"
        store.clock_.now += 8 * 86400  # the second time round: the class has expired


def test_only_the_teacher_makes_the_board_public_or_sets_the_lesson(store):
    """set_public and set_lesson refuse a wrong key, or another class's key, and change nothing."""
    code, key = store.new_class()
    other, other_key = store.new_class()
    store.set_lesson(code, key, "kept")
    for wrong in ("", key + "x", key[:-1], other_key):
        with pytest.raises(BoardError) as e:
            store.set_public(code, wrong, True)
        assert e.value.code == "wrong_key"
        with pytest.raises(BoardError) as e:
            store.set_lesson(code, wrong, "replaced")
        assert e.value.code == "wrong_key"
    assert (store.info(code)["public"], store.info(code)["lesson_file"]) == (False, "kept")
    assert (store.info(other)["public"], store.info(other)["lesson_file"]) == (False, None)


def test_a_lesson_file_is_capped_in_bytes_not_characters(store):
    """set_lesson keeps a file of exactly caps.lesson_bytes UTF-8 bytes and refuses one more byte."""
    code, key = store.new_class()
    cap = store.caps.lesson_bytes
    full = "测" * (cap // 3) + "x" * (cap % 3)  # 3 bytes a character: a third of the cap in characters
    assert len(full.encode()) == cap
    store.set_lesson(code, key, full)
    assert store.info(code)["lesson_file"] == full
    with pytest.raises(BoardError) as e:
        store.set_lesson(code, key, full + "x")
    assert (e.value.code, e.value.values) == ("too_long", {"limit": cap})
    assert store.info(code)["lesson_file"] == full  # the refused file replaced nothing


def test_a_student_is_found_by_their_browser_token_in_their_class_only(store):
    """student() is None before join and {id, name} after; a token means nothing in another class."""
    code, _key = store.new_class()
    other, _other_key = store.new_class()
    assert store.student(code, "token-a") is None
    a = store.join(code, "token-a", "Ada")
    assert store.student(code, "token-a") == {"id": a, "name": "Ada"}
    assert store.student(code.lower(), "token-a") == {"id": a, "name": "Ada"}
    assert store.student(code, "token-b") is None and store.student(other, "token-a") is None
    store.join(code, "token-a", "Ada L.")  # a reload under a new nickname: the same student, renamed
    assert store.student(code, "token-a") == {"id": a, "name": "Ada L."}
    with pytest.raises(BoardError) as e:
        store.student("ZZZZZZ", "token-a")
    assert e.value.code == "unknown_class"


def test_a_model_is_read_back_as_sent_and_by_its_own_class_only(store):
    """model() gives a run's bytes back; None for no model, one over the caps, or another class's run."""
    code, _key = store.new_class()
    other, _other_key = store.new_class()
    store.join(code, "a", "a")
    store.join(other, "b", "b")
    sent = bytes(range(100))  # every byte value up to 99, and exactly caps.model_bytes long
    kept = store.submit_run(code, "a", {}, {"test": 0.9}, 1.0, model=sent)
    over = store.submit_run(code, "a", {}, {"test": 0.9}, 1.0, model=b"\x00" * 101)
    assert kept["model_kept"] and not over["model_kept"]  # the page says so
    theirs = store.submit_run(other, "b", {}, {"test": 0.9}, 1.0, model=b"theirs")
    mine = store.submit_run(other, "b", {}, {"test": 0.9}, 1.0)
    kept, over, theirs, mine = (r["id"] for r in (kept, over, theirs, mine))
    assert store.model(code, kept) == sent and isinstance(store.model(code, kept), bytes)
    assert store.model(code, over) is None and store.model(other, mine) is None
    assert store.model(other, theirs) == b"theirs"
    assert store.model(code, theirs) is None and store.model(other, kept) is None  # not across classes
    assert store.model(code, max(kept, over, theirs, mine) + 1) is None


def test_the_board_counts_the_students_who_joined(store):
    """board()["students"] counts a class's students, once each, and not another class's."""
    code, _key = store.new_class()
    other, _other_key = store.new_class()
    assert store.board(code)["students"] == 0
    store.join(code, "a", "a")
    store.join(code, "b", "")
    store.join(code, "a", "again")  # a reload is not a new student
    store.join(other, "c", "c")
    assert (store.board(code)["students"], store.board(other)["students"]) == (2, 1)


def test_a_student_may_send_per_minute_submissions_a_minute(store):
    """The (per_minute+1)-th submission in 60 s is refused, says when to retry, and is taken again later."""
    code, _key = store.new_class()
    store.join(code, "a", "a")
    store.join(code, "b", "b")
    limit, t0 = store.caps.per_minute, store.clock_.now
    store.submit_run(code, "a", {}, {"test": 0.9}, 1.0)  # every kind of submission counts
    store.submit_drawing(code, "a", 1, bytes(784))
    store.submit_answers(code, "a", "many", {f"q{i}": i for i in range(limit + 10)})  # one call: one
    for i in range(limit - 3):
        store.submit_answers(code, "a", "x", {"q": i})
    with pytest.raises(BoardError) as e:
        store.submit_drawing(code, "a", 2, bytes(784))
    assert (e.value.code, e.value.values) == ("too_fast", {"limit": limit, "seconds": 60})
    store.submit_answers(code, "b", "x", {"q": "b's"})  # another student's minute is their own
    store.clock_.now = t0 + 45
    with pytest.raises(BoardError) as e:
        store.submit_answers(code, "a", "x", {"q": "late"})
    assert (e.value.code, e.value.values) == ("too_fast", {"limit": limit, "seconds": 15})
    store.clock_.now = t0 + 59.5
    with pytest.raises(BoardError) as e:
        store.submit_run(code, "a", {}, {}, 1.0)
    assert e.value.values["seconds"] == 1  # never "retry in 0 s"
    board = store.board(code)
    assert (len(board["runs"]), len(board["drawings"])) == (1, 1)  # the refused ones left nothing
    assert {x["answer"] for x in board["answers"] if x["lesson"] == "x"} == {str(limit - 4), "b's"}
    store.clock_.now = t0 + 60  # a new minute: a full allowance again
    for i in range(limit):
        store.submit_answers(code, "a", "x", {"q": f"new {i}"})
    with pytest.raises(BoardError) as e:
        store.submit_answers(code, "a", "x", {"q": "one too many"})
    assert e.value.code == "too_fast"
    assert {x["answer"] for x in store.board(code)["answers"] if x["student"] == "a" and x["lesson"] == "x"} \
        == {f"new {limit - 1}"}


def test_two_replicas_cannot_both_take_a_students_last_submission_of_the_minute(store):
    """Two submissions at once, with one left in the minute: one is taken, the other is too_fast."""
    code, _key = store.new_class()
    store.join(code, "a", "a")
    for i in range(store.caps.per_minute - 1):
        store.submit_answers(code, "a", "x", {f"q{i}": i})
    first_read, second_done = threading.Event(), threading.Event()

    def hold_the_first_after_its_read(conn, cursor, statement, *args):
        if threading.current_thread().name == "first" and "students" in statement and not first_read.is_set():
            first_read.set()  # the first has read its student: the second now sends all of its own
            second_done.wait(1.0)  # (at most 1 s: a store that locks the row keeps the second waiting)
    outcome = {}

    def send(who):
        if who == "second":
            first_read.wait(5)
        try:
            store.submit_answers(code, "a", "race", {who: who})
            outcome[who] = "taken"
        except BoardError as e:
            outcome[who] = e.code
        finally:
            second_done.set() if who == "second" else None
    sa.event.listen(store.engine, "after_cursor_execute", hold_the_first_after_its_read)
    try:
        threads = [threading.Thread(target=send, args=(who,), name=who) for who in ("first", "second")]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sa.event.remove(store.engine, "after_cursor_execute", hold_the_first_after_its_read)
    assert first_read.is_set() and sorted(outcome.values()) == ["taken", "too_fast"]
    assert len([x for x in store.board(code)["answers"] if x["lesson"] == "race"]) == 1


def test_a_runs_settings_are_capped_as_json(store):
    """A run's settings of exactly caps.settings_chars JSON characters are kept; one more is too_long."""
    code, _key = store.new_class()
    store.join(code, "a", "a")
    cap = store.caps.settings_chars
    full = {"note": "x" * (cap - len(json.dumps({"note": ""})))}
    assert len(json.dumps(full)) == cap
    store.submit_run(code, "a", full, {"test": 0.9}, 1.0)
    with pytest.raises(BoardError) as e:
        store.submit_run(code, "a", {"note": full["note"] + "x"}, {"test": 0.9}, 1.0)
    assert (e.value.code, e.value.values) == ("too_long", {"limit": cap})
    with pytest.raises(BoardError) as e:  # measured as JSON: a Chinese character is \\uXXXX, six
        store.submit_run(code, "a", {"note": "测" * (cap // 6)}, {"test": 0.9}, 1.0)
    assert e.value.code == "too_long"
    store.submit_run(code, "a", {"hidden_size": 50}, {"test": 0.9}, 1.0)  # the refused took no run's place
    assert [r["settings"] for r in store.board(code)["runs"]] == [full, {"hidden_size": 50}]


def test_a_hostile_nickname_is_kept_as_plain_text_within_the_cap(store):
    """HTML, control characters and 10,000 characters: literal text, controls dropped, spaces folded, cut."""
    code, _key = store.new_class()
    html = "<b onclick=alert(1)>&amp;"
    sent = f"\t {html}\r\n\x07\x1b[31m\x7f\u202e" + "名" * 10_000
    sid = store.join(code, "a", sent)
    name = store.student(code, "a")["name"]
    assert name == f"{html} [31m" + "名" * (store.caps.name - len(html) - 5)  # HTML as sent, not escaped
    assert len(name) == store.caps.name and not any(unicodedata.category(ch).startswith("C") for ch in name)
    store.submit_run(code, "a", {}, {"test": 0.9}, 1.0)
    store.submit_answers(code, "a", "x", {"q": "a"})
    board = store.board(code)
    assert board["runs"][0]["student"] == board["answers"][0]["student"] == name
    assert store.join(code, "a", "   ") == sid and store.student(code, "a")["name"] == name  # blank: kept


def test_answers_lessons_and_question_ids_are_cut_to_40_characters(store):
    """submit_answers cuts a lesson, a question id and an answer to 40 characters, as text."""
    code, _key = store.new_class()
    store.join(code, "a", "a")
    store.submit_answers(code, "a", "L" * 100, {"q" * 100: "<b>" + "a" * 100, "n": 12345, 7: None})
    assert sorted((x["lesson"], x["question"], x["answer"]) for x in store.board(code)["answers"]) == [
        ("L" * 40, "7", "None"), ("L" * 40, "n", "12345"), ("L" * 40, "q" * 40, "<b>" + "a" * 37)]
    store.submit_answers(code, "a", "L" * 41, {"q" * 40 + "different tail": "b"})  # the same, once cut
    assert {x["question"]: x["answer"] for x in store.board(code)["answers"]}["q" * 40] == "b"
    assert len(store.board(code)["answers"]) == 3


def test_a_nul_or_control_character_in_a_nickname_or_answer_is_dropped_not_a_crash(store):
    """A NUL (which PostgreSQL's text refuses) or another control character is dropped on both databases."""
    code, _key = store.new_class()
    store.join(code, "a", "A\x00d\x1ba\x07")
    store.submit_answers(code, "a", "les\x00son", {"q\x00": "an\x00swer\x1b"})
    assert store.student(code, "a")["name"] == "Ada"
    answer, = store.board(code)["answers"]
    assert (answer["lesson"], answer["question"], answer["answer"]) == ("lesson", "q", "answer")


def test_a_nul_in_a_lesson_file_is_dropped_not_a_crash(store):
    """set_lesson drops a NUL (PostgreSQL's text refuses one; no TOML file holds one) and keeps the rest."""
    code, key = store.new_class()
    store.set_lesson(code, key, 'title = "a\x00b"\n')
    assert store.info(code)["lesson_file"] == 'title = "ab"\n'


def test_a_class_holds_as_many_answers_as_it_may(store):
    """Caps.answers: past it, answers_full; a later answer to a question answered is no new one."""
    store.caps = Caps(answers=3)
    code, _key = store.new_class()
    store.join(code, "a", "Ada")
    store.submit_answers(code, "a", "lesson", {"q1": "x", "q2": "y"})
    with pytest.raises(BoardError) as e:
        store.submit_answers(code, "a", "lesson", {"q3": "z", "q4": "w"})
    assert e.value.code == "answers_full" and e.value.values == {"limit": 3}
    store.submit_answers(code, "a", "lesson", {"q1": "changed", "q2": "too", "q3": "z"})  # one new: 3
    assert sorted(a["answer"] for a in store.board(code)["answers"]) == ["changed", "too", "z"]
