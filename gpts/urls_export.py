"""URLs of the export/import pages (gpts/views_export.py), included from gptstudio/urls.py."""

from django.urls import path

from . import views_export

app_name = "gpts_export"

urlpatterns = [
    path("schemas/gpt-document-1.json", views_export.document_schema, name="document_schema"),
    path("w/<slug:ws>/g/<slug:gpt>/paste/", views_export.gpt_paste, name="paste"),
    path("w/<slug:ws>/g/<slug:gpt>/migrate/", views_export.gpt_migrate, name="migrate"),
    path(
        "w/<slug:ws>/g/<slug:gpt>/export/<slug:target>/",
        views_export.gpt_export_download,
        name="export",
    ),
    path("w/<slug:ws>/import/", views_export.workspace_import, name="import"),
    path("w/<slug:ws>/import/from-chatgpt/", views_export.bring_your_gpts, name="bring_your_gpts"),
]
