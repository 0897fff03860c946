"""Revision storage benchmark (prints JSON lines; run `python benchmarks/revision_storage.py`).

A GPT with two 15 MB action schemas (seeded random text, so no compression hides a copy) gets
three description edits on a fresh SQLite file. Printed: the database's bytes in use (pages minus
free pages) after the schemas were added and after each edit, and the size of one revision read
from the API without and with `?include=schemas` (the parameter is ignored where it does not
exist). Issue 12: three such edits grew the database 137 -> 227 MB and a read returned 31 MB.
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

from actions.services import action_create  # noqa: E402
from gpts import services  # noqa: E402
from gpts.models import GPT  # noqa: E402
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
    for n in range(2):
        text = big_schema(SCHEMA_BYTES, seed=n, title=f"Big {n}")
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


if __name__ == "__main__":
    main()
