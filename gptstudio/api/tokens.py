"""Personal API token endpoints: list, create (the plaintext is in this one response only),
get and revoke. Writes go through gptstudio.services."""

from __future__ import annotations

from rest_framework import mixins, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from gptstudio import selectors, services
from gptstudio.models import APIToken

from .concurrency import UnversionedIfMatchMixin
from .numbers import ID_PATTERN
from .schema import token_docs
from .serializers import APITokenCreatedSerializer, APITokenCreateSerializer, APITokenSerializer


@token_docs
class APITokenViewSet(
    UnversionedIfMatchMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    lookup_value_regex = ID_PATTERN
    unversioned_what = "token"

    def get_queryset(self):
        return selectors.tokens_of(self.request.user)

    def get_serializer_class(self):
        return APITokenCreateSerializer if self.action == "create" else APITokenSerializer

    def create(self, request, *args, **kwargs):
        if isinstance(request.auth, APIToken):
            # A leaked token must not be able to outlive its own expiry or revocation.
            raise PermissionDenied("Create API tokens from a signed-in browser session, not with a token.")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = services.token_create(user=request.user, **serializer.validated_data)
        created.token.plaintext = created.plaintext  # For this one response only.
        return Response(APITokenCreatedSerializer(created.token).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.token_revoke(token=instance)
