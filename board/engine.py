"""The board's database engine, chosen by one setting: ``FFN_CLASS_DB``, a SQLAlchemy URL.
The default is SQLite, a file in ``data/``, in WAL mode so that replicas on one machine
share it; replicas on several machines use PostgreSQL (``postgresql+psycopg://...``).
Only the connection's timeouts are set per driver: the SQL is SQLAlchemy Core's for both.
"""
import os
from pathlib import Path

import sqlalchemy as sa

TIMEOUT = 2.0   # seconds any database call may wait
DEFAULT_URL = "sqlite:///" + str(Path(__file__).resolve().parent.parent / "data" / "classes.db")


def engine_for(url=None):
    """The engine for ``url`` (default ``FFN_CLASS_DB``, else SQLite in ``data/``), every call
    bounded by TIMEOUT; SQLite in WAL mode with foreign keys on."""
    url = sa.engine.make_url(url or os.environ.get("FFN_CLASS_DB") or DEFAULT_URL)
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"timeout": TIMEOUT})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(conn, _record):
            cur = conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")       # readers never wait for a writer; replicas share it
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={int(TIMEOUT * 1000)}")
            cur.close()
        return engine
    ms = int(TIMEOUT * 1000)  # PostgreSQL: connecting, and each statement, within TIMEOUT
    return sa.create_engine(url, pool_pre_ping=True, pool_timeout=TIMEOUT,
                            connect_args={"connect_timeout": max(1, int(TIMEOUT)),
                                          "options": f"-c statement_timeout={ms} -c lock_timeout={ms}"})
