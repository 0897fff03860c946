"""Revision storage benchmark (prints JSON lines; run `python benchmarks/revision_storage.py`).

A GPT with two 15 MB action schemas (seeded random text, so no compression hides a copy) gets
three description edits on a fresh SQLite file. Printed: the database's bytes in use (pages minus
free pages) before and after the schemas were added and after each edit, and the size of one
revision read from the API without and with `?include=schemas` (the parameter is ignored where it
does not exist). Issue 12: three such edits grew the database 137 -> 227 MB and a read returned 31 MB.

The action side: what adding the two actions cost (one copy of each text, shared by the action and
its revisions), what a second GPT with actions on the same two schemas adds (they share the rows),
the stored texts, and the size of the API's action list and of one action read.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORKDIR = tempfile.TemporaryDirectory(prefix="gptstudio-bench-revisions-")
os.environ["DATABASE_URL"] = f"sqlite:///{WORKDIR.name}/bench.sqlite3"
os.environ["MEDIA_ROOT"] = f"{WORKDIR.name}/media"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "gptstudio.settings.test")
sys.path.insert(0, str(ROOT))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from actions.models import Action  # noqa: E402
from actions.services import action_create  # noqa: E402
from gpts import services  # noqa: E402
from gpts.models import GPT, SchemaText  # noqa: E402
from tests.factories import UserFactory, big_schema  # noqa: E402

SCHEMA_BYTES = 15_000_000
EDITS = 3


def emit(**record) -> None:
    print(json.dumps(record), flush=True)


def megabytes_in_use() -> float:
    with connection.cursor() as cursor:
        values = []
        for pragma in ("page_count", "freelist_count", "page_size"):
            cursor.execute(f"PRAGMA {pragma}")
            values.append(cursor.fetchone()[0])
    pages, free, size = values
    return round((pages - free) * size / 1e6, 1)


def main() -> None:
    call_command("migrate", verbosity=0)
    user = UserFactory()
    workspace = services.workspace_create(name="Bench", owner=user)
    gpt = services.gpt_create(workspace=workspace, actor=user, name="Two big schemas")
    empty = megabytes_in_use()
    texts = [big_schema(SCHEMA_BYTES, seed=n, title=f"Big {n}") for n in range(2)]
    for n, text in enumerate(texts):
        action_create(gpt=gpt, actor=user, name=f"Big {n}", schema_text=text)
    sizes = [megabytes_in_use()]
    for n in range(EDITS):
        gpt = GPT.objects.get(pk=gpt.pk)
        services.gpt_update(gpt=gpt, actor=user, expected_version=gpt.version, description=f"Edit {n + 1}")
        sizes.append(megabytes_in_use())
    emit(
        benchmark="revision_storage",
        schema_bytes=SCHEMA_BYTES,
        database_mb_after_schemas=sizes[0],
        database_mb_after_each_edit=sizes[1:],
        growth_mb_for_edits=round(sizes[-1] - sizes[0], 1),
    )
    twin = services.gpt_create(workspace=workspace, actor=user, name="The same two schemas")
    before_twin = megabytes_in_use()
    for n, text in enumerate(texts):
        action_create(gpt=twin, actor=user, name=f"Big {n}", schema_text=text)
    emit(
        benchmark="action_schema_storage",
        mb_added_by_two_actions=round(sizes[0] - empty, 1),
        mb_added_by_a_second_gpt_with_the_same_schemas=round(megabytes_in_use() - before_twin, 1),
        actions=Action.objects.count(),
        schema_text_rows=SchemaText.objects.count(),
        schema_text_mb=round(sum(SchemaText.objects.values_list("size", flat=True)) / 1e6, 1),
    )
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    url = f"/api/v1/gpts/{gpt.pk}/revisions/{GPT.objects.get(pk=gpt.pk).version}/"
    plain, full = client.get(url), client.get(url, {"include": "schemas"})
    emit(
        benchmark="revision_read",
        status=[plain.status_code, full.status_code],
        bytes=len(plain.content),
        bytes_with_schemas=len(full.content),
    )
    listed = client.get("/api/v1/actions/", {"gpt": gpt.pk})
    one = client.get(f"/api/v1/actions/{gpt.actions.first().pk}/")
    emit(
        benchmark="action_read",
        status=[listed.status_code, one.status_code],
        list_bytes=len(listed.content),
        detail_bytes=len(one.content),
    )


if __name__ == "__main__":
    main()
