"""Importing bundles and documents: round trips, conflicts, secrets, and zip safety."""

import io
import struct
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from gpts import services
from gpts.document.build import gpt_document
from gpts.document.render import render_document
from gpts.exporters import gpt_export
from gpts.importers import DocumentRejected, SecretToEnter
from gpts.models import GPT, KnowledgeFile
from gpts.uploads import gpt_import
from gptstudio.errors import EditConflict
from tests.factories import WEATHER_SCHEMA, make_action, make_gpt, make_rich_gpt, make_workspace


@pytest.fixture
def rich(workspace, user):
    gpt = make_rich_gpt(workspace, user, api_key="sk-known", client_secret="cs-known")
    services.knowledge_file_add(gpt=gpt, actor=user, upload=ContentFile(b"notes " * 100, name="notes.md"))
    return GPT.objects.get(pk=gpt.pk)


def export_bytes(gpt, target="chatgpt", **kwargs) -> bytes:
    buffer = io.BytesIO()
    gpt_export(gpt=gpt, target=target, force=True, **kwargs).write_to(buffer)
    return buffer.getvalue()


def rebuild(original: bytes, *, replace=None, add=(), prefix="", drop=()) -> bytes:
    """A copy of a bundle with entries replaced, dropped or added (name, data[, ZipInfo tweaks])."""
    replace = replace or {}
    source = zipfile.ZipFile(io.BytesIO(original))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename in drop:
                continue
            target.writestr(prefix + info.filename, replace.get(info.filename, source.read(info.filename)))
        for name, data, *tweak in add:
            info = zipfile.ZipInfo(name)
            info.compress_type = zipfile.ZIP_DEFLATED
            for key, value in (tweak[0] if tweak else {}).items():
                setattr(info, key, value)
            target.writestr(info, data)
    return out.getvalue()


def do_import(data: bytes, workspace, user, **kwargs):
    return gpt_import(workspace=workspace, actor=user, upload=io.BytesIO(data), filename="b.zip", **kwargs)


def refused_codes(data: bytes, workspace, user) -> list[str]:
    gpts_before = GPT.objects.count()
    with pytest.raises(DocumentRejected) as excinfo:
        do_import(data, workspace, user)
    assert GPT.objects.count() == gpts_before
    return [f.code for f in excinfo.value.findings]


def test_export_import_export_is_byte_identical_and_documents_equal(rich, workspace, user):
    bundle = export_bytes(rich)
    outcome = do_import(bundle, workspace, user)
    assert outcome.created and outcome.gpt.pk != rich.pk
    assert gpt_document(outcome.gpt) == gpt_document(rich)
    # The slug differs (planner-2), which is only in the filename, never in the bytes.
    assert export_bytes(outcome.gpt) == bundle
    assert outcome.secrets_to_enter == [SecretToEnter("Calendar", "API Key"), SecretToEnter("Notes", "Client Secret")]
    assert outcome.revision.summary == "Imported from b.zip"
    assert outcome.gpt.knowledge_files.get().file.read() == b"notes " * 100


@pytest.mark.parametrize(("target", "fmt"), [("document", "yaml"), ("document", "json")])
def test_a_document_imports_too(rich, workspace, user, target, fmt):
    outcome = do_import(export_bytes(rich, target=target, fmt=fmt), workspace, user)
    assert gpt_document(outcome.gpt) == gpt_document(rich)  # knowledge re-linked from this workspace


@pytest.mark.parametrize(("target", "fmt"), [("chatgpt", None), ("document", "yaml"), ("document", "json")])
def test_actions_sharing_long_urls_round_trip(workspace, user, target, fmt):
    # The YAML loader hands out one object for equal plain scalars; longer than 64 characters they
    # were once taken for a YAML alias, and the import of a valid export was refused.
    tenant = "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0"
    gpt = make_gpt(workspace, user, name="Graph")
    for name, host in (("Mail", "mail.example.com"), ("Calendar", "calendar.example.com")):
        make_action(
            gpt,
            user,
            name=name,
            schema_text=WEATHER_SCHEMA.replace("api.weather.example.com", host),
            auth_type="oauth",
            oauth_client_id="client",
            oauth_authorization_url=f"{tenant}/authorize",
            oauth_token_url=f"{tenant}/token",
        )
    gpt = GPT.objects.get(pk=gpt.pk)
    exported = export_bytes(gpt, target=target, fmt=fmt)
    outcome = do_import(exported, workspace, user)
    assert gpt_document(outcome.gpt) == gpt_document(gpt)
    assert export_bytes(outcome.gpt, target=target, fmt=fmt) == exported


def test_a_bundle_imports_as_a_new_revision_with_the_conflict_check(rich, workspace, user):
    document = gpt_document(rich)
    changed = rebuild(
        export_bytes(rich),
        replace={"gpt.yaml": render_document(document | {"description": "New description"}).encode()},
    )
    with pytest.raises(EditConflict):
        do_import(changed, workspace, user, gpt=rich, expected_version=rich.version - 1)
    outcome = do_import(changed, workspace, user, gpt=rich, expected_version=rich.version)
    assert (outcome.created, outcome.gpt.pk, outcome.gpt.version) == (False, rich.pk, rich.version + 1)
    assert outcome.gpt.description == "New description"
    assert outcome.secrets_to_enter == []  # matched actions keep their stored secrets


def test_a_bundle_in_a_top_folder_with_os_litter_imports(rich, workspace, user):
    data = rebuild(export_bytes(rich), prefix="planner/", add=[("__MACOSX/._gpt.yaml", b"x"), (".DS_Store", b"x")])
    assert gpt_document(do_import(data, workspace, user).gpt) == gpt_document(rich)


def test_os_litter_inside_the_knowledge_folder_is_skipped(rich, workspace, user):
    data = rebuild(export_bytes(rich), add=[("knowledge/.DS_Store", b"x")])
    assert gpt_document(do_import(data, workspace, user).gpt) == gpt_document(rich)


def test_a_knowledge_file_named_like_os_litter_round_trips(rich, workspace, user):
    services.knowledge_file_add(gpt=rich, actor=user, upload=ContentFile(b"really mine", name=".DS_Store"))
    rich = GPT.objects.get(pk=rich.pk)
    bundle = export_bytes(rich)
    assert "knowledge/.DS_Store" in zipfile.ZipFile(io.BytesIO(bundle)).namelist()
    # Into another workspace: one that stores the same bytes already would take them from there.
    outcome = do_import(bundle, make_workspace(owner=user, name="Elsewhere"), user)
    assert outcome.gpt.knowledge_files.get(name=".DS_Store").file.read() == b"really mine"
    assert export_bytes(outcome.gpt) == bundle


def test_derived_files_may_be_left_out(rich, workspace, user):
    data = rebuild(export_bytes(rich), drop={"instructions.md", "PASTE_GUIDE.md", "actions/notes/openapi.json"})
    assert gpt_document(do_import(data, workspace, user).gpt) == gpt_document(rich)


def test_a_changed_knowledge_file_is_imported_with_a_notice(rich, workspace, user):
    data = rebuild(export_bytes(rich), replace={"knowledge/notes.md": b"edited notes"})
    outcome = do_import(data, workspace, user)
    assert outcome.gpt.knowledge_files.get().file.read() == b"edited notes"
    assert "import.zip.knowledge_changed" in [f.code for f in outcome.findings]


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"add": [("../evil.txt", b"x")]}, "import.zip.unsafe_path"),
        ({"add": [("/etc/passwd", b"x")]}, "import.zip.unsafe_path"),
        ({"add": [("knowledge\\..\\evil", b"x")]}, "import.zip.unsafe_path"),
        ({"add": [("C:/evil.txt", b"x")]}, "import.zip.unsafe_path"),
        (
            {"add": [("knowledge/link", b"/etc/passwd", {"create_system": 3, "external_attr": 0o120777 << 16})]},
            "import.zip.special_file",
        ),
        ({"add": [("gpt.yaml", b"format: x\n")]}, "import.zip.duplicate_name"),
        ({"add": [("extra.exe", b"MZ")]}, "import.zip.unexpected_file"),
        ({"add": [("knowledge/unlisted.txt", b"x")]}, "import.zip.unexpected_file"),
        ({"add": [("actions/ghost/openapi.json", b"{}")]}, "import.zip.unexpected_file"),
        ({"drop": {"gpt.yaml"}}, "import.zip.missing_document"),
        ({"replace": {"instructions.md": b"Edited here instead of gpt.yaml"}}, "import.zip.copy_differs"),
        ({"replace": {"actions/weather/openapi.json": b"{}"}}, "import.zip.copy_differs"),
        ({"replace": {"gpt.yaml": b"format: gptstudio/gpt@1\nname: [broken\n"}}, "document.unreadable"),
        ({"replace": {"gpt.yaml": b"format: gptstudio/gpt@1\nname: x\n"}}, "document.schema"),
    ],
)
@pytest.mark.filterwarnings("ignore:Duplicate name")
def test_unsafe_or_unexpected_bundles_are_refused_with_clear_findings(rich, workspace, user, change, code):
    assert code in refused_codes(rebuild(export_bytes(rich), **change), workspace, user)


def test_encrypted_entries_are_refused(rich, workspace, user):
    data = bytearray(export_bytes(rich))
    central = data.index(b"PK\x01\x02")  # the first central directory record: PASTE_GUIDE.md
    data[central + 8] |= 0x1  # general purpose flag bit 0: encrypted
    assert "import.zip.encrypted" in refused_codes(bytes(data), workspace, user)


def test_zip_bombs_are_refused_by_ratio_before_extraction(rich, workspace, user, settings):
    bomb = ("knowledge/notes.md", b"\0" * (8 * 1024 * 1024))
    data = rebuild(export_bytes(rich), drop={"knowledge/notes.md"}, add=[bomb])
    files_before = {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}
    assert refused_codes(data, workspace, user) == ["import.zip.bomb"]
    assert {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()} == files_before


@pytest.mark.parametrize(("method", "name"), [(zipfile.ZIP_BZIP2, "bzip2"), (zipfile.ZIP_LZMA, "LZMA")])
def test_bzip2_and_lzma_entries_are_refused_unread(rich, workspace, user, method, name):
    """zipfile inflates these without an output limit (an 899-byte bzip2 entry declaring 100 bytes
    took 1 GiB of memory), so they are refused from the central directory alone."""
    source = zipfile.ZipFile(io.BytesIO(export_bytes(rich)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            only_document = method if info.filename == "gpt.yaml" else None
            target.writestr(info.filename, source.read(info), compress_type=only_document)
    with pytest.raises(DocumentRejected) as excinfo:
        do_import(out.getvalue(), workspace, user)
    ((finding,),) = [excinfo.value.findings]
    assert (finding.code, finding.pointer) == ("import.zip.unreadable", "gpt.yaml")
    assert f"compressed with {name}; GPT Studio reads only stored or deflated entries" in finding.message


def one_entry_zip(name: str, data: bytes, *, declared: int) -> bytes:
    """A zip whose single deflated entry says it holds `declared` bytes (CRC of those) but inflates
    to all of `data`: what zipfile.ZipFile cannot write."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    stream = compressor.compress(data) + compressor.flush()
    crc, encoded = zlib.crc32(data[:declared]), name.encode()
    sizes = (crc, len(stream), declared, len(encoded))
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, *sizes, 0) + encoded
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, *sizes, 0, 0, 0, 0, 0, 0)
    central += encoded
    end = struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 1, 1, len(central), len(local) + len(stream), 0)
    return local + stream + central + end


def test_a_deflated_entry_longer_than_declared_is_read_only_to_its_declared_size(workspace, user):
    gpt = make_rich_gpt(workspace, user)
    document = export_bytes(gpt, target="document", fmt="yaml")
    data = one_entry_zip("gpt.yaml", document + b"\0" * (64 * 1024 * 1024), declared=len(document))
    assert len(data) < 100_000
    tracemalloc.start()
    try:
        outcome = do_import(data, workspace, user)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # The 64 MB behind the declared size are never inflated into memory, and never read as gpt.yaml.
    assert peak < 16 * 1024 * 1024, f"{peak:,} bytes"
    assert gpt_document(outcome.gpt) == gpt_document(gpt)


def test_total_size_and_entry_count_caps(rich, workspace, user, monkeypatch):
    from gptstudio import limits

    monkeypatch.setattr(limits, "STUDIO_BUNDLE_MAX_TOTAL_BYTES", 1000)
    assert "import.zip.too_large" in refused_codes(export_bytes(rich), workspace, user)
    monkeypatch.setattr(limits, "STUDIO_BUNDLE_MAX_ENTRIES", 5)
    assert refused_codes(export_bytes(rich), workspace, user) == ["import.zip.too_many_files"]


def test_garbage_is_refused_as_unreadable(workspace, user):
    assert refused_codes(b"PK\x03\x04 not really a zip", workspace, user) == ["import.zip.unreadable"]
    assert refused_codes(b"\x00\x01binary", workspace, user)[0] == "document.unreadable"


def test_a_refused_import_leaves_no_rows_and_no_bytes(rich, workspace, user, settings):
    files_before = {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}
    knowledge_before = KnowledgeFile.objects.count()
    data = rebuild(export_bytes(rich), replace={"instructions.md": b"edited"})
    refused_codes(data, workspace, user)
    assert {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()} == files_before
    assert KnowledgeFile.objects.count() == knowledge_before
