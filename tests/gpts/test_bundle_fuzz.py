"""Damaged bundles: whatever a few changed bytes do to a zip, the import refuses it with findings
(never a traceback) and writes nothing. The mutations are random but seeded, so every run checks
the same few hundred bundles."""

import io
import random
import struct
import zipfile
from collections import Counter
from pathlib import Path

import pytest
from django.core.files.base import ContentFile

from gpts import services
from gpts.exporters import gpt_export
from gpts.importers import DocumentRejected
from gpts.models import GPT, KnowledgeFile
from gpts.uploads import gpt_import
from tests.factories import make_rich_gpt

SEED = 20240501
MUTATIONS_PER_METHOD = 90
METHODS = {
    "deflated": zipfile.ZIP_DEFLATED,
    "stored": zipfile.ZIP_STORED,
}


@pytest.fixture
def bundle(workspace, user) -> bytes:
    gpt = make_rich_gpt(workspace, user)
    services.knowledge_file_add(gpt=gpt, actor=user, upload=ContentFile(b"notes " * 100, name="notes.md"))
    buffer = io.BytesIO()
    gpt_export(gpt=GPT.objects.get(pk=gpt.pk), target="chatgpt", force=True).write_to(buffer)
    return buffer.getvalue()


def recompressed(data: bytes, method: int) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", method) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info))
    return out.getvalue()


def mutations(data: bytes, rng: random.Random, count: int):
    for _ in range(count):
        damaged = bytearray(data)
        for _ in range(rng.randint(1, 4)):
            damaged[rng.randrange(len(damaged))] = rng.randrange(256)
        yield bytes(damaged)


def stored_files(settings) -> set[Path]:
    return {p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()}


@pytest.mark.parametrize("method", METHODS, ids=list(METHODS))
def test_damaged_bundles_are_refused_with_findings_and_write_nothing(bundle, method, workspace, user, settings):
    rng = random.Random(f"{SEED}-{method}")
    original = recompressed(bundle, METHODS[method])
    outcomes: Counter = Counter()
    unreadable_messages = set()
    for damaged in mutations(original, rng, MUTATIONS_PER_METHOD):
        gpts_before, knowledge_before = GPT.objects.count(), KnowledgeFile.objects.count()
        files_before = stored_files(settings)
        try:
            gpt_import(workspace=workspace, actor=user, upload=io.BytesIO(damaged), filename="damaged.zip")
        except DocumentRejected as exc:
            assert exc.findings, "a refusal always says why"
            codes = {f.code for f in exc.findings}
            outcomes.update(codes)
            if "import.zip.unreadable" in codes:
                unreadable_messages |= {f.message for f in exc.findings}
            assert (GPT.objects.count(), KnowledgeFile.objects.count()) == (gpts_before, knowledge_before)
            assert stored_files(settings) == files_before
        else:
            # The byte landed where the import never looks (the guide, authentication.md, padding).
            outcomes["imported"] += 1
    # The seed reaches the damaged streams themselves, not only the zip's structure.
    assert outcomes["import.zip.unreadable"] >= MUTATIONS_PER_METHOD // 10, outcomes
    if method != "stored":
        assert any("decompress" in m or "Corrupt" in m or "Invalid data" in m for m in unreadable_messages), outcomes


def test_each_kind_of_archive_failure_is_the_unreadable_finding(bundle, workspace, user):
    def refused(data: bytes) -> list[str]:
        with pytest.raises(DocumentRejected) as excinfo:
            gpt_import(workspace=workspace, actor=user, upload=io.BytesIO(data))
        return [(f.code, f.message) for f in excinfo.value.findings]

    # A zip64 offset past anything a file object can seek to (OverflowError inside zipfile).
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        info = zipfile.ZipInfo("gpt.yaml")
        info.extra = struct.pack("<HHQ", 1, 8, 2**63 + 5)  # zip64 extra: the local header's offset
        target.writestr(info, b"format: gptstudio/gpt@1\n")
    data = bytearray(out.getvalue())
    central = data.rindex(b"PK\x01\x02")
    data[central + 42 : central + 46] = b"\xff\xff\xff\xff"  # "see the zip64 extra"
    ((code, message),) = refused(bytes(data))
    assert code == "import.zip.unreadable" and message.startswith("gpt.yaml cannot be read:")

    # A version field no reader supports ("zip file version"), from the central directory.
    data = bytearray(recompressed(bundle, zipfile.ZIP_DEFLATED))
    central = data.index(b"PK\x01\x02")
    data[central + 6 : central + 8] = struct.pack("<H", 163)  # "version needed to extract": 16.3
    ((code, message),) = refused(bytes(data))
    assert code == "import.zip.unreadable" and "version" in message
