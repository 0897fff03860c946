from django.contrib.auth import get_user_model
from django.core.management import call_command

from actions.models import Action
from gpts.models import GPT, Revision, Workspace


def test_seed_demo_is_idempotent_and_writes_through_the_services(db, capsys):
    call_command("seed_demo")
    first_output = capsys.readouterr().out
    assert "demo / gpt-studio-demo" in first_output
    counts = (Workspace.objects.count(), GPT.objects.count(), Action.objects.count(), Revision.objects.count())
    assert counts == (1, 2, 2, 4)  # Each GPT: "Created" + "Added action".

    call_command("seed_demo")
    assert "nothing new" in capsys.readouterr().out
    assert (Workspace.objects.count(), GPT.objects.count(), Action.objects.count(), Revision.objects.count()) == counts

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
