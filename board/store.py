"""The class board's storage: classes, their students, and what the students send (finished
runs, answers to a lesson's questions, labelled drawings), in a real database.

One setting chooses it: ``FFN_CLASS_DB``, a SQLAlchemy URL. The default is SQLite, a file
in ``data/`` in WAL mode, so that replicas on one machine share it; replicas on several
machines use PostgreSQL (``postgresql+psycopg://...``). The SQL is SQLAlchemy Core's for
both; only the connection's timeouts are set per driver. The schema is versioned
(``meta.schema_version``) so that a later change can migrate it.

Every write is one transaction: a replica killed mid-submit leaves a submission either
stored or not. Every call waits at most ``TIMEOUT`` seconds for the database.
"""
import hashlib
import hmac
import json
import secrets
import time
import unicodedata

import sqlalchemy as sa

from .caps import BoardError, Caps  # noqa: F401 - the board's refusals and limits, here too
from .engine import DEFAULT_URL, TIMEOUT, engine_for  # noqa: F401 - the board's settings, here too
from .schema import (CODE_LENGTH, SCHEMA_VERSION, SENT, TEXT, answers, classes, drawings, md, meta,
                     runs, students)

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud and typed from a projector

def plain(value, n):
    """``value`` as text a student may send: control and format characters (a NUL, a
    right-to-left override) dropped, runs of spaces made one, cut to ``n`` characters."""
    text = "".join(ch for ch in str(value) if unicodedata.category(ch)[0] != "C" or ch in " \t\n")
    return " ".join(text.split())[:n]


def digest(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


class Store:
    """The board's database: :meth:`create` makes the tables (and the schema's version) if
    they are not there; every other method is one transaction."""

    def __init__(self, url=None, caps=Caps(), clock=time.time):
        self.engine, self.caps, self.clock = engine_for(url), caps, clock

    def create(self):
        md.create_all(self.engine)
        with self.engine.begin() as c:
            found = c.execute(sa.select(meta.c.value).where(meta.c.key == "schema_version")).scalar()
            if found is None:
                c.execute(meta.insert().values(key="schema_version", value=str(SCHEMA_VERSION)))
            elif int(found) != SCHEMA_VERSION:
                raise RuntimeError(f"the class database has schema {found}; this code reads {SCHEMA_VERSION}")
        return self

    def new_class(self, days=None):
        """A new class: ``(code, teacher_key)``. The key is shown once and stored hashed."""
        now, key = self.clock(), secrets.token_urlsafe(24)
        life = (self.caps.days if days is None else days) * 86400
        with self.engine.begin() as c:
            if c.execute(sa.select(sa.func.count()).select_from(classes)
                         .where(classes.c.expires > now)).scalar() >= self.caps.classes:
                raise BoardError("full", "this server holds as many classes as it may",
                                 limit=self.caps.classes)
            for _ in range(20):
                code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
                if c.execute(sa.select(classes.c.id).where(classes.c.code == code)).first() is None:
                    break
            c.execute(classes.insert().values(code=code, teacher_hash=digest(key), created=now,
                                              expires=now + life, board_public=False))
        return code, key

    def _class(self, c, code, lock=False):
        """Class ``code``'s row; ``lock``: held until the transaction ends (PostgreSQL: a second
        writer to the class waits, so that two cannot both take its last place under a cap)."""
        query = sa.select(classes).where(classes.c.code == str(code)[:CODE_LENGTH].upper())
        row = c.execute(query.with_for_update() if lock else query).first()
        if row is None or row.expires <= self.clock():
            raise BoardError("unknown_class", f"no class {code!r} on this server")
        return row

    def is_teacher(self, code, key):
        """Whether ``key`` is ``code``'s teacher key (compared in constant time)."""
        with self.engine.connect() as c:
            try:
                row = self._class(c, code)
            except BoardError:
                return False
        return hmac.compare_digest(row.teacher_hash, digest(str(key)))

    def info(self, code):
        """What the page needs of class ``code``: ``{code, created, expires, public, lesson_file}``."""
        with self.engine.connect() as c:
            row = self._class(c, code)
        return dict(code=row.code, created=row.created, expires=row.expires, public=bool(row.board_public),
                    lesson_file=row.lesson_file)

    def _teacher(self, c, code, key):
        row = self._class(c, code)
        if not hmac.compare_digest(row.teacher_hash, digest(str(key))):
            raise BoardError("wrong_key", "only the class's teacher may do this")
        return row

    def set_public(self, code, key, public):
        """Whether the class's students see its board (its teacher's ``key`` only)."""
        with self.engine.begin() as c:
            row = self._teacher(c, code, key)
            c.execute(classes.update().where(classes.c.id == row.id).values(board_public=bool(public)))

    def set_lesson(self, code, key, text):
        """The lesson file (TOML text, or None for none) offered to the class's students."""
        if text is not None:
            text = text.replace("\x00", "")  # PostgreSQL's text refuses a NUL, and no TOML file holds one
        if text is not None and len(text.encode()) > self.caps.lesson_bytes:
            raise BoardError("too_long", "the lesson file is over the cap", limit=self.caps.lesson_bytes)
        with self.engine.begin() as c:
            row = self._teacher(c, code, key)
            c.execute(classes.update().where(classes.c.id == row.id).values(lesson_file=text))

    def student(self, code, token):
        """The student of browser ``token`` in class ``code``: ``{id, name}``, or None if not joined."""
        with self.engine.connect() as c:
            cls = self._class(c, code)
            row = c.execute(sa.select(students.c.id, students.c.name).where(
                students.c.class_id == cls.id, students.c.token_hash == digest(token))).first()
        return None if row is None else dict(id=row.id, name=row.name)

    def join(self, code, token, name, default="Student {n}"):
        """The student of browser ``token`` in class ``code`` under ``name`` (a nickname or a seat
        number, cut to the cap; none: ``default`` with their number): their id, the same on a reload."""
        name = plain(name, self.caps.name)
        with self.engine.begin() as c:
            cls = self._class(c, code, lock=True)
            found = c.execute(sa.select(students.c.id).where(
                students.c.class_id == cls.id, students.c.token_hash == digest(token))).scalar()
            if found is not None:
                if name:
                    c.execute(students.update().where(students.c.id == found).values(name=name))
                return found
            n = c.execute(sa.select(sa.func.count()).select_from(students)
                          .where(students.c.class_id == cls.id)).scalar()
            if n >= self.caps.students:
                raise BoardError("class_full", "the class has as many students as it may",
                                 limit=self.caps.students)
            name = name or plain(default.format(n=n + 1), self.caps.name)
            return c.execute(students.insert().values(class_id=cls.id, token_hash=digest(token), name=name,
                                                      joined=self.clock())).inserted_primary_key[0]

    def _student(self, c, code, token, lock=True):
        """The class and the student sending, whose submission this is: one more this minute,
        within the cap. One conditional UPDATE counts it, so that two replicas sending at once
        cannot both take the minute's last place (the second waits for the first's row)."""
        cls = self._class(c, code, lock=lock)
        sid = c.execute(sa.select(students.c.id).where(
            students.c.class_id == cls.id, students.c.token_hash == digest(token))).scalar()
        if sid is None:
            raise BoardError("not_joined", "join the class first")
        now = self.clock()
        fresh = students.c.window_start <= now - 60  # the student's minute is over: a new one begins
        counted = c.execute(students.update().where(
            students.c.id == sid, sa.or_(fresh, students.c.window_count < self.caps.per_minute)).values(
            window_start=sa.case((fresh, now), else_=students.c.window_start),
            window_count=sa.case((fresh, 1), else_=students.c.window_count + 1))).rowcount
        if counted != 1:
            start = c.execute(sa.select(students.c.window_start).where(students.c.id == sid)).scalar()
            raise BoardError("too_fast", "too many submissions in a minute", limit=self.caps.per_minute,
                             seconds=max(1, round(start + 60 - now)))
        return cls, sid

    def _count(self, c, table, cls):
        return c.execute(sa.select(sa.func.count()).select_from(table)
                         .where(table.c.class_id == cls.id)).scalar()

    def submit_run(self, code, token, settings, final, wall_seconds, iters_to_90=None, model=None):
        """A finished run: its settings (a dict), final accuracies, wall time, iterations to 90 %
        and its model file, within the caps. One transaction. Returns ``{id, model_kept}``: a
        model over the caps is left out, the run kept."""
        settings = dict(settings)
        if len(json.dumps(settings)) > self.caps.settings_chars:
            raise BoardError("too_long", "the run's settings are over the cap",
                             limit=self.caps.settings_chars)
        with self.engine.begin() as c:
            cls, sid = self._student(c, code, token)
            if self._count(c, runs, cls) >= self.caps.runs:
                raise BoardError("runs_full", "the class has as many runs as it may", limit=self.caps.runs)
            if model is not None:
                held = c.execute(sa.select(sa.func.coalesce(sa.func.sum(sa.func.length(runs.c.model)), 0))
                                 .where(runs.c.class_id == cls.id)).scalar()
                if len(model) > self.caps.model_bytes or held + len(model) > self.caps.class_model_bytes:
                    model = None  # the run is kept, its model not: the board tests only what it holds
            rid = c.execute(runs.insert().values(
                class_id=cls.id, student_id=sid, settings=settings, train=final.get("train"),
                valid=final.get("valid"), test=final.get("test"), wall_seconds=wall_seconds,
                iters_to_90=iters_to_90, model=model, created=self.clock())).inserted_primary_key[0]
            return {"id": rid, "model_kept": model is not None}

    def submit_answers(self, code, token, lesson, given):
        """A student's answers to a lesson's questions, by the questions' ids (a later answer
        to the same question replaces the earlier, even when two replicas write it at once)."""
        lesson = plain(lesson, TEXT)
        with self.engine.begin() as c:
            cls, sid = self._student(c, code, token)
            asked = {plain(q, TEXT) for q in given}
            again = c.execute(sa.select(sa.func.count()).select_from(answers).where(  # replaced, not new
                answers.c.student_id == sid, answers.c.lesson == lesson,
                answers.c.question.in_(asked))).scalar()
            if self._count(c, answers, cls) + len(asked) - again > self.caps.answers:
                raise BoardError("answers_full", "the class has as many answers as it may",
                                 limit=self.caps.answers)
            for qid, value in given.items():
                row = dict(answer=plain(value, TEXT), created=self.clock())
                try:
                    with c.begin_nested():  # a savepoint: the other writer's row makes this an update
                        c.execute(answers.insert().values(class_id=cls.id, student_id=sid, lesson=lesson,
                                                          question=plain(qid, TEXT), **row))
                except sa.exc.IntegrityError:
                    c.execute(answers.update().where(answers.c.student_id == sid, answers.c.lesson == lesson,
                                                     answers.c.question == plain(qid, TEXT)).values(**row))

    def submit_drawing(self, code, token, label, pixels):
        """A labelled drawing: the 28x28 input the network reads, as 784 bytes."""
        if int(label) not in range(10) or len(pixels) != 784:
            raise BoardError("bad_drawing", "a drawing is 784 pixels and a digit 0-9")
        with self.engine.begin() as c:
            cls, sid = self._student(c, code, token)
            if self._count(c, drawings, cls) >= self.caps.drawings:
                raise BoardError("drawings_full", "the class has as many drawings as it may",
                                 limit=self.caps.drawings)
            c.execute(drawings.insert().values(class_id=cls.id, student_id=sid, label=int(label),
                                               pixels=bytes(pixels), created=self.clock()))

    def board(self, code):
        """What the board shows of class ``code``: ``{runs, answers, drawings}``, lists of dicts
        (a run's model bytes left out; a drawing's pixels in), and ``students``, how many joined."""
        with self.engine.connect() as c:
            cls = self._class(c, code)
            name = students.c.name.label("student")
            cols = [runs.c[k] for k in ("id", "settings", "train", "valid", "test", "wall_seconds",
                                        "iters_to_90", "created")]
            held = runs.c.model.isnot(None).label("has_model")
            given = (answers.c.lesson, answers.c.question, answers.c.answer)
            out = {"runs": c.execute(sa.select(*cols, name, held)
                                     .join(students).where(runs.c.class_id == cls.id).order_by(runs.c.id)),
                   "answers": c.execute(sa.select(*given, name)
                                        .join(students).where(answers.c.class_id == cls.id)),
                   "drawings": c.execute(sa.select(drawings.c.id, drawings.c.label, drawings.c.pixels, name)
                                         .join(students).where(drawings.c.class_id == cls.id)
                                         .order_by(drawings.c.id))}
            board = {k: [dict(r._mapping) for r in rows] for k, rows in out.items()}
            board["students"] = self._count(c, students, cls)
            return board

    def model(self, code, run_id):
        """The model file (bytes) of run ``run_id`` of class ``code``, or None if it holds none."""
        with self.engine.connect() as c:
            cls = self._class(c, code)
            return c.execute(sa.select(runs.c.model).where(runs.c.class_id == cls.id,
                                                           runs.c.id == int(run_id))).scalar()

    def delete(self, code, key):
        """Delete class ``code`` and all it holds, at once: its teacher's ``key`` only."""
        if not self.is_teacher(code, key):
            raise BoardError("wrong_key", "only the class's teacher may delete it")
        with self.engine.begin() as c:
            cls = self._class(c, code)
            for table in (*SENT, students):
                c.execute(table.delete().where(table.c.class_id == cls.id))
            c.execute(classes.delete().where(classes.c.id == cls.id))

    def expire(self):
        """Delete every class past its time, with all it holds; returns how many."""
        now = self.clock()
        with self.engine.begin() as c:
            ids = [r.id for r in c.execute(sa.select(classes.c.id).where(classes.c.expires <= now))]
            for table in (*SENT, students):
                c.execute(table.delete().where(table.c.class_id.in_(ids)))
            c.execute(classes.delete().where(classes.c.id.in_(ids)))
        return len(ids)
