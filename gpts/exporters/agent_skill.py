"""Target `agent-skill`: the GPT as an Agent Skill (MIGRATION.md §2), a zip with one top-level folder.

Layout (byte-identical for the same GPT):
    <name>/SKILL.md           front matter (name, description, compatibility) + the instructions
    <name>/references/<file>  text knowledge files (loaded on demand)
    <name>/assets/<file>      other knowledge files
    <name>/migration.md       what carried over, what needs a manual step, what is lost
`<name>` follows the Agent Skills rules (ASCII `a-z0-9-`, at most 64, no leading, trailing or double
`-`): the spec's ASCII reading, stricter than its reference validator's Unicode one (§2.1). The
OpenAI skills API takes a zip with a single top-level folder, so migration.md sits inside it.

The skill parts (`skill_parts`, `iter_skill_entries`) are shared with the `agent-plugin` target,
which puts the same folder under `skills/`.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from dataclasses import dataclass, field

import yaml

from gptstudio.findings import Finding, Severity, make_finding
from gptstudio.findings import register as register_rule

from .base import ExportSource, KnowledgeItem, register
from .bridge import BridgeExporter
from .chatgpt import add_knowledge_file
from .zipstream import DeterministicZip

SKILL_NAME_MAX = 64
SKILL_DESCRIPTION_MAX = 1024
SKILL_COMPATIBILITY_MAX = 500
SKILL_NAME_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
FALLBACK_NAME = "custom-gpt"
MIGRATION = "migration.md"

CAPABILITY_LABELS = {
    "web_search": "web search",
    "canvas": "canvas",
    "image_generation": "image generation",
    "code_interpreter": "code interpreter (data analysis)",
}
TEXT_EXTENSIONS = frozenset(
    {
        ".md", ".markdown", ".txt", ".text", ".csv", ".tsv", ".json", ".jsonl", ".yaml", ".yml", ".xml", ".html",
        ".htm", ".rst", ".adoc", ".tex", ".ini", ".toml",
    }
)  # fmt: skip
TEXT_MEDIA_TYPES = re.compile(r"^text/|^application/(json|x-ndjson|yaml|x-yaml|xml|toml)$|\+(json|xml)$")

_SKILL_RULE = {"source": "MIGRATION.md §2.1 (Agent Skills specification)", "confidence": "confirmed"}
register_rule(
    "export.skill.description_cut",
    Severity.WARNING,
    "The skill description was cut to the Agent Skills limit",
    chatgpt_behaviour="A SKILL.md description over 1,024 characters makes the skill invalid, so the export cuts it.",
    **_SKILL_RULE,
    fix="Shorten the GPT's description if the cut loses something that matters.",
)
register_rule(
    "export.skill.compatibility_cut",
    Severity.INFO,
    "The skill's compatibility note was cut to the Agent Skills limit",
    chatgpt_behaviour="A SKILL.md compatibility over 500 characters makes the skill invalid, so the export cuts it.",
    **_SKILL_RULE,
    fix="Review the skill's compatibility note in SKILL.md.",
)
register_rule(
    "export.skill.name_fallback",
    Severity.INFO,
    "The GPT's name gives no ASCII skill name; a fallback was used",
    chatgpt_behaviour="Skill names are ASCII a-z, 0-9 and '-' only; a name with none of them needs another.",
    **_SKILL_RULE,
    fix="Rename the GPT with some ASCII letters or digits, or keep the fallback name.",
)


def name_slug(text: str) -> str:
    """`text` as a skill (and plugin) name: ASCII-folded, lowercase, every run of other characters
    one `-`, at most 64, no `-` at either end; "" when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii").lower()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")[:SKILL_NAME_MAX].strip("-")


def skill_name(*candidates: str) -> str:
    """The first candidate that gives a valid name, else a fixed fallback."""
    return next((name for text in candidates if (name := name_slug(text))), FALLBACK_NAME)


def is_text_knowledge(item: KnowledgeItem) -> bool:
    extension = posixpath.splitext(item.name.lower())[1]
    return extension in TEXT_EXTENSIONS or bool(TEXT_MEDIA_TYPES.search(item.media_type.lower()))


def safe_file_name(name: str) -> str:
    """A file name that is one path segment of ASCII letters, digits, `.`, `_`, `-`, starting with
    a letter or digit and with no `-` just before its extension."""
    base = unicodedata.normalize("NFKD", posixpath.basename(name.replace("\\", "/"))).encode("ascii", "ignore")
    stem, extension = posixpath.splitext(base.decode("ascii"))
    if not stem:  # ".hidden": all extension
        stem, extension = extension, ""
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", stem).strip("-._")[:100] or "file"
    extension = re.sub(r"[^A-Za-z0-9]+", "", extension)[:15]
    return f"{stem}.{extension}" if extension else stem


@dataclass(frozen=True)
class SkillFile:
    path: str  # relative to the skill folder: references/x.md, assets/y.pdf
    item: KnowledgeItem


def knowledge_layout(knowledge: list[KnowledgeItem]) -> list[SkillFile]:
    """Where each knowledge file goes: `references/` for text, `assets/` for the rest; names made
    safe, and unique in their folder (case-insensitively, for case-insensitive file systems) by a
    `-2`, `-3` … before the extension, in the GPT's order."""
    taken: set[str] = set()
    files = []
    for item in knowledge:
        folder = "references" if is_text_knowledge(item) else "assets"
        stem, extension = posixpath.splitext(safe_file_name(item.name))
        candidate, n = f"{stem}{extension}", 1
        while f"{folder}/{candidate}".lower() in taken:
            n += 1
            candidate = f"{stem}-{n}{extension}"
        taken.add(f"{folder}/{candidate}".lower())
        files.append(SkillFile(f"{folder}/{candidate}", item))
    return files


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _quoted(value: str) -> str:
    """A YAML double-quoted scalar on one line: quotes, colons, newlines and `---` all escaped."""
    dumped = yaml.safe_dump({"v": value}, default_style='"', allow_unicode=True, width=2**31 - 1)
    return dumped.removeprefix('"v": ').rstrip("\n")


def _one_line(text: str) -> str:
    return " ".join(text.split())


@dataclass
class SkillParts:
    name: str
    description: str
    compatibility: str
    files: list[SkillFile]
    findings: list[Finding] = field(default_factory=list)

    def skill_md(self, document: dict) -> str:
        lines = [
            "---",
            f"name: {_quoted(self.name)}",  # quoted: `yes`, `null`, `0`, `1e3` are not strings in YAML
            f"description: {_quoted(self.description)}",
            f"compatibility: {_quoted(self.compatibility)}",
            "metadata:",
            f"  source: {_quoted('GPT Studio export of a ChatGPT custom GPT')}",
            f"  gpt-name: {_quoted(document['name'])}",
            "---",
            "",
            f"# {_one_line(document['name']) or self.name}",
            "",
        ]
        instructions = document["instructions"].rstrip("\n")
        lines += [instructions, ""] if instructions else ["(The GPT had no instructions.)", ""]
        if self.files:
            lines += ["## Reference files", "", "Read these when a request needs them:", ""]
            lines += [f"- [{_link_text(f.item.name)}]({f.path})" for f in self.files]
            lines.append("")
        return "\n".join(lines)


def _link_text(text: str) -> str:
    return re.sub(r"([\\\[\]*_`<>])", r"\\\1", _one_line(text))


def _use_when(document: dict) -> str:
    starters = [_one_line(s) for s in document["conversation_starters"] if _one_line(s)]
    if starters:
        examples = "; ".join(f"“{s}”" for s in starters[:3])
        return f"Use when a request matches what this skill was built for, e.g. {examples}."
    return f"Use when a request matches what “{_one_line(document['name'])}” was built for."


def skill_description(document: dict) -> tuple[str, list[Finding]]:
    """GPT description + a "Use when …" clause, within 1,024 characters (starter examples are
    dropped first; the GPT's own description is cut only when it alone is too long)."""
    base = document["description"].strip() or f"Migrated from the ChatGPT custom GPT “{_one_line(document['name'])}”."
    clause = _use_when(document)
    if len(base) + 1 + len(clause) > SKILL_DESCRIPTION_MAX:
        clause = f"Use when a request matches what “{_cut(_one_line(document['name']), 60)}” was built for."
    room = SKILL_DESCRIPTION_MAX - 1 - len(clause)
    findings = []
    if len(base) > room:
        findings.append(
            make_finding(
                "export.skill.description_cut",
                f"The GPT's description has {len(base):,} characters; with its “Use when …” clause the skill "
                f"description may hold {SKILL_DESCRIPTION_MAX:,}, so it was cut to {room:,}.",
                pointer="/description",
            )
        )
        base = _cut(base, room)
    return f"{base} {clause}", findings


def skill_compatibility(document: dict) -> tuple[str, list[Finding]]:
    used = [label for key, label in CAPABILITY_LABELS.items() if document["capabilities"].get(key)]
    parts = ["Migrated from a ChatGPT custom GPT."]
    parts.append(
        f"It relied on ChatGPT's {', '.join(used)}." if used else "It used none of ChatGPT's built-in capabilities."
    )
    if document["actions"]:
        names = ", ".join(_one_line(a["name"]) for a in document["actions"])
        parts.append(f"Its actions ({names}) need their MCP server or API tools connected.")
    if document["recommended_model"]:
        parts.append(f"Recommended model: {_one_line(document['recommended_model'])}.")
    text = " ".join(parts)
    if len(text) <= SKILL_COMPATIBILITY_MAX:
        return text, []
    finding = make_finding(
        "export.skill.compatibility_cut",
        f"The compatibility note has {len(text):,} characters (many or long action names); it was cut to "
        f"{SKILL_COMPATIBILITY_MAX}. migration.md lists every action in full.",
    )
    return _cut(text, SKILL_COMPATIBILITY_MAX), [finding]


def skill_parts(source: ExportSource) -> SkillParts:
    document = source.document
    name = skill_name(document["name"], source.gpt.slug)
    findings = []
    if not name_slug(document["name"]):
        findings.append(
            make_finding(
                "export.skill.name_fallback",
                f"“{document['name']}” has no ASCII letters or digits; the skill is named “{name}”.",
                pointer="/name",
            )
        )
    description, cut = skill_description(document)
    compatibility, cut_compatibility = skill_compatibility(document)
    return SkillParts(
        name, description, compatibility, knowledge_layout(source.knowledge), [*findings, *cut, *cut_compatibility]
    )


def iter_skill_entries(bundle: DeterministicZip, parts: SkillParts, source: ExportSource, prefix: str):
    """Write SKILL.md and the knowledge files under `prefix` (the skill folder, ending in `/`)."""
    yield from bundle.add_bytes(f"{prefix}SKILL.md", parts.skill_md(source.document).encode("utf-8"))
    for skill_file in parts.files:
        yield from add_knowledge_file(bundle, f"{prefix}{skill_file.path}", skill_file.item)


@register
class AgentSkillExporter(BridgeExporter):
    name = "agent-skill"
    label = "Agent Skill (zip with SKILL.md)"
    file_suffix = "skill"

    def notices(self, source: ExportSource) -> list[Finding]:
        return skill_parts(source).findings

    def write_entries(self, bundle: DeterministicZip, source: ExportSource):
        parts = skill_parts(source)
        yield from iter_skill_entries(bundle, parts, source, f"{parts.name}/")
        return f"{parts.name}/{MIGRATION}"
