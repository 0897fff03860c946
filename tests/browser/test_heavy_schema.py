"""A schema over the synchronous cap in real headless Chromium: checked and saved by a job the
page polls (with eager tasks, as in the embedded default)."""

import pytest
from playwright.sync_api import expect

from actions.models import Action
from tests.api.test_heavy_input import sized
from tests.factories import UserFactory, make_gpt, make_workspace

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CAP = 4096


@pytest.mark.eager  # the jobs run in the request: with a broker they wait for a worker
def test_a_large_schema_is_checked_then_saved_by_jobs_the_page_follows(session, settings):
    settings.SCHEMA_SYNC_MAX_BYTES = CAP
    owner = UserFactory()
    gpt = make_gpt(workspace=make_workspace(owner=owner), actor=owner, name="Large")
    s = session().login(owner)
    s.page.goto(f"/w/{gpt.workspace.slug}/g/{gpt.slug}/actions/new/")
    text = sized(CAP + 2).replace("https://calendar", "http://calendar")  # one error finding
    s.page.locator("#id_schema_text").fill(text)
    report = s.page.locator("#schema-report")
    expect(report).to_contain_text("action.server.not_https", timeout=15_000)
    assert gpt.jobs.filter(kind="schema_check", status="succeeded").count() == 1

    s.page.get_by_role("button", name="Add action").click()
    expect(s.page.locator("#save-job")).to_contain_text("Saved.", timeout=15_000)
    s.page.locator("#save-job").get_by_role("link").click()
    expect(s.page.locator("#id_schema_text")).to_have_value(text)
    assert Action.objects.get(gpt=gpt).schema_text == text
