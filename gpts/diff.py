"""Differences between two GPT documents, for the history page and the API's revision diff.

Works on documents (dicts), so any two revisions, or a revision and the current GPT, compare
the same way. Text fields get a line diff; actions are matched by name and their operations
(method, path, operationId) compared through the schema engine's operation summary.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, field

from actions.schema import validate_schema_text
from gpts.document.build import GPT_FIELD_KEYS

TEXT_FIELDS = ("instructions",)
LIST_FIELDS = ("conversation_starters",)


@dataclass
class FieldChange:
    field: str
    old: object
    new: object


@dataclass
class ActionDiff:
    name: str
    status: str  # "added" | "removed" | "changed" | "unchanged"
    fields: list[FieldChange] = field(default_factory=list)  # domain, privacy URL, authentication
    operations_added: list[dict] = field(default_factory=list)
    operations_removed: list[dict] = field(default_factory=list)
    operations_changed: list[dict] = field(default_factory=list)  # same method+path, other id/summary/flag
    schema_diff: list[str] = field(default_factory=list)  # unified diff lines of the schema text


@dataclass
class DocumentDiff:
    fields: list[FieldChange] = field(default_factory=list)
    text_diffs: dict[str, list[str]] = field(default_factory=dict)  # field → unified diff lines
    actions: list[ActionDiff] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.fields and all(a.status == "unchanged" for a in self.actions)

    def as_dict(self) -> dict:
        return asdict(self)


def unified(old: str, new: str, *, label: str) -> list[str]:
    return list(
        difflib.unified_diff(
            (old or "").splitlines(), (new or "").splitlines(), f"{label} (before)", f"{label} (after)", lineterm=""
        )
    )


def _operations(schema_text: str) -> dict[tuple[str, str], dict]:
    report = validate_schema_text(schema_text or "")
    return {
        (op.method, op.path): {
            "method": op.method,
            "path": op.path,
            "operation_id": op.operation_id,
            "summary": op.summary,
            "consequential": op.consequential,
        }
        for op in report.operations
    }


def action_diff(old: dict | None, new: dict | None) -> ActionDiff:
    name = (new or old)["name"]
    if old is None:
        ops = _operations(new["schema"])
        return ActionDiff(name, "added", operations_added=list(ops.values()))
    if new is None:
        ops = _operations(old["schema"])
        return ActionDiff(name, "removed", operations_removed=list(ops.values()))
    changes = [
        FieldChange(key, old.get(key), new.get(key))
        for key in ("domain", "privacy_policy_url", "authentication", "changes_public_state")
        if old.get(key) != new.get(key)
    ]
    result = ActionDiff(name, "changed" if changes else "unchanged", fields=changes)
    if old["schema"] != new["schema"]:
        result.status = "changed"
        result.schema_diff = unified(old["schema"], new["schema"], label=f"{name} schema")
        before, after = _operations(old["schema"]), _operations(new["schema"])
        result.operations_added = [after[k] for k in after if k not in before]
        result.operations_removed = [before[k] for k in before if k not in after]
        result.operations_changed = [
            {"before": before[k], "after": after[k]} for k in after if k in before and before[k] != after[k]
        ]
    return result


def document_diff(old: dict, new: dict) -> DocumentDiff:
    diff = DocumentDiff()
    for key in GPT_FIELD_KEYS:
        if old.get(key) != new.get(key):
            diff.fields.append(FieldChange(key, old.get(key), new.get(key)))
            if key in TEXT_FIELDS:
                diff.text_diffs[key] = unified(old.get(key, ""), new.get(key, ""), label=key)
            elif key in LIST_FIELDS:
                diff.text_diffs[key] = unified("\n".join(old.get(key, [])), "\n".join(new.get(key, [])), label=key)
    old_actions = {a["name"]: a for a in old.get("actions", [])}
    new_actions = {a["name"]: a for a in new.get("actions", [])}
    for name in [*new_actions, *(n for n in old_actions if n not in new_actions)]:
        diff.actions.append(action_diff(old_actions.get(name), new_actions.get(name)))
    return diff
