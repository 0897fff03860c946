"""`$ref`s: unknown targets, circular components, and `components.schemas` that is not an object."""

from __future__ import annotations

from actions.schema.findings import Severity, register
from actions.schema.parsing import DocumentScan
from actions.schema.pointers import escape_token, json_pointer

from .core import (
    ActionCheck,
    local_pointer,
    resolve_local,
)

register(
    "action.ref.unknown",
    Severity.WARNING,
    "$ref to something that does not exist",
    chatgpt_behaviour="ChatGPT replaces an unresolvable reference with an empty schema, so the model knows "
    "nothing about that value. Remote references are never fetched.",
    source="GPT_EDITOR.md §3.1 [DEV]",
    confidence="likely",
    chatgpt_message="reference to unknown component X; using empty schema",
    fix="Point the `$ref` at a component that exists in this schema.",
)
register(
    "action.ref.circular",
    Severity.ERROR,
    "Circular $ref between components",
    chatgpt_behaviour="ChatGPT inlines components and refuses a schema whose components refer to each other "
    "in a cycle.",
    source="GPT_EDITOR.md §3.1 [DEV]",
    confidence="likely",
    chatgpt_message="Components section contains a circular dependency",
    fix="Break the cycle: make one of the components stop referring back.",
)
register(
    "action.components.schemas_not_object",
    Severity.ERROR,
    "`components.schemas` is not an object",
    chatgpt_behaviour="ChatGPT cannot read the components and refuses the schema.",
    source="GPT_EDITOR.md §3.1 [DEV]",
    confidence="likely",
    chatgpt_message="In components section, schemas subsection is not an object",
    fix="Make `components.schemas` an object of named schemas.",
)


def check_references(data: dict, scan: DocumentScan, result: ActionCheck) -> None:
    """Unknown and remote $refs anywhere; cycles between components."""
    components = data.get("components")
    if isinstance(components, dict) and "schemas" in components and not isinstance(components["schemas"], dict):
        result.add(
            "action.components.schemas_not_object",
            "`components.schemas` must be a mapping of schema names to schemas.",
            "/components/schemas",
        )
    refs = scan.refs
    bad = {ref for ref in refs if resolve_local(data, ref) is None}
    if bad:
        for pointer, ref in _ref_pointers(data, bad):
            if ref.startswith("#"):
                message = f"The reference {ref} points to nothing in this document. Fix the name or add the component."
            else:
                message = (
                    f"The reference {ref} points outside this document; ChatGPT and GPT Studio never fetch "
                    "remote references. Copy the referenced schema into `components` and refer to it with "
                    "#/components/…."
                )
            result.add("action.ref.unknown", message, pointer)
    if isinstance(components, dict) and any((local_pointer(r) or "").startswith("/components/") for r in refs - bad):
        _check_cycles(scan.component_refs, result)


def _ref_pointers(data: dict, refs: set[str]) -> list[tuple[str, str]]:
    found = []
    stack: list[tuple[object, str]] = [(data, "")]
    while stack:
        node, pointer = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref in refs:
                found.append((f"{pointer}/$ref", ref))
            stack += [(v, f"{pointer}/{escape_token(k)}") for k, v in node.items() if isinstance(v, dict | list)]
        elif isinstance(node, list):
            stack += [(v, f"{pointer}/{i}") for i, v in enumerate(node) if isinstance(v, dict | list)]
    return sorted(found)


def _component_of(ref: str) -> tuple[str, str] | None:
    """The (section, name) of the component a local reference points into, resolved as
    `resolve_local` does (percent-decoded, then unescaped), so it matches the scan's names."""
    pointer = local_pointer(ref)
    parts = pointer.split("/") if pointer is not None else []
    if len(parts) >= 4 and parts[0] == "" and parts[1] == "components":
        return tuple(part.replace("~1", "/").replace("~0", "~") for part in parts[2:4])
    return None


def _check_cycles(component_refs: dict, result: ActionCheck) -> None:
    """Tarjan's strongly connected components over the component → component reference graph."""
    graph: dict[tuple[str, str], set] = {}
    for component, refs in component_refs.items():
        graph[component] = {target for ref in refs if (target := _component_of(ref)) is not None}
    for cycle in _strongly_connected(graph):
        members = sorted(cycle)
        section, name = members[0]
        chain = " → ".join(f"{s}/{n}" for s, n in members)
        described = f"{chain} → {section}/{name}" if len(members) > 1 else f"{section}/{name} refers to itself"
        result.add(
            "action.ref.circular",
            f"These components refer to each other in a cycle ({described}). ChatGPT inlines components and "
            "refuses cycles: cut the cycle (for example, describe the nested level as a plain object).",
            json_pointer("components", section, name),
        )


def _strongly_connected(graph: dict) -> list[list]:
    """Cycles: strongly connected components with more than one node, or a node with a self-edge.
    Iterative Tarjan, so deep reference chains cannot hit Python's recursion limit."""
    index: dict = {}
    low: dict = {}
    on_stack: set = set()
    stack: list = []
    cycles: list[list] = []
    counter = 0
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(sorted(graph.get(root, ()))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            advanced = False
            for child in children:
                if child not in graph:
                    continue
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                    advanced = True
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            if advanced:
                continue
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
                if len(component) > 1 or node in graph.get(node, ()):
                    cycles.append(component)
    return cycles
