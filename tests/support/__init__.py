"""Helpers the tests (and the benches) share: where the project is, AppTest's reruns, a real
browser on the app (browser), drawn digits (sketch), hostile files (hostile) and the
textbook engine the fast one is checked against (reference)."""
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the checkout
APP = str(ROOT / "app.py")
