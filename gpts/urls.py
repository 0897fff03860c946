"""Pages of the browser studio (the URL scheme is shared with the export pages)."""

from django.urls import path

from . import views, views_mcp, views_members, views_tokens

app_name = "gpts"

urlpatterns = [
    path("", views.home, name="home"),
    path("workspaces/new/", views.workspace_new, name="workspace_new"),
    path("settings/tokens/", views_tokens.tokens, name="tokens"),
    path("settings/tokens/<int:token_id>/revoke/", views_tokens.token_revoke, name="token_revoke"),
    path("invitations/<str:token>/", views_members.invitation_accept, name="invitation_accept"),
    path("w/<slug:ws>/", views.dashboard, name="dashboard"),
    path("w/<slug:ws>/members/", views_members.members, name="members"),
    path("w/<slug:ws>/members/invite/", views_members.invitation_create, name="invitation_create"),
    path(
        "w/<slug:ws>/members/invitations/<int:invitation_id>/revoke/",
        views_members.invitation_revoke,
        name="invitation_revoke",
    ),
    path("w/<slug:ws>/members/<int:user_id>/role/", views_members.membership_update, name="membership_update"),
    path("w/<slug:ws>/members/<int:user_id>/remove/", views_members.membership_remove, name="membership_remove"),
    path("w/<slug:ws>/g/new/", views.gpt_new, name="gpt_new"),
    path("w/<slug:ws>/g/<slug:gpt>/", views.gpt_edit, name="gpt_edit"),
    path("w/<slug:ws>/g/<slug:gpt>/merge/", views.gpt_merge, name="gpt_merge"),
    path("w/<slug:ws>/g/<slug:gpt>/delete/", views.gpt_delete, name="gpt_delete"),
    path("w/<slug:ws>/g/<slug:gpt>/mcp/", views_mcp.gpt_mcp_switch, name="gpt_mcp_switch"),
    path("w/<slug:ws>/g/<slug:gpt>/mcp/clients/", views_mcp.mcp_client_new, name="mcp_client_new"),
    path("w/<slug:ws>/g/<slug:gpt>/knowledge/", views.knowledge_upload, name="knowledge_upload"),
    path("w/<slug:ws>/g/<slug:gpt>/knowledge/<int:file_id>/delete/", views.knowledge_delete, name="knowledge_delete"),
    path(
        "w/<slug:ws>/g/<slug:gpt>/knowledge/pending/clear/",
        views.knowledge_pending_clear,
        name="knowledge_pending_clear",
    ),
    path(
        "w/<slug:ws>/g/<slug:gpt>/profile-picture/fetch/",
        views.profile_picture_fetch,
        name="profile_picture_fetch",
    ),
    path("w/<slug:ws>/g/<slug:gpt>/history/", views.history, name="history"),
    path("w/<slug:ws>/g/<slug:gpt>/history/diff/", views.history_diff, name="history_diff"),
    path("w/<slug:ws>/g/<slug:gpt>/history/<int:number>/restore/", views.history_restore, name="history_restore"),
]
