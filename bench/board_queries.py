"""The class board's queries for a large class: 200 runs and 2,000 drawings from 40 students.

    python -m bench.board_queries [--pg URL]

Fills a class on SQLite (a file in a temporary folder, WAL) and, with ``--pg`` (or
``FFN_TEST_PG_URL``), on PostgreSQL, then times :meth:`board.store.Store.board`, the query
the board makes every couple of seconds, 30 times each; and one submission of each kind.
Target (issue 32): the board's queries within 50 ms.
"""
import argparse
import os
import statistics
import tempfile
import time

import numpy as np
import sqlalchemy as sa

from board.schema import md
from board.store import Caps, Store

RUNS, DRAWINGS, STUDENTS = 200, 2000, 40


def fill(store):
    code, _key = store.new_class()
    rng = np.random.default_rng(0)
    for i in range(STUDENTS):
        store.join(code, f"t{i}", f"Student {i + 1}")
    for i in range(RUNS):
        store.submit_run(code, f"t{i % STUDENTS}", {"hidden_size": 64, "learning_rate": 0.1, "seed": i},
                         {"train": 0.98, "valid": 0.97, "test": 0.97}, 3.2, iters_to_90=400)
    for i in range(DRAWINGS):
        store.submit_drawing(code, f"t{i % STUDENTS}", i % 10, rng.integers(0, 255, 784, np.uint8).tobytes())
    return code


def timed(f, n):
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        f()
        out.append(1000 * (time.perf_counter() - t0))
    return out


def measure(name, url):
    engine = sa.create_engine(url)
    md.drop_all(engine)
    with engine.begin() as c:
        c.execute(sa.text("DROP TABLE IF EXISTS meta"))
    engine.dispose()
    # filled at once: a student's cap a minute, which a real class's hour never meets, is lifted
    caps = Caps(runs=RUNS, drawings=DRAWINGS, students=STUDENTS, per_minute=10 ** 6)
    store = Store(url, caps=caps).create()
    code = fill(store)
    board = timed(lambda: store.board(code), 30)
    b = store.board(code)
    assert len(b["runs"]) == RUNS and len(b["drawings"]) == DRAWINGS
    answer = timed(lambda: store.submit_answers(code, "t1", "init", {"q": "a"}), 20)
    print(f"{name}: the board of {RUNS} runs and {DRAWINGS} drawings, "
          f"median {statistics.median(board):.1f} ms, p90 {sorted(board)[int(0.9 * len(board))]:.1f} ms, "
          f"max {max(board):.1f} ms (target <= 50 ms); "
          f"an answer submitted, median {statistics.median(answer):.1f} ms", flush=True)
    store.engine.dispose()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pg", default=os.environ.get("FFN_TEST_PG_URL"), help="a PostgreSQL URL")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        measure("SQLite (WAL, one file)", f"sqlite:///{d}/classes.db")
    if args.pg:
        measure("PostgreSQL", args.pg)


if __name__ == "__main__":
    main()
