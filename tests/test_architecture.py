"""The import graph of gptstudio, gpts and actions: one-way layers and no cycles (docs/ARCHITECTURE.md).

The graph is read with `ast`, so function-local imports count as much as module-level ones, and
`from package import name` points at the submodule `package.name` when there is one. Migrations
and tests are left out. That importing `actions.schema` loads no Django module at run time is
tested in tests/actions/schema/test_cli.py; here the engine's own imports are checked statically.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("gptstudio", "gpts", "actions")
FRAMEWORKS = ("django", "rest_framework", "celery", "drf_spectacular", "django_filters")

ENGINE, CORE, DOMAIN, PORTABLE, INTERFACE = range(5)
LAYER_NAMES = ("engine", "core", "domain", "portable", "interface")

DOMAIN_MODULES = {
    "gpts.models",
    "gpts.permissions",
    "gpts.access",
    "gpts.selectors",
    "gpts.services",
    "gpts.validation",
    "gpts.jobs",
    "gpts.pictures",
    "gpts.picture_fetch",
    "gpts.fields",
    "gpts.filters",
    "gpts.diff",
    "gpts.signals",
    "gpts.mcp.catalog",
    "gpts.mcp.calls",
    "gpts.mcp.limits",
    "gpts.mcp.access",
    # A revision stores the GPT's document and diffs compare documents: building one from a GPT and
    # the format's keys are part of saving. Reading, rendering, importing and exporting are portable.
    "gpts.document.build",
    "gpts.document_schema",
    "actions.models",
    "actions.domain",
    "actions.services",
    "actions.selectors",
    "actions.operations",
    "actions.runner",
    "actions.calls",
    "actions.heavy",
    "actions.imports",
    "actions.schema_reports",
    "actions.upstream",
    "actions.fields",
}
PORTABLE_MODULES = {"gpts.bundle", "gpts.importers", "gpts.chatgpt_import", "gpts.uploads"}
PORTABLE_PACKAGES = ("gpts.document", "gpts.exporters")
# gptstudio modules that are interfaces (entry points), above everything else.
CORE_INTERFACE_MODULES = {"gptstudio.api_urls", "gptstudio.urls", "gptstudio.asgi", "gptstudio.wsgi"}
INTERFACE_SUFFIXES = ("admin", "forms", "apps", "tasks", "context_processors")
INTERFACE_PARTS = ("api", "management", "templatetags", "demo")
INTERFACE_MODULES = {"gpts.mcp.endpoint", "gpts.mcp.oauth"}


def _in_package(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def layer_of(module: str) -> int:
    """The layer of a module of gptstudio, gpts or actions (the map in docs/ARCHITECTURE.md)."""
    parts = module.split(".")
    if _in_package(module, "actions.schema"):
        return ENGINE
    if (
        module in CORE_INTERFACE_MODULES
        or module in INTERFACE_MODULES
        or parts[-1] in INTERFACE_SUFFIXES
        or parts[-1].startswith(("views", "urls"))
        or any(part in INTERFACE_PARTS for part in parts[1:])
    ):
        return INTERFACE
    if parts[0] == "gptstudio":
        return CORE
    if module in DOMAIN_MODULES:
        return DOMAIN
    if module in PORTABLE_MODULES or any(_in_package(module, package) for package in PORTABLE_PACKAGES):
        return PORTABLE
    if module in PACKAGES or module == "gpts.mcp":  # packages whose __init__ holds only a docstring
        return DOMAIN
    raise AssertionError(f"{module} has no layer: add it to the map in tests/test_architecture.py")


def project_modules(root: Path = ROOT) -> dict[str, Path]:
    modules = {}
    for package in PACKAGES:
        for path in (root / package).rglob("*.py"):
            relative = path.relative_to(root)
            if "migrations" in relative.parts:
                continue
            name = ".".join(relative.with_suffix("").parts)
            modules[name.removesuffix(".__init__")] = path
    return modules


def imported_names(tree: ast.AST, module: str, is_package: bool) -> set[str]:
    """Every dotted name a module imports, anywhere in it; `from a import b` gives both a and a.b."""
    package = module if is_package else module.rpartition(".")[0]
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            names.add(source)
            names.update(f"{source}.{alias.name}" for alias in node.names)
    return names


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """module -> the project modules it imports (a name resolves to its longest known module)."""
    graph = {}
    for module, path in modules.items():
        targets = set()
        tree = ast.parse(path.read_text(), filename=str(path))
        for name in imported_names(tree, module, path.name == "__init__.py"):
            if name.split(".")[0] not in PACKAGES:
                continue
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != module:
                targets.add(name)
        graph[module] = targets
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, successors = work[-1]
            for successor in successors:
                if successor not in index:
                    index[successor] = low[successor] = len(index)
                    stack.append(successor)
                    on_stack.add(successor)
                    work.append((successor, iter(sorted(graph.get(successor, ())))))
                    break
                if successor in on_stack:
                    low[node] = min(low[node], index[successor])
            else:
                work.pop()
                if work:
                    parent = work[-1][0]
                    low[parent] = min(low[parent], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


def upward_imports(graph: dict[str, set[str]], layer=layer_of) -> list[str]:
    return sorted(
        f"{module} ({LAYER_NAMES[layer(module)]}) imports {target} ({LAYER_NAMES[layer(target)]})"
        for module, targets in graph.items()
        for target in targets
        if layer(target) > layer(module)
    )


# --- The project ------------------------------------------------------------------------------------

GRAPH = import_graph(project_modules())


def test_every_module_has_a_layer():
    for module in GRAPH:
        layer_of(module)


def test_no_module_imports_a_higher_layer():
    assert upward_imports(GRAPH) == []


def test_there_are_no_import_cycles():
    assert cycles(GRAPH) == []


def test_the_schema_engine_imports_no_framework_statically():
    framework_imports = []
    for module, path in project_modules().items():
        if not _in_package(module, "actions.schema"):
            continue
        names = imported_names(ast.parse(path.read_text()), module, path.name == "__init__.py")
        framework_imports += [f"{module} imports {name}" for name in names if name.split(".")[0] in FRAMEWORKS]
    assert framework_imports == []


# --- The checker itself, on a graph small enough to see -----------------------------------------------


def test_the_checker_reports_a_cycle_and_an_upward_import(tmp_path):
    """gpts.services -> gpts.importers -> gpts.services is a cycle; gpts.services (domain) ->
    gpts.importers (portable) and gptstudio.site (core) -> gpts.models (domain) go upward."""
    files = {
        "gptstudio/__init__.py": "",
        "gptstudio/site.py": "def f():\n    from gpts.models import GPT\n",
        "gpts/__init__.py": "",
        "gpts/models.py": "import gptstudio.site\n",
        "gpts/services.py": "from . import importers\n",
        "gpts/importers.py": "from gpts.services import gpt_update\n",
        "actions/__init__.py": "",
        "actions/schema/__init__.py": "from .parsing import load\n",
        "actions/schema/parsing.py": "",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    graph = import_graph(project_modules(tmp_path))
    assert graph["actions.schema"] == {"actions.schema.parsing"}
    assert cycles(graph) == [["gpts.importers", "gpts.services"], ["gpts.models", "gptstudio.site"]]
    assert upward_imports(graph) == [
        "gpts.services (domain) imports gpts.importers (portable)",
        "gptstudio.site (core) imports gpts.models (domain)",
    ]
