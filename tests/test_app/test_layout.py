"""The project's rooms: ffn/ is the NumPy library, serve/ the service that trains a class's
runs, ui/ the Streamlit side, app.py the wiring. Imports run one way: ui -> serve -> ffn."""

import ast
import re
import subprocess
import sys

import pytest
from tests.support import ROOT

LIBRARY = sorted((ROOT / "ffn").glob("*.py"))
SERVICE = sorted((ROOT / "serve").glob("*.py"))
PAGE = sorted((ROOT / "ui").glob("*.py"))


def imported(path):
    """Top-level names of every module ``path`` imports, anywhere in the file."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.name)
def test_the_library_never_imports_the_page_or_the_service(path):
    assert imported(path) & {"streamlit", "plotly", "ui", "streamlit_drawable_canvas", "serve"} == set()


@pytest.mark.parametrize("path", SERVICE, ids=lambda p: p.name)
def test_the_service_never_imports_the_page(path):
    assert imported(path) & {"streamlit", "plotly", "ui", "streamlit_drawable_canvas"} == set()


@pytest.mark.parametrize("path", SERVICE, ids=lambda p: p.name)
def test_the_service_keeps_its_lines_short(path):
    assert max(len(line) for line in path.read_text().splitlines()) <= 110


def test_the_library_imports_without_pillow():
    """numpy is all the maths needs: Pillow is imported only where an image is decoded."""
    import numpy as np
    from tests.support.hostile import png_of

    png = png_of(np.zeros((2, 2, 4), np.uint8))
    code = (
        "import sys; sys.modules['PIL'] = None\n"  # makes `import PIL` fail
        "import ffn, ffn.layers, ffn.network, ffn.trainer, ffn.model_io, ffn.settings\n"
        "net = ffn.MultiLayerNet(784, [8], 10, seed=0)\n"
        "assert net.predict_proba(__import__('numpy').zeros(784)).shape == (1, 10)\n"
        f"try:\n    ffn.decode_png({png!r}, 100)\nexcept ImportError:\n    print('ok')"
    )
    r = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr


@pytest.mark.parametrize("path", LIBRARY + SERVICE + PAGE, ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_module_is_short(path):
    assert len(path.read_text().splitlines()) <= 300


def test_app_py_is_wiring_only():
    assert len((ROOT / "app.py").read_text().splitlines()) <= 120
    assert imported(ROOT / "app.py") <= {"streamlit", "ui"}


def test_the_readme_names_every_choice_of_the_one_table():
    from ffn.settings import CHOICES
    from ui.fields import CHOICE_LABELS

    readme = (ROOT / "README.md").read_text()
    missing = [
        c
        for choices in CHOICES.values()
        for c in choices
        if CHOICE_LABELS[c].split(" (")[0] not in readme and c not in readme
    ]
    assert missing == []


def test_the_address_is_read_and_written_only_through_the_link_codec():
    """ui/link.py knows an address's parameters, and is pure; the page hands it the whole
    query and writes back all it returns, so no parameter is read or kept by hand."""

    def uses(path):
        return [
            n
            for n in ast.walk(ast.parse(path.read_text()))
            if isinstance(n, ast.Attribute)
            and isinstance(n.value, ast.Attribute)
            and n.value.attr == "query_params"
        ]

    assert {p.name for p in [*PAGE, ROOT / "app.py"] if uses(p)} == {"lesson_panel.py"}
    assert {n.attr for n in uses(ROOT / "ui" / "lesson_panel.py")} == {"to_dict", "from_dict"}
    assert "query_params" not in re.sub(
        r"query_params\.(to_dict|from_dict)",
        "",
        (ROOT / "app.py").read_text() + (ROOT / "ui" / "lesson_panel.py").read_text(),
    )
    assert imported(ROOT / "ui" / "link.py") <= {"math", "re", "dataclasses", "urllib"}
