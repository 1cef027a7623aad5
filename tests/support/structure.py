"""A package's structure, read from its source: what each module imports, the import
graph inside a package, its cycles and its floors. The layout tests check it; ``python -m
bench.structure`` prints its figures."""
import ast


def imported(path):
    """Top-level names of every module ``path`` imports, anywhere in the file."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


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


def import_graph(folder):
    """``{module: the modules of the package in folder it imports}``."""
    modules = {p.stem: p for p in sorted(folder.glob("*.py"))}
    return {m: intra_imports(p, folder.name) & set(modules) for m, p in modules.items()}


def floors(graph):
    """The longest chain of imports inside the package, counted in modules (a cycle-free graph)."""
    memo = {}

    def floor(m):
        if m not in memo:
            memo[m] = 1 + max((floor(d) for d in graph[m]), default=0)
        return memo[m]

    return max((floor(m) for m in graph), default=0)
