"""The class board: what every student of a class found (runs, answers, drawings), kept in a
real database (:mod:`board.store`). Pure Python and SQLAlchemy Core: the page draws it."""
