"""The REST API's shared machinery: token authentication, the error shape, parsers, pagination,
throttling, role permissions, version preconditions and the OpenAPI schema additions.

Each app keeps its own endpoints in `<app>/api/`; `gptstudio/api_urls.py` is the one router.
"""
