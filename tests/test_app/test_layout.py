"""The project's rooms: ffn/ is the NumPy library, serve/ the service that trains a class's
runs, ui/ the Streamlit side, app.py the wiring, bench/ the benchmarks. Imports run one way:
app and bench -> ui -> serve -> ffn."""

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


PAGE_ONLY = {"streamlit", "plotly", "streamlit_drawable_canvas", "segno"}
ABOVE = {  # what each package may never import: the rooms above it
    "ffn": {"serve", "ui", "bench", "deploy", "tests", *PAGE_ONLY},
    "serve": {"ui", "bench", "deploy", "tests", *PAGE_ONLY},
    "ui": {"bench", "deploy", "tests"},
}


def intra_imports(path, package):
    """The modules of ``package`` that ``path`` (one of its modules) imports."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            names |= {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module.split(".")[0] == package:
            parts = node.module.split(".")
            names |= {parts[1]} if len(parts) > 1 else {a.name for a in node.names}
        elif isinstance(node, ast.Import):
            names |= {a.name.split(".")[1] for a in node.names if a.name.startswith(package + ".")}
    return names - {"__init__", path.stem}


@pytest.mark.parametrize("package", sorted(ABOVE))
def test_imports_never_go_up_a_room(package):
    upward = {p.name: imported(p) & ABOVE[package] for p in sorted((ROOT / package).glob("*.py"))}
    assert {name: found for name, found in upward.items() if found} == {}


def import_cycle(graph):
    """A cycle in ``graph`` (module -> the modules it imports) as a list, or None."""
    done, on_path = set(), []

    def visit(m):
        if m in on_path:
            return on_path[on_path.index(m):] + [m]
        if m in done:
            return None
        on_path.append(m)
        for d in sorted(graph[m]):
            cycle = visit(d)
            if cycle:
                return cycle
        on_path.pop()
        done.add(m)
        return None

    return next((c for m in sorted(graph) if (c := visit(m))), None)


@pytest.mark.parametrize("package", sorted(ABOVE))
def test_no_package_has_an_import_cycle(package):
    modules = {p.stem: p for p in (ROOT / package).glob("*.py")}
    graph = {m: intra_imports(p, package) & set(modules) for m, p in modules.items()}
    assert import_cycle(graph) is None


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
