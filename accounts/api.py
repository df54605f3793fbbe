"""REST API of the accounts app (shared/API.md): `/api/users/` (system admins only) and `/api/auth/token/`."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.signals import user_logged_in
from drf_spectacular.utils import extend_schema, extend_schema_field, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import BaseRouter
from rest_framework.views import APIView

from accounts.actions import create_user, update_user
from accounts.models import ApiToken, User
from accounts.tokens import ExpiringTokenAuthentication, issue_token
from common.rest import IsSystemAdmin
from common.viewsets import JSONOnlyMixin, ScopedPrimaryKeyRelatedField, StrictModelSerializer


@extend_schema_field(
    {"anyOf": [{"type": "string", "format": "email", "maxLength": 254}, {"type": "string", "maxLength": 0}]}
)
class EmailOrBlankField(serializers.EmailField):
    """The schema says what the field holds: an email address, or "" (a user may have none)."""


class UserSerializer(StrictModelSerializer):
    password = serializers.CharField(write_only=True, max_length=128, style={"input_type": "password"})
    email = EmailOrBlankField(required=False, allow_blank=True, max_length=254)
    # The agency model through the foreign key: accounts sits below clients and never imports it.
    agency = ScopedPrimaryKeyRelatedField(
        queryset=User._meta.get_field("agency").related_model._default_manager.all(),  # type: ignore[union-attr]
        allow_null=True,
        required=False,
    )

    class Meta:
        model = User
        fields = ["id", "username", "password", "role", "agency", "first_name", "last_name", "email", "is_active"]
        # The model defaults to provider_admin; a new user's role is said, not assumed.
        extra_kwargs = {"role": {"required": True}}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance is not None:
            # On update the password is optional: absent keeps the current one.
            self.fields["password"].required = False


class UserViewSet(JSONOnlyMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Users are deactivated (`is_active: false`), never deleted: the audit trail points at them."""

    serializer_class = UserSerializer
    permission_classes = [IsSystemAdmin]
    queryset = User.objects.select_related("agency").order_by("id")

    def perform_create(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = create_user(user=self.request.user, **serializer.validated_data)  # type: ignore[arg-type]

    def perform_update(self, serializer: serializers.BaseSerializer) -> None:
        serializer.instance = update_user(
            user=self.request.user,  # type: ignore[arg-type]
            target=serializer.instance,  # type: ignore[arg-type]  # set on update
            **serializer.validated_data,  # type: ignore[arg-type]
        )


class TokenView(APIView):
    """`POST /api/auth/token/` signs in and answers `{"token"}`; `DELETE` revokes the token sent (204)."""

    authentication_classes = [ExpiringTokenAuthentication]
    renderer_classes = [JSONRenderer]
    throttle_classes: list[Any] = []

    def get_permissions(self) -> list[BasePermission]:
        return [IsAuthenticated()] if self.request.method == "DELETE" else [AllowAny()]

    @extend_schema(
        request=AuthTokenSerializer,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        user = serializer.validated_data["user"]
        key = issue_token(user)
        # As django.contrib.auth.login does for the pages: django-axes resets the failure count.
        user_logged_in.send(sender=type(user), request=request, user=user)
        return Response({"token": key})

    @extend_schema(request=None, responses={204: None})
    def delete(self, request: Request) -> Response:
        ApiToken.objects.filter(pk=request.auth.pk).delete()  # type: ignore[union-attr]
        return Response(status=status.HTTP_204_NO_CONTENT)


def register(router: BaseRouter) -> None:
    """Add this app's viewsets to the project router."""
    router.register("users", UserViewSet, basename="user")
