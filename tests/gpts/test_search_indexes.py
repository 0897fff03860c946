"""The GPT list's search is served by trigram indexes on PostgreSQL (gpts migration 0012): one
GIN index per searched field on the expression Django's `icontains` compares, so the planner can
answer a search without reading every GPT."""

import pytest
from django.db import connection

from gpts import selectors
from gpts.models import GPT
from tests.factories import make_gpt

# Enough GPTs that reading them all is not the cheapest way to find one.
OTHER_GPTS = 2000

SEARCH_INDEXES = {"gpt_name_trgm", "gpt_description_trgm", "gpt_instructions_trgm"}

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def test_each_searched_field_has_a_trigram_gin_index():
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, "gpts_gpt")
    assert {name: constraints[name]["type"] for name in SEARCH_INDEXES if name in constraints} == dict.fromkeys(
        SEARCH_INDEXES, "gin"
    )


def test_the_list_search_is_planned_with_the_trigram_indexes(user, workspace):
    make_gpt(workspace=workspace, actor=user, name="Weather Buddy")
    GPT.objects.bulk_create(
        GPT(workspace=workspace, name=f"Chess Coach {n}", slug=f"chess-coach-{n}", description="Plays chess.")
        for n in range(OTHER_GPTS)
    )
    search = selectors.gpt_filter(selectors.gpts_for_list(user), search="weather")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE gpts_gpt")
        # Reading every GPT (whole, or along another index) is never the answer to a search.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
    plan = search.explain()
    assert {name for name in SEARCH_INDEXES if name in plan} >= SEARCH_INDEXES, plan
    assert [gpt.name for gpt in search] == ["Weather Buddy"]
