"""OPTIONS answers: a read (any member may ask), describing only the writes the caller may make.

DRF's SimpleMetadata probes each write method (PUT, POST) with the permission checks, but under
the action "metadata" rather than the action that method runs, so `required_access` (renaming a
workspace needs an owner) was not consulted; it also did not catch our AccessDenied, which turned
a viewer's OPTIONS on a detail URL into a 403. Here each probe runs as the action the router maps
that method to, with the same checks the write would meet: permissions, the parent's role check
(`check_parent_access`) and, on a detail URL, the object's. The fields listed are those of the serializer
that write validates.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404
from rest_framework import exceptions
from rest_framework.metadata import SimpleMetadata
from rest_framework.request import clone_request

from gpts.permissions import AccessDenied

REFUSALS = (exceptions.APIException, PermissionDenied, Http404, AccessDenied)


class RoleAwareMetadata(SimpleMetadata):
    def determine_actions(self, request, view):
        actions = {}
        probing_action = getattr(view, "action", None)
        action_map = getattr(view, "action_map", None) or {}
        for method in sorted({"PUT", "POST"} & set(view.allowed_methods)):
            view.request = clone_request(request, method)
            view.action = action_map.get(method.lower(), probing_action)
            try:
                view.check_permissions(view.request)
                if hasattr(view, "check_parent_access"):
                    view.check_parent_access()
                # On a detail URL every write meets the object's check (a POST there is an
                # @action such as a workspace's import), not only PUT as in SimpleMetadata.
                if (method == "PUT" or getattr(view, "detail", False)) and hasattr(view, "get_object"):
                    view.get_object()
            except REFUSALS:
                pass
            else:
                actions[method] = self.get_serializer_info(view.get_serializer())
            finally:
                view.request = request
                view.action = probing_action
        return actions
