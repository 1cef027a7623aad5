"""The class board's tables (SQLAlchemy Core) and the schema's version.

A class has students; each thing a student sends (a run, an answer, a drawing) is a row
that names its class and its student, deleted with either.
"""
import sqlalchemy as sa

SCHEMA_VERSION = 1  # meta.schema_version: a later schema migrates from it
CODE_LENGTH = 6
NAME = 40   # characters of a nickname
TEXT = 40   # characters of a lesson's or question's id, and of an answer

md = sa.MetaData()
meta = sa.Table("meta", md, sa.Column("key", sa.String(40), primary_key=True),
                sa.Column("value", sa.String(200), nullable=False))
classes = sa.Table(
    "classes", md,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("code", sa.String(CODE_LENGTH), nullable=False, unique=True),
    sa.Column("teacher_hash", sa.String(64), nullable=False),   # sha256 of the teacher key, hex
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("expires", sa.Float, nullable=False, index=True),
    sa.Column("board_public", sa.Boolean, nullable=False, default=False),  # students see the board too
    sa.Column("lesson_file", sa.Text))                 # a teacher's lesson (TOML), offered to students
students = sa.Table(
    "students", md,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("class_id", sa.Integer, sa.ForeignKey("classes.id", ondelete="CASCADE"), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False),     # the browser's token, hashed
    sa.Column("name", sa.String(NAME), nullable=False),
    sa.Column("joined", sa.Float, nullable=False),
    # this minute's submissions, for the per-minute cap: since when, and how many
    sa.Column("window_start", sa.Float, nullable=False, default=0.0),
    sa.Column("window_count", sa.Integer, nullable=False, default=0),
    sa.UniqueConstraint("class_id", "token_hash"))


def _sent(name, *columns):
    """A table of what students send: its id, class, student and time, then ``columns``."""
    return sa.Table(
        name, md,
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("class_id", sa.Integer, sa.ForeignKey("classes.id", ondelete="CASCADE"), nullable=False,
                  index=True),
        sa.Column("student_id", sa.Integer, sa.ForeignKey("students.id", ondelete="CASCADE"),
                  nullable=False),
        sa.Column("created", sa.Float, nullable=False),
        *columns)


runs = _sent("runs", sa.Column("settings", sa.JSON, nullable=False),
             sa.Column("train", sa.Float), sa.Column("valid", sa.Float), sa.Column("test", sa.Float),
             sa.Column("wall_seconds", sa.Float), sa.Column("iters_to_90", sa.Integer),
             sa.Column("model", sa.LargeBinary))                 # its .npz, within the caps
answers = _sent("answers", sa.Column("lesson", sa.String(TEXT), nullable=False),
                sa.Column("question", sa.String(TEXT), nullable=False),
                sa.Column("answer", sa.String(TEXT), nullable=False),
                sa.UniqueConstraint("student_id", "lesson", "question"))
drawings = _sent("drawings", sa.Column("label", sa.Integer, nullable=False),
                 sa.Column("pixels", sa.LargeBinary, nullable=False))  # the 28x28 input, uint8, 784 bytes
SENT = (runs, answers, drawings)
