"""Reading a bundle zip (the `chatgpt` export) safely, for import.

Nothing is extracted before the whole central directory passed the checks: no absolute paths,
`..`, backslashes or drive letters; no symlinks or other special files; no encryption; no
duplicate names; only stored or deflated entries; at most `STUDIO_BUNDLE_MAX_ENTRIES` entries;
declared sizes within the per-file and total caps and a plausible compression ratio (zip bombs).
Every entry must be a file the export writes (the OS litter `__MACOSX/` and `.DS_Store` is
skipped). While reading, sizes are enforced again on the real bytes (zipfile stops at the
declared size and checks the CRC).

gpt.yaml is the source of truth. The copies of its data (instructions.md, conversation starters,
the schema files) must still agree with it; the guide and authentication.md are ignored (they are
instructions for people). Knowledge files are the real content: a file changed since export is
imported as it is in the bundle, with a notice.
"""

from __future__ import annotations

import hashlib
import re
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

from django.core.files.base import File

from gpts.document.read import DOCUMENT_MAX_BYTES, parse_document
from gptstudio import limits
from gptstudio.findings import Finding, Severity, make_finding, register

from .exporters.chatgpt import DOCUMENT, GUIDE, INSTRUCTIONS, STARTERS, derived_files
from .exporters.paste_plan import action_slugs

_STUDIO = {
    "chatgpt_behaviour": "Not a ChatGPT rule: GPT Studio refuses unsafe or unexpected bundle contents.",
    "source": "GPT Studio",
    "confidence": "confirmed",
}
register(
    "import.zip.unreadable",
    Severity.ERROR,
    "The file is not a readable zip",
    **_STUDIO,
    fix="Upload the .zip file GPT Studio exported, unchanged.",
)
register(
    "import.zip.unsafe_path",
    Severity.ERROR,
    "An entry's path could escape the bundle folder",
    **_STUDIO,
    fix="Use a bundle exported by GPT Studio: entries must stay inside the bundle folder.",
)
register(
    "import.zip.special_file",
    Severity.ERROR,
    "An entry is a symlink or another special file",
    **_STUDIO,
    fix="Remove the symlink or special file from the bundle.",
)
register(
    "import.zip.encrypted",
    Severity.ERROR,
    "An entry is encrypted",
    **_STUDIO,
    fix="Zip the bundle again without a password.",
)
register(
    "import.zip.duplicate_name",
    Severity.ERROR,
    "Two entries have the same name",
    **_STUDIO,
    fix="Remove one of the two entries with the same name.",
)
register(
    "import.zip.too_many_files",
    Severity.ERROR,
    "The bundle has too many entries",
    **_STUDIO,
    fix="Remove entries that are not part of the GPT.",
)
register(
    "import.zip.too_large",
    Severity.ERROR,
    "An entry or the whole bundle is too large",
    **_STUDIO,
    fix="Remove large knowledge files from the bundle and upload them in the editor.",
)
register(
    "import.zip.bomb",
    Severity.ERROR,
    "An entry expands implausibly (zip bomb)",
    **_STUDIO,
    fix="Use a bundle exported by GPT Studio.",
)
register(
    "import.zip.unexpected_file",
    Severity.ERROR,
    "An entry is not part of a GPT Studio bundle",
    **_STUDIO,
    fix="Remove the entry, or put the file under `knowledge/`.",
)
register(
    "import.zip.missing_document",
    Severity.ERROR,
    "The bundle has no gpt.yaml",
    **_STUDIO,
    fix="Add the GPT's gpt.yaml at the bundle's top level.",
)
register(
    "import.zip.copy_differs",
    Severity.ERROR,
    "A copy of gpt.yaml's data disagrees with it",
    **_STUDIO,
    fix="Remove the copy that differs, or make it agree with gpt.yaml.",
)
register(
    "import.zip.knowledge_changed",
    Severity.INFO,
    "A knowledge file differs from gpt.yaml's record",
    **_STUDIO,
    fix="Check that the knowledge file is the one you mean to import.",
)

IGNORED = re.compile(r"(^|/)(__MACOSX/|\.DS_Store$)")
# A knowledge file may really be named .DS_Store (the export writes it): kept when gpt.yaml lists it,
# skipped as litter when it does not.
KNOWLEDGE_LITTER = re.compile(r"(^|/)knowledge/\.DS_Store$")
ACTION_FILE = re.compile(r"^actions/([^/]+)/(openapi\.json|openapi\.yaml|authentication\.md)$")
KNOWLEDGE_FILE = re.compile(r"^knowledge/([^/]+)$")
ALLOWED_DIRECTORIES = re.compile(r"^(actions/|actions/[^/]+/|knowledge/)$")
# What the export writes. zipfile decompresses bzip2 and LZMA without an output limit (a 1 KB entry
# declaring 100 bytes expands to 1 GiB in memory before the declared size cuts it), while its
# deflate reads never return more than asked for and stop at the declared size.
SUPPORTED_COMPRESSION = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
COMPRESSION_NAMES = {zipfile.ZIP_BZIP2: "bzip2", zipfile.ZIP_LZMA: "LZMA"}

# Everything reading a damaged zip can raise (tests/gpts/test_bundle_fuzz.py finds each of them by
# changing a few bytes of a real bundle), and nothing else: a bug elsewhere stays a bug.
ARCHIVE_READ_ERRORS = (
    zipfile.BadZipFile,  # bad structure or CRC; also zipfile's "longer than declared"
    zlib.error,  # a damaged deflate stream
    OSError,  # the file object's own failures
    EOFError,  # a compressed stream that ends early
    NotImplementedError,  # a damaged version or flag field ("zip file version 16.3", "flag bit 5")
    ValueError,  # a damaged offset ("negative seek value"); a name that is not UTF-8 though flagged so
    OverflowError,  # a damaged zip64 offset beyond what a file object can seek to
)


class BundleRefused(Exception):
    def __init__(self, findings: list[Finding]):
        self.findings = findings
        super().__init__("; ".join(f.message for f in findings))


def is_zip(head: bytes) -> bool:
    return head[:4] in (b"PK\x03\x04", b"PK\x05\x06")


def _path_problem(name: str) -> str:
    if "\x00" in name or "\\" in name:
        return "contains a backslash or NUL"
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return "is absolute"
    parts = name.rstrip("/").split("/")
    if any(part in ("", ".", "..") for part in parts):
        return "has an empty, '.' or '..' segment"
    return ""


def _is_special(info: zipfile.ZipInfo) -> bool:
    if info.create_system != 3:  # only Unix zips carry a file type in the upper bits
        return False
    file_type = stat.S_IFMT(info.external_attr >> 16)
    return file_type not in (0, stat.S_IFREG, stat.S_IFDIR)  # 0: permissions only, a plain file


def _entry_cap(name: str) -> int:
    if KNOWLEDGE_FILE.match(name):
        return limits.GPT_KNOWLEDGE_FILE_MAX_BYTES.value
    return DOCUMENT_MAX_BYTES


def _check_entries(infos: list[zipfile.ZipInfo]) -> list[Finding]:
    findings: list[Finding] = []

    def refuse(code: str, message: str, name: str) -> None:
        findings.append(make_finding(code, message, pointer=name))

    if len(infos) > limits.STUDIO_BUNDLE_MAX_ENTRIES:
        return [
            make_finding(
                "import.zip.too_many_files",
                f"The zip has {len(infos):,} entries; a GPT Studio bundle has at most "
                f"{limits.STUDIO_BUNDLE_MAX_ENTRIES}.",
            )
        ]
    seen: set[str] = set()
    total = 0
    for info in infos:
        name = info.filename
        if problem := _path_problem(name):
            refuse("import.zip.unsafe_path", f"Entry {name!r} {problem}: refused.", name)
            continue
        if name in seen:
            refuse("import.zip.duplicate_name", f"Entry {name!r} appears twice in the zip.", name)
        seen.add(name)
        if _is_special(info):
            refuse("import.zip.special_file", f"Entry {name!r} is a symlink or special file: refused.", name)
        if info.flag_bits & 0x1:
            refuse("import.zip.encrypted", f"Entry {name!r} is encrypted; export the bundle without a password.", name)
        if info.compress_type not in SUPPORTED_COMPRESSION:
            method = COMPRESSION_NAMES.get(info.compress_type, f"method {info.compress_type}")
            refuse(
                "import.zip.unreadable",
                f"Entry {name!r} is compressed with {method}; GPT Studio reads only stored or deflated "
                "entries (what its export writes): zip the bundle again with the default compression.",
                name,
            )
        if info.file_size > _entry_cap(name):
            refuse(
                "import.zip.too_large",
                f"Entry {name!r} has {info.file_size:,} bytes; the cap for it is {_entry_cap(name):,}.",
                name,
            )
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > limits.STUDIO_BUNDLE_RATIO_MIN_BYTES and ratio > limits.STUDIO_BUNDLE_MAX_RATIO:
            refuse(
                "import.zip.bomb",
                f"Entry {name!r} expands {ratio:,.0f}x ({info.compress_size:,} → {info.file_size:,} bytes): "
                "refused as a possible zip bomb.",
                name,
            )
        total += info.file_size
    if total > limits.STUDIO_BUNDLE_MAX_TOTAL_BYTES:
        findings.append(
            make_finding(
                "import.zip.too_large",
                f"The bundle expands to {total:,} bytes; GPT Studio imports at most "
                f"{limits.STUDIO_BUNDLE_MAX_TOTAL_BYTES:,}.",
            )
        )
    return findings


def _common_folder(names: list[str]) -> str:
    """A bundle zipped together with its folder (`zip -r my-gpt.zip my-gpt/`) has every entry under
    one top folder; it is read as if unzipped there."""
    if DOCUMENT in names:
        return ""
    tops = {name.split("/", 1)[0] for name in names}
    if len(tops) == 1 and all("/" in name for name in names):
        folder = f"{tops.pop()}/"
        return folder if f"{folder}{DOCUMENT}" in names else ""
    return ""


@dataclass
class Bundle:
    """A checked bundle: its document and the knowledge files extracted to a temporary folder."""

    document: dict
    knowledge_files: dict[str, File]
    findings: list[Finding] = field(default_factory=list)  # notices (nothing refused)
    _tempdir: tempfile.TemporaryDirectory | None = None

    def close(self) -> None:
        for upload in self.knowledge_files.values():
            upload.close()
        if self._tempdir is not None:
            self._tempdir.cleanup()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


@contextmanager
def _reading(problem: str) -> Iterator[None]:
    """Turn a failure to read the archive into the `import.zip.unreadable` finding."""
    try:
        yield
    except ARCHIVE_READ_ERRORS as exc:
        raise BundleRefused([make_finding("import.zip.unreadable", f"{problem}: {exc}.")]) from exc


def _read_small(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    with archive.open(info) as entry:
        # Ask for the declared size (already within the cap), not the cap: zipfile inflates up to
        # the size asked for before cutting at the declared size, so asking for the cap let a tiny
        # entry declaring 2 KB inflate to hundreds of MB in memory.
        return entry.read(info.file_size)


def _extract(archive: zipfile.ZipFile, info: zipfile.ZipInfo, target: Path) -> tuple[int, str]:
    sha, size = hashlib.sha256(), 0
    with archive.open(info) as entry, target.open("wb") as out:
        while chunk := entry.read(1024 * 1024):
            size += len(chunk)
            if size > info.file_size:  # zipfile stops at the declared size; belt and braces
                raise zipfile.BadZipFile(f"{info.filename} is longer than declared")
            sha.update(chunk)
            out.write(chunk)
    return size, sha.hexdigest()


def read_bundle(fileobj: BinaryIO) -> Bundle:
    """Check a bundle and read it. Raises BundleRefused with findings; the caller closes the
    returned Bundle (it holds temporary files)."""
    with _reading("The file is not a readable zip"):
        archive = zipfile.ZipFile(fileobj)
        infos = archive.infolist()
    findings = _check_entries(infos)
    if findings:
        raise BundleRefused(findings)
    infos = [info for info in infos if not IGNORED.search(info.filename) or KNOWLEDGE_LITTER.search(info.filename)]
    folder = _common_folder([info.filename for info in infos])
    entries: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = info.filename[len(folder) :]
        if not name or (info.is_dir() and (ALLOWED_DIRECTORIES.match(name))):
            continue
        if name in (GUIDE, DOCUMENT, INSTRUCTIONS, STARTERS) or ACTION_FILE.match(name) or KNOWLEDGE_FILE.match(name):
            entries[name] = info
        else:
            findings.append(
                make_finding(
                    "import.zip.unexpected_file",
                    f"{info.filename!r} is not part of a GPT Studio bundle (expected PASTE_GUIDE.md, gpt.yaml, "
                    "instructions.md, conversation_starters.txt, actions/<slug>/… and knowledge/<file>).",
                    pointer=info.filename,
                )
            )
    if DOCUMENT not in entries:
        findings.append(make_finding("import.zip.missing_document", "The bundle has no gpt.yaml at its top."))
    if findings:
        raise BundleRefused(findings)

    with _reading(f"{DOCUMENT} cannot be read"):
        document_bytes = _read_small(archive, entries[DOCUMENT])
    parsed = parse_document(document_bytes)
    if not parsed.valid:
        raise BundleRefused([_in_file(f, DOCUMENT) for f in parsed.findings])
    document = parsed.document
    findings = []  # notices of the bundle itself (the document's own are reported on import)

    slugs = set(action_slugs(document))
    derived = derived_files(document)
    refused = []
    for name, info in entries.items():
        match = ACTION_FILE.match(name)
        if match and match.group(1) not in slugs:
            refused.append(
                make_finding(
                    "import.zip.unexpected_file",
                    f"{name!r} belongs to no action of gpt.yaml (its actions' folders are: "
                    f"{', '.join(sorted(slugs)) or 'none'}).",
                    pointer=name,
                )
            )
        elif name in derived or (match and match.group(2).startswith("openapi")):
            expected = derived.get(name)
            with _reading(f"{name} cannot be read"):
                data = _read_small(archive, info)
            if data != expected:
                refused.append(
                    make_finding(
                        "import.zip.copy_differs",
                        f"{name} differs from gpt.yaml, the bundle's source of truth. Make the change in gpt.yaml "
                        f"(or delete {name} from the zip) and import again.",
                        pointer=name,
                    )
                )
    listed = {entry["name"]: entry for entry in document["knowledge"]}
    for name in list(entries):
        match = KNOWLEDGE_FILE.match(name)
        if match and match.group(1) not in listed and KNOWLEDGE_LITTER.search(name):
            del entries[name]
        elif match and match.group(1) not in listed:
            refused.append(
                make_finding(
                    "import.zip.unexpected_file",
                    f"{name!r} is not listed under `knowledge` in gpt.yaml; add it there (name, size, sha256, "
                    "media_type) or remove it from the zip.",
                    pointer=name,
                )
            )
    if refused:
        raise BundleRefused(refused)

    tempdir = tempfile.TemporaryDirectory(prefix="gptstudio-import-")
    bundle = Bundle(document=document, knowledge_files={}, findings=findings, _tempdir=tempdir)
    try:
        for index, entry in enumerate(document["knowledge"]):
            info = entries.get(f"knowledge/{entry['name']}")
            if info is None:
                continue
            target = Path(tempdir.name) / f"{index}"
            with _reading(f"knowledge/{entry['name']} cannot be read"):
                size, sha256 = _extract(archive, info, target)
            if (size, sha256) != (entry["size"], entry["sha256"]):
                findings.append(
                    make_finding(
                        "import.zip.knowledge_changed",
                        f"knowledge/{entry['name']} is not the file gpt.yaml records (size or sha256 differ): the "
                        "file in the bundle was imported.",
                        pointer=f"/knowledge/{index}",
                    )
                )
                entry["size"], entry["sha256"] = size, sha256
            upload = File(target.open("rb"), name=entry["name"])
            bundle.knowledge_files[entry["name"]] = upload
    except BaseException:
        bundle.close()
        raise
    return bundle


def _in_file(finding: Finding, filename: str) -> Finding:
    return replace(finding, message=f"{filename}: {finding.message}")
