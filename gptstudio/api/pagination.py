from rest_framework.pagination import PageNumberPagination


class StudioPagination(PageNumberPagination):
    """`?page=N&page_size=M` (default 50, at most 200)."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        # An unordered list would page unpredictably; every list here has a selector-defined order.
        assert getattr(queryset, "ordered", True), f"{view.__class__.__name__} paginates an unordered queryset"
        return super().paginate_queryset(queryset, request, view)
