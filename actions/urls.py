"""The action editor's pages, under their GPT."""

from django.urls import path

from . import views, views_upstream

app_name = "actions"

urlpatterns = [
    path("w/<slug:ws>/g/<slug:gpt>/actions/new/", views.action_new, name="action_new"),
    path("w/<slug:ws>/g/<slug:gpt>/actions/validate/", views.schema_validate, name="schema_validate"),
    path("w/<slug:ws>/g/<slug:gpt>/actions/format/", views.schema_format, name="schema_format"),
    path("w/<slug:ws>/g/<slug:gpt>/actions/import/", views.schema_import, name="schema_import"),
    path("w/<slug:ws>/g/<slug:gpt>/actions/import/<int:job_id>/", views.schema_import_job, name="schema_import_job"),
    path("w/<slug:ws>/g/<slug:gpt>/actions/jobs/<int:job_id>/", views.heavy_job, name="heavy_job"),
    path("w/<slug:ws>/g/<slug:gpt>/actions/<slug:action>/", views.action_edit, name="action_edit"),
    path("w/<slug:ws>/g/<slug:gpt>/actions/<slug:action>/delete/", views.action_delete, name="action_delete"),
    path("w/<slug:ws>/g/<slug:gpt>/actions/<slug:action>/try/<str:operation>/", views.action_try, name="action_try"),
    path(
        "w/<slug:ws>/g/<slug:gpt>/actions/<slug:action>/connect/",
        views_upstream.upstream_connect,
        name="upstream_connect",
    ),
    path(
        "w/<slug:ws>/g/<slug:gpt>/actions/<slug:action>/disconnect/",
        views_upstream.upstream_disconnect_view,
        name="upstream_disconnect",
    ),
    # One redirect URI for every OAuth action's API (the action travels in the signed `state`).
    path("actions/oauth/callback/", views_upstream.upstream_callback, name="upstream_callback"),
    path(
        "w/<slug:ws>/g/<slug:gpt>/actions/<slug:action>/try-job/<int:job_id>/",
        views.action_try_job,
        name="action_try_job",
    ),
]
