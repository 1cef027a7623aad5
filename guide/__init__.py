"""Guided lessons: lesson files (``lessons/*.toml``), read and checked (:mod:`guide.lesson`),
the checks a step moves on with (:mod:`guide.checks`), and the printable worksheets made
from them. Pure Python: the page (``ui/guide_panel.py``) draws them."""
