"""Personal API token endpoints: list, create (the plaintext is in this one response only),
get and revoke. Writes go through gptstudio.services."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiExample, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response

from gptstudio import selectors, services
from gptstudio.models import APIToken

from .concurrency import refuse_if_match_without_versions
from .numbers import ID_PATTERN
from .serializers import WriteSerializer


class APITokenSerializer(serializers.ModelSerializer):
    active = serializers.SerializerMethodField(help_text="Neither revoked nor expired.")

    class Meta:
        model = APIToken
        fields = ("id", "name", "prefix", "active", "created_at", "expires_at", "last_used_at", "revoked_at")
        read_only_fields = fields

    def get_active(self, token) -> bool:
        return token.is_active()


class APITokenCreateSerializer(WriteSerializer):
    name = serializers.CharField(max_length=100, help_text="What the token is for, e.g. “CI sync”.")
    expires_at = serializers.DateTimeField(required=False, allow_null=True, help_text="Leave out: never expires.")


class APITokenCreatedSerializer(APITokenSerializer):
    token = serializers.CharField(
        source="plaintext", help_text="The token itself. Shown once: store it now, it cannot be shown again."
    )

    class Meta(APITokenSerializer.Meta):
        fields = (*APITokenSerializer.Meta.fields, "token")
        read_only_fields = fields


@extend_schema_view(
    list=extend_schema(summary="List your API tokens", tags=["tokens"]),
    retrieve=extend_schema(summary="Get one of your API tokens", tags=["tokens"]),
    create=extend_schema(
        summary="Create an API token (shown once)",
        description="Only from a signed-in browser session: a token cannot mint more tokens.",
        tags=["tokens"],
        request=APITokenCreateSerializer,
        responses={201: APITokenCreatedSerializer},
        examples=[OpenApiExample("A CI token", value={"name": "CI sync", "expires_at": "2030-01-01T00:00:00Z"})],
    ),
    destroy=extend_schema(summary="Revoke an API token", tags=["tokens"]),
)
class APITokenViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    lookup_value_regex = ID_PATTERN

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        refuse_if_match_without_versions(self, request, what="token")

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
