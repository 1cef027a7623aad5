"""The code's structure in figures: each package's modules, lines and import floors, its
import cycles, the longest functions, and the lines over the linter's limit.

    python -m bench.structure [--at COMMIT] [--longest 6]

``--at`` reads another commit (from a temporary ``git worktree``), for a before-and-after.
"""
import argparse
import ast
import subprocess
import tempfile
from pathlib import Path

from tests.support.structure import floors, import_cycle, import_graph

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("ffn", "serve", "ui")
LIMIT = 110  # pyproject.toml's line length


def report(root, longest):
    sources = [root / "app.py"]
    for package in PACKAGES:
        folder = root / package
        if not folder.is_dir():
            continue
        files = sorted(folder.glob("*.py"))
        sources += files
        graph = import_graph(folder)
        cycle = import_cycle(graph)
        lines = sum(len(p.read_text().splitlines()) for p in files)
        print(f"{package}/: {len(files)} modules, {lines:,} lines, "
              f"import floors {floors(graph) if cycle is None else 'n/a'}, "
              f"cycle {' -> '.join(cycle) if cycle else 'none'}")
    functions = []
    for path in sources:
        tree = ast.parse(path.read_text())
        functions += [(n.end_lineno - n.lineno + 1, f"{path.relative_to(root)}:{n.name}")
                      for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    top = sorted(functions, reverse=True)[:longest]
    print("longest functions (lines):", ", ".join(f"{n} {name}" for n, name in top))
    over = sum(len(line) > LIMIT for path in sources for line in path.read_text().splitlines())
    print(f"lines over {LIMIT} characters in app.py and {', '.join(PACKAGES)}: {over}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--at", help="a commit to read instead of this checkout")
    ap.add_argument("--longest", type=int, default=6)
    args = ap.parse_args()
    if args.at is None:
        report(ROOT, args.longest)
        return
    with tempfile.TemporaryDirectory() as d:
        tree = Path(d) / "tree"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(tree), args.at],
                       check=True, capture_output=True)
        try:
            report(tree, args.longest)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)], check=True)


if __name__ == "__main__":
    main()
