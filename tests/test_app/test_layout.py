"""The project's rooms: ffn/ is the NumPy library, serve/ the service that trains a class's
runs, guide/ the guided lessons' files and checks, board/ the class board's database, ui/ the
Streamlit side, app.py the wiring, bench/ the benchmarks. Imports run one way: app and bench ->
ui -> serve, guide, board -> ffn."""

import ast
import re
import subprocess
import sys

import pytest
from tests.support import ROOT
from tests.support.structure import import_cycle, import_graph, imported, intra_imports

LIBRARY = sorted((ROOT / "ffn").glob("*.py"))
SERVICE = sorted((ROOT / "serve").glob("*.py"))
PAGE = sorted((ROOT / "ui").glob("*.py"))
GUIDE = sorted((ROOT / "guide").glob("*.py"))
BOARD = sorted((ROOT / "board").glob("*.py"))



PAGE_ONLY = {"streamlit", "plotly", "streamlit_drawable_canvas", "segno"}
ABOVE = {  # what each package may never import: the rooms above it
    "ffn": {"serve", "guide", "board", "ui", "bench", "deploy", "tests", *PAGE_ONLY},
    "serve": {"ui", "guide", "board", "bench", "deploy", "tests", *PAGE_ONLY},
    "guide": {"serve", "ui", "board", "bench", "deploy", "tests", *PAGE_ONLY},
    "board": {"serve", "ui", "guide", "bench", "deploy", "tests", *PAGE_ONLY},
    "ui": {"bench", "deploy", "tests"},
}




@pytest.mark.parametrize("package", sorted(ABOVE))
def test_imports_never_go_up_a_room(package):
    upward = {p.name: imported(p) & ABOVE[package] for p in sorted((ROOT / package).glob("*.py"))}
    assert {name: found for name, found in upward.items() if found} == {}




@pytest.mark.parametrize("package", sorted(ABOVE))
def test_no_package_has_an_import_cycle(package):
    assert import_cycle(import_graph(ROOT / package)) is None


def test_an_import_cycle_is_found(tmp_path):
    """The checks above can fail: two modules that import each other are a cycle."""
    (tmp_path / "a.py").write_text("from .b import x\n")
    (tmp_path / "b.py").write_text("from pkg import a\n")
    graph = {m: intra_imports(tmp_path / f"{m}.py", "pkg") for m in ("a", "b")}
    assert graph == {"a": {"b"}, "b": {"a"}}
    assert import_cycle(graph) == ["a", "b", "a"]
    assert import_cycle({"a": {"b"}, "b": set()}) is None


def test_tests_and_benches_import_as_packages():
    """python -m bench.NAME and pytest's importlib mode find every module: no path is patched."""
    patch = "sys.path" + ".insert"  # written in two, so that this file is not one of them
    files = [p for folder in ("tests", "bench") for p in (ROOT / folder).rglob("*.py")]
    assert [p for p in files if patch in p.read_text()] == []


def test_the_linter_passes():
    """ruff with the rules pyproject.toml selects, the line length among them."""
    r = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "."], cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-1000:]


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


@pytest.mark.parametrize("path", LIBRARY + SERVICE + GUIDE + BOARD + PAGE,
                         ids=lambda p: f"{p.parent.name}/{p.name}")
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
