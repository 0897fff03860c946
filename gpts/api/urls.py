"""GPT, workspace, member, knowledge, revision and job routes (registered on the one router)."""

from gptstudio.api.numbers import ID_PATTERN

from . import views

urlpatterns = []


def register(router) -> None:
    router.register("workspaces", views.WorkspaceViewSet, basename="workspace")
    router.register(
        rf"workspaces/(?P<workspace_slug>{views.WORKSPACE_SLUG_PATTERN})/members",
        views.WorkspaceMemberViewSet,
        basename="member",
    )
    router.register("gpts", views.GPTViewSet, basename="gpt")
    router.register(rf"gpts/(?P<gpt_id>{ID_PATTERN})/knowledge", views.KnowledgeFileViewSet, basename="knowledge-file")
    router.register(rf"gpts/(?P<gpt_id>{ID_PATTERN})/revisions", views.RevisionViewSet, basename="revision")
    router.register("jobs", views.JobViewSet, basename="job")
