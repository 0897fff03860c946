"""Target `chatgpt`: a zip to rebuild the GPT in ChatGPT's editor by hand (ChatGPT has no import).

Layout (in this order, byte-identical for the same GPT):
    PASTE_GUIDE.md                      step by step, in the order of the Configure tab
    gpt.yaml                            the GPT document (what `import_gpt` reads back)
    instructions.md                     the instructions, exactly
    conversation_starters.txt           one starter per line
    actions/<slug>/openapi.<json|yaml>  each schema exactly as stored
    actions/<slug>/authentication.md    what to fill in the action's Authentication dialog
    knowledge/<name>                    the knowledge files
Secrets are never included: the guide says where to type each one.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from gpts.document.render import render_document_yaml
from gptstudio.findings import Severity

from .base import Exporter, ExportSource, KnowledgeItem, finding_markdown, register
from .paste_plan import (
    AUTH_LABELS,
    PasteField,
    PastePlan,
    PasteSection,
    action_slugs,
    build_paste_plan,
    schema_filename,
)
from .zipstream import DeterministicZip

GUIDE = "PASTE_GUIDE.md"
DOCUMENT = "gpt.yaml"
INSTRUCTIONS = "instructions.md"
STARTERS = "conversation_starters.txt"
# Deflating these gains nothing: they are compressed already.
STORED_MEDIA_TYPES = re.compile(
    r"^(image|video|audio)/|^application/(zip|gzip|x-7z-compressed|x-rar-compressed|pdf|epub\+zip)$"
    r"|^application/vnd\.openxmlformats-officedocument\."
)


def add_knowledge_file(bundle: DeterministicZip, path: str, item: KnowledgeItem) -> Iterator[bytes]:
    """A knowledge file streamed into a zip, stored as is when its kind is compressed already."""
    with item.open() as stream:
        yield from bundle.add_file(
            path, stream, size=item.size, compress=not STORED_MEDIA_TYPES.search(item.media_type)
        )


def derived_files(document: dict, slugs: list[str] | None = None) -> dict[str, bytes]:
    """Bundle files that are a pure function of the document's data (the importer checks that a
    bundle's copies still agree with its gpt.yaml). `slugs`: `action_slugs(document)`, if known."""
    starters = document["conversation_starters"]
    files = {
        INSTRUCTIONS: document["instructions"].encode("utf-8"),
        STARTERS: "".join(f"{text}\n" for text in starters).encode("utf-8"),
    }
    for slug, action in zip(action_slugs(document) if slugs is None else slugs, document["actions"], strict=True):
        files[f"actions/{slug}/{schema_filename(action)}"] = action["schema"].encode("utf-8")
    return files


def _fence(text: str, info: str = "text") -> str:
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    body = text if text.endswith("\n") else text + "\n"
    return f"{fence}{info}\n{body}{fence}\n"


def _inline(text: str) -> str:
    if not text:
        return "(empty)"
    ticks = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def _finding_lines(findings) -> list[str]:
    return [finding_markdown(f) for f in findings]


def _field_lines(field: PasteField) -> list[str]:
    count = f" ({field.length:,} / {field.limit:,} characters)" if field.limit else ""
    if field.multiline:
        return [
            f"**{field.label}**{count}: paste the whole of `{field.file}`." + (f" {field.note}" if field.note else "")
        ]
    if not field.copy:
        value = f" {field.value}" if field.value else ""
        separator = " — " if value else " "
        return [f"**{field.label}**:{value}" + (f"{separator}{field.note}" if field.note else "")]
    if not field.value:
        return [f"**{field.label}**: (leave empty)" + (f" — {field.note}" if field.note else "")]
    lines = [f"**{field.label}**{count}:" + (f" {field.note}" if field.note else "")]
    return [*lines, "", _fence(field.value).rstrip("\n")]


def _section_lines(section: PasteSection, heading: str) -> list[str]:
    lines = [f"{heading} {section.title}", ""]
    if section.intro:
        lines += [section.intro, ""]
    blocking = section.blocking  # a property: computed once (a large schema has thousands of findings)
    if blocking:
        lines += ["Blocks publishing:", *_finding_lines(blocking), ""]
    others = [f for f in section.findings if f.severity != Severity.ERROR]  # the rest, in order
    if others:
        lines += ["Worth knowing:", *_finding_lines(others), ""]
    for field in section.fields:
        lines += [*_field_lines(field), ""]
    for note in section.notes:
        lines += [f"- {note}"]
    if section.notes:
        lines.append("")
    for sub in section.subsections:
        lines += _section_lines(sub, "###")
    return lines


CHECK_MARKS = {"ok": "[x]", "todo": "[ ]", "manual": "[ ] (check in ChatGPT)"}


def render_guide(plan: PastePlan) -> str:
    lines = [
        f"# Paste guide: {plan.name}",
        "",
        "ChatGPT has no import, so this guide walks you through its GPT editor: open ChatGPT → GPTs → Create "
        "(or your GPT → Edit), choose the **Configure** tab, and follow the steps in order. Every file named "
        "here is in this bundle. Secrets (API keys, OAuth client secrets) are never exported: type them where "
        "the guide says.",
        "",
    ]
    if plan.errors:
        lines += [
            "## ⚠ Exported with validation errors",
            "",
            "This bundle was exported anyway (forced). ChatGPT will refuse or drop what these describe:",
            "",
            *_finding_lines(plan.errors),
            "",
        ]
    if plan.general_findings:
        lines += ["## Findings", "", *_finding_lines(plan.general_findings), ""]
    for number, section in enumerate(plan.sections, start=1):
        lines += _section_lines(section, f"## {number}.")
    lines += [f"## Publish checklist ({plan.visibility_label})", ""]
    lines += [f"- {CHECK_MARKS[item.status]} {item.text}" for item in plan.checklist]
    return "\n".join(lines).rstrip("\n") + "\n"


def render_authentication(section: PasteSection, action: dict) -> str:
    auth_type = action["authentication"]["type"]
    lines = [
        f"# Authentication: {action['name']}",
        "",
        "In ChatGPT: Configure → Actions → this action → Authentication (the gear next to “Authentication”).",
        "",
        f"Authentication Type: **{AUTH_LABELS[auth_type]}**",
        "",
    ]
    for field in section.fields:
        if field.key.endswith(("-schema", "-privacy", "-auth-type")):
            continue
        lines += [*_field_lines(field), ""]
    lines += [f"- {note}" for note in section.notes]
    return "\n".join(lines).rstrip("\n") + "\n"


@register
class ChatGPTExporter(Exporter):
    name = "chatgpt"
    label = "ChatGPT bundle (zip with paste guide)"
    formats = ("zip",)
    refuses_invalid = True

    def media_type(self, fmt: str) -> str:
        return "application/zip"

    def filename(self, source: ExportSource, fmt: str) -> str:
        return f"{source.gpt.slug}.chatgpt.zip"

    def iter_bytes(self, source: ExportSource, *, fmt: str, forced: bool) -> Iterator[bytes]:
        document = source.document
        plan = build_paste_plan(document, source.findings)
        bundle = DeterministicZip()
        yield from bundle.add_bytes(GUIDE, render_guide(plan).encode("utf-8"))
        yield from bundle.add_bytes(DOCUMENT, render_document_yaml(document).encode("utf-8"))
        derived = derived_files(document, plan.action_slugs)
        yield from bundle.add_bytes(INSTRUCTIONS, derived[INSTRUCTIONS])
        yield from bundle.add_bytes(STARTERS, derived[STARTERS])
        action_sections = next(s for s in plan.sections if s.key == "actions").subsections
        for slug, action, section in zip(plan.action_slugs, document["actions"], action_sections, strict=True):
            schema_path = f"actions/{slug}/{schema_filename(action)}"
            yield from bundle.add_bytes(schema_path, derived[schema_path])
            yield from bundle.add_bytes(
                f"actions/{slug}/authentication.md", render_authentication(section, action).encode("utf-8")
            )
        for item in source.knowledge:
            yield from add_knowledge_file(bundle, f"knowledge/{item.name}", item)
        yield from bundle.close()
