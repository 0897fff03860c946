"""URLs of the export/import pages (gpts/views_export.py), included from gptstudio/urls.py."""

from django.urls import path

from . import views_export

app_name = "gpts_export"

urlpatterns = [
    path("schemas/gpt-document-1.json", views_export.document_schema, name="document_schema"),
]
