import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from actions.models import Action
from gpts.models import GPT, Revision, Workspace
from tests.factories import make_workspace


def counts():
    return (Workspace.objects.count(), GPT.objects.count(), Action.objects.count(), Revision.objects.count())


def test_seed_demo_is_idempotent_and_writes_through_the_services(db, capsys, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    first_output = capsys.readouterr().out
    assert "demo / gpt-studio-demo" in first_output
    seeded = counts()
    assert seeded == (1, 2, 2, 4)  # Each GPT: "Created" + "Added action".

    call_command("seed_demo")
    assert "nothing new" in capsys.readouterr().out
    assert counts() == seeded

    user = get_user_model().objects.get(username="demo")
    assert user.check_password("gpt-studio-demo")
    weather = Action.objects.get(gpt__slug="weather-buddy")
    assert (weather.auth_type, weather.api_key_auth_type, weather.domain) == (
        "api_key",
        "custom",
        "api.weatherapi.example.com",
    )
    assert weather.has_api_key
    calendar = Action.objects.get(gpt__slug="calendar-helper")
    assert (calendar.auth_type, calendar.domain, calendar.has_client_secret) == ("oauth", "www.googleapis.com", True)


def test_seed_demo_refuses_without_debug_and_writes_nothing(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="runs only with DEBUG on"):
        call_command("seed_demo")
    assert not get_user_model().objects.filter(username="demo").exists()
    assert counts() == (0, 0, 0, 0)


def test_seed_demo_with_force_seeds_without_debug(db, settings, capsys):
    settings.DEBUG = False
    call_command("seed_demo", "--force")
    assert get_user_model().objects.get(username="demo").is_superuser
    assert counts() == (1, 2, 2, 4)


def test_seed_demo_never_takes_over_someone_elses_demo_workspace(db, settings, user):
    from gpts import services

    settings.DEBUG = True
    foreign = make_workspace(owner=user, name="Demo of the sales team")
    foreign.slug = "demo"
    foreign.save(update_fields=["slug"])
    with pytest.raises(CommandError, match="will not take it over"):
        call_command("seed_demo")
    assert list(foreign.memberships.values_list("user__username", "role")) == [(user.username, "owner")]
    assert not get_user_model().objects.filter(username="demo").exists()  # rolled back with the rest
    assert not GPT.objects.exists()
    # Once the owner shares it with the demo user as owner, seeding it is fine.
    services.membership_set(workspace=foreign, user=get_user_model().objects.create_user("demo"), role="owner")
    call_command("seed_demo")
    assert set(foreign.gpts.values_list("slug", flat=True)) == {"weather-buddy", "calendar-helper"}


def test_seed_demo_prints_the_login_url_on_the_port_make_run_passes(db, capsys, settings):
    settings.DEBUG = True
    call_command("seed_demo", "--url", "http://127.0.0.1:8123")
    output = capsys.readouterr().out
    assert "http://127.0.0.1:8123/accounts/login/" in output
    assert ":8000" not in output
