"""The API of the partnership's directory: its teams and how to reach them."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import ListAPIView

from tellonce.core.requests import acting_user
from tellonce.organisations.api import serializers as s
from tellonce.organisations.selectors import team_directory


@extend_schema(
    summary="The partnership's teams and how to contact them",
    parameters=[OpenApiParameter("service", str, description="Filter by service")],
)
class TeamListView(ListAPIView):
    serializer_class = s.TeamSerializer

    def get_queryset(self):  # type: ignore[no-untyped-def]
        return team_directory(
            user=acting_user(self.request),  # type: ignore[arg-type]
            service=self.request.query_params.get("service"),
        )
