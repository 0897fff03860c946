from rest_framework.exceptions import NotFound
from rest_framework.pagination import PageNumberPagination

from .numbers import parse_whole_number


class StudioPagination(PageNumberPagination):
    """`?page=N&page_size=M` (default 50, at most 200). Both are read as ASCII digits only, like
    every number the API takes (gptstudio.api.numbers): Django's paginator and DRF read "١" as 1."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def paginate_queryset(self, queryset, request, view=None):
        # An unordered list would page unpredictably; every list here has a selector-defined order.
        assert getattr(queryset, "ordered", True), f"{view.__class__.__name__} paginates an unordered queryset"
        return super().paginate_queryset(queryset, request, view)

    def get_page_number(self, request, paginator):
        page = super().get_page_number(request, paginator)
        if page in self.last_page_strings or page == 1 or parse_whole_number(str(page)) is not None:
            return page
        raise NotFound(self.invalid_page_message)  # as for any other page that is not a number

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is not None and parse_whole_number(raw) is None:
            return self.page_size  # as DRF answers any other size that is not a number
        return super().get_page_size(request)
