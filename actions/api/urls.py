"""Action routes (registered on the one router) and schema validation."""

from django.urls import path

from . import views

urlpatterns = [
    path("validate/schema/", views.SchemaValidateView.as_view(), name="validate-schema"),
]


def register(router) -> None:
    router.register("actions", views.ActionViewSet, basename="action")
