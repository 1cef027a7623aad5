"""The class board's storage, every test on SQLite and on PostgreSQL (``FFN_TEST_PG_URL``, a
real server: .ci/run starts one; in CI its tests fail, not skip, when it is missing)."""
import os
import threading

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
    store.submit_run(code, "a", {}, {"test": 0.9}, 1.0, model=b"x" * 90)
    store.submit_run(code, "a", {}, {"test": 0.9}, 1.0, model=b"x" * 90)  # past the class's model bytes
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
    with pytest.raises((sa.exc.StatementError, TypeError)):  # wrapped by one driver, not the other
        store.submit_run(code, "a", {"x": object()}, {}, 1.0)  # fails inside the transaction...
    assert store.board(code)["runs"] == []  # ...and leaves nothing behind


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
