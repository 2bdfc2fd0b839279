"""Stack AI Connections API, rebuilt as a FastAPI application.

This module exists only so that FastAPI publishes the OpenAPI 3.1 document the
real upstream service (a FastAPI service, judging by its default summaries and
response titles) would publish. The route handlers do nothing.

Derived from Stack AI's published documentation of the Connections API
(19 operations): paths, HTTP methods, operation titles (which become the
function names and FastAPI's default summaries), operation descriptions,
parameters with their defaults and limits, request bodies, and the response
shapes shown in the documentation's examples.

Guessed (the documentation does not say):
- The OAuth2 token URL: the documentation leaves "Token URL:" blank, so
  ``tokenUrl="token"`` is a placeholder.
- The values of ``ConnectionSortBy`` (created_at, updated_at, name),
  ``SortDirection`` (asc, desc) and ``RBACSubjectType`` (user, group): the
  documentation says "Possible values:" and lists none. Only the defaults
  (``created_at``, ``desc``) and the example ``user`` appear.
- ``InodeType`` values (file, directory): only ``file`` appears.
- ``ResourceStatus`` values: only ``resource`` appears; pending,
  being_indexed, indexed, parsed, error and deleted are inferred.
- The response of get_children_resources and search_resources: the
  documentation shows only an open object; ``CursorPage[Resource]``
  (data, next_cursor, current_cursor) is inferred from their cursor and
  page_size parameters.
- Field types inside response models that the documentation shows only by
  example: ``User`` timestamps stay strings (the examples show "text");
  ``Connection`` and ``Resource`` timestamps are date-times; ``ConnectionParam``
  and ``AvailableConnection`` defaults and optionality follow the example
  values; ``PaginatedResponse`` field defaults (status_code=200, meta={}).
- The descriptions (docstrings) of models the documentation does not describe:
  ``User``, ``Connection``, ``ConnectionParam``, ``AvailableConnection``,
  ``Resource``, ``InodeType``, ``SortDirection``, ``CursorPage``,
  ``PaginatedResponse``, ``ConnectionRbacInfo`` and ``RbacUpdateRequest``.
- Status codes: create_connection and create_connection_from_callback show no
  status code and keep 200; delete_connection and delete_connection_rbac show
  "No content" and publish 204.

Not representable: get_paginated_connections "supports dynamic
field__operator filters", i.e. arbitrary extra query parameters that the
documentation does not enumerate.

Regenerate the document (from the repository root):

    python3 openapi/upstream/app.py > openapi/connections.json
"""

import json
import sys
from datetime import datetime
from enum import Enum
from typing import Annotated, Any, Generic, TypeVar
from uuid import UUID

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Response
from fastapi.security import OAuth2PasswordBearer
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

# --------------------------------------------------------------------------
# Security
# --------------------------------------------------------------------------

oauth2_scheme = OAuth2PasswordBearer(
    tokenUrl="token",
    description=(
        "OAuth2 password flow with a bearer token. The documentation leaves the "
        "token URL blank; `token` is a placeholder."
    ),
)


def get_token(token: Annotated[str, Depends(oauth2_scheme)]) -> str:
    """Return the bearer token; its only purpose is to mark the operation as secured."""
    return token


Token = Annotated[str, Depends(get_token)]

# --------------------------------------------------------------------------
# Enums
# --------------------------------------------------------------------------


class ConnectionSortBy(str, Enum):
    """Field to sort connections by. The documentation lists no values; these are the connection's sortable timestamp and name fields."""

    created_at = "created_at"
    updated_at = "updated_at"
    name = "name"


class SortDirection(str, Enum):
    """Sort direction. The documentation lists no values; ascending and descending are inferred from the default `desc`."""

    asc = "asc"
    desc = "desc"


class RBACSubjectType(str, Enum):
    """RBAC subject types for access control. The documentation lists no values; `user` (used in its examples) and `group` are inferred."""

    user = "user"
    group = "group"


class InodeType(str, Enum):
    """Kind of a resource's inode. Only `file` appears in the documentation; `directory` is inferred."""

    file = "file"
    directory = "directory"


class ResourceStatus(str, Enum):
    """Status of a resource. Only `resource` appears in the documentation; the other values are inferred."""

    resource = "resource"
    pending = "pending"
    being_indexed = "being_indexed"
    indexed = "indexed"
    parsed = "parsed"
    error = "error"
    deleted = "deleted"


# --------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------

MetadataKey = Annotated[str, StringConstraints(pattern=r"^[^\t\n\r\f\v]+$")]

T = TypeVar("T")


class User(BaseModel):
    """A user, as referenced by a connection's `created_by` and `updated_by`."""

    avatar_url: str | None = None
    full_name: str | None = None
    has_completed_onboarding: bool | None = None
    last_signed_in: str | None = None
    updated_at: str | None = None
    id: str
    email: str | None = None


class BaseConnectionDataModel(BaseModel):
    """Base data model for all connections."""

    model_config = ConfigDict(extra="allow")


class ConnectionRequest(BaseModel):
    """Request model for creating/updating a connection."""

    name: str = "Unnamed connection"
    provider_id: str
    connection_type_id: str
    connection_provider_data: BaseConnectionDataModel


class ConnectionPatchRequest(BaseModel):
    """Request model for partially updating a connection (e.g., renaming)."""

    name: str = Field(..., description="New name for the connection")


class Connection(BaseModel):
    """A connection configured in an organization."""

    connection_id: UUID
    created_by: User | None = None
    created_at: datetime
    updated_by: User | None = None
    updated_at: datetime
    name: str = "Unnamed connection"
    org_id: str
    provider_id: str
    connection_type_id: str
    connection_provider_data: dict[str, Any]


class ConnectionParam(BaseModel):
    """A configuration parameter of an available connection."""

    label: str
    type: str
    placeholder: str | None = None
    default: Any = None
    help: str | None = None
    url: str | None = None
    required: bool = False
    name: str


class AvailableConnection(BaseModel):
    """A connection type that can be configured, with its configuration parameters."""

    connection_type_id: str
    provider_id: str
    name: str
    description: str | None = None
    labels: list[str] = []
    params: list[ConnectionParam] = []
    minimum_plan: str | None = None
    color: str = "#A3A3A3"
    is_marketing_stunt: bool = False
    connection_type: str = Field(
        ...,
        description="How the connection authenticates, for example `credentials` or `oauth`.",
    )


class Resource(BaseModel):
    """A resource (file or directory) in a connection."""

    knowledge_base_id: UUID | None = None
    created_at: datetime | None = None
    modified_at: datetime | None = None
    indexed_at: datetime | None = None
    inode_type: InodeType
    resource_id: str
    inode_path: dict[str, str]
    dataloader_metadata: dict[MetadataKey, Any] = {}
    user_metadata: dict[MetadataKey, Any] = {}
    inode_id: UUID | None = None
    content_hash: str | None = None
    content_mime: str | None = None
    size: int | None = None
    status: ResourceStatus | None = None
    supabase_signed_url: str | None = None


class CursorPage(BaseModel, Generic[T]):
    """A page of items with a cursor for the next page. The documentation shows only an open object; this shape is inferred from the cursor and page_size parameters."""

    # Pydantic drops the docstring of a parametrized generic (CursorPage[Resource]);
    # carry it over explicitly so it still publishes as the schema description.
    model_config = ConfigDict(json_schema_extra={"description": __doc__})

    data: list[T]
    next_cursor: str | None = Field(
        None, description="Cursor of the next page; null on the last page."
    )
    current_cursor: str | None = None


class PaginatedResponse(BaseModel, Generic[T]):
    """An offset-paginated response envelope."""

    model_config = ConfigDict(json_schema_extra={"description": __doc__})

    status_code: int = 200
    response_code: str
    meta: dict[str, Any] = {}
    data: list[T]
    offset: int
    limit: int
    total: int


class ConnectionRbacInfo(BaseModel):
    """Role-based access control information of a connection."""

    org_level_role: str | None = None
    user_roles: dict[str, list[UUID]] = {}
    group_roles: dict[str, list[UUID]] = {}
    current_user_effective_role: str | None = None


class RbacUpdateRequest(BaseModel):
    """Request model for granting a role on a connection to a user or group."""

    subject_type: RBACSubjectType
    role: str
    subject_id: UUID


class OrganizationRoleUpdateRequest(BaseModel):
    """Request model for updating connection organization-level role."""

    role: str | None = Field(
        ...,
        description="Organization-level role for the connection. Set to null to remove org-level access.",
    )


# --------------------------------------------------------------------------
# Shared parameters
# --------------------------------------------------------------------------

ConnectionId = Annotated[UUID, Path()]
RefreshOauthTokens = Annotated[bool, Query()]
Cursor = Annotated[
    str | None,
    Query(
        description=(
            "Optional identifier for the page that should be returned. If it is "
            "not provided, the first page will be returned."
        ),
        examples=["ZXhhbXBsZV9jdXJzb3I="],
    ),
]
PageSize = Annotated[
    int,
    Query(ge=1, le=1000, description="Number of items to be returned in the page."),
]

# --------------------------------------------------------------------------
# Application and routes (in the documentation's order)
# --------------------------------------------------------------------------

app = FastAPI(
    title="Stack AI Connections API",
    version="1.0.0",
    description=(
        "Stack AI's Connections API: list the connection types that can be "
        "configured; create, read, update and delete connections to external "
        "providers (including through OAuth); browse and search the resources "
        "of a connection; and manage a connection's role-based access control."
    ),
)

router = APIRouter(tags=["connections"])


@router.get("/connections/available", response_model=list[AvailableConnection])
def get_available_connections():
    """List all available connections that can be configured.

    Returns a list of available connection types with their configuration parameters.
    """
    raise NotImplementedError


@router.get("/connections", response_model=list[Connection])
def get_connections(
    token: Token,
    connection_provider: str | None = None,
    limit: int = 1000,
    offset: int = 0,
):
    """List all available connections for the user in his current organization."""
    raise NotImplementedError


@router.post("/connections", response_model=Connection)
def create_connection(body: ConnectionRequest, token: Token):
    """Create a new connection. The connection will be created in the user's current organization."""
    raise NotImplementedError


@router.get("/connections/{connection_id}", response_model=Connection)
def get_connection_by_id(
    connection_id: ConnectionId,
    token: Token,
    refresh_oauth_tokens: RefreshOauthTokens = False,
):
    raise NotImplementedError


@router.put("/connections/{connection_id}", response_model=Connection)
def update_connection(connection_id: ConnectionId, body: ConnectionRequest, token: Token):
    """Update the connection with the given id."""
    raise NotImplementedError


@router.delete("/connections/{connection_id}", status_code=204, response_class=Response)
def delete_connection(connection_id: ConnectionId, token: Token):
    """Delete a connection given its ID."""
    return Response(status_code=204)


@router.patch("/connections/{connection_id}", response_model=Connection)
def patch_connection(connection_id: ConnectionId, body: ConnectionPatchRequest, token: Token):
    """Patch a connection to update specific fields like name."""
    raise NotImplementedError


@router.get("/connections/{connection_id}/health", response_model=dict[str, Any])
def get_connection_health(connection_id: ConnectionId, token: Token):
    """Check the health of a connection."""
    raise NotImplementedError


@router.post("/connections/oauth/start", response_model=str)
def get_oauth_url(body: ConnectionRequest, token: Token):
    """Return the OAuth URL for a connection provider."""
    raise NotImplementedError


@router.post("/connections/oauth/callback", response_model=Connection)
def create_connection_from_callback(code: str, body: ConnectionRequest, token: Token):
    """Create a new connection from an OAuth callback.

    This endpoint is used to create a new connection for providers that use the OAuth protocol. The OAuth flow is initialized by the stack frontend, where the user is redirected to the provider's authorization page. Once the user authorizes the application, they are redirected back to the stack frontend with a code parameter. This code is then sent to this endpoint, which uses it to create a new connection for said provider completing the OAuth flow.
    """
    raise NotImplementedError


@router.put("/connections/oauth/callback/{connection_id}", response_model=Connection)
def update_connection_from_callback(
    connection_id: ConnectionId, code: str, body: ConnectionRequest, token: Token
):
    """Update an existing connection from an OAuth callback.

    Mirrors the creation flow but updates the specified connection with new OAuth credentials. Path chosen for consistency with POST /oauth/callback and REST semantics.
    """
    raise NotImplementedError


@router.get("/connections/{connection_id}/resources", response_model=dict[str, Resource])
def get_connection_resources(
    connection_id: ConnectionId,
    token: Token,
    resource_ids: list[str] | None = Query(None),
    refresh_oauth_tokens: RefreshOauthTokens = False,
):
    """Get the resources associated with a connection.

    This endpoint returns the information for the selected resource in the connection.
    """
    raise NotImplementedError


@router.get(
    "/connections/{connection_id}/resources/children",
    response_model=CursorPage[Resource],
)
def get_children_resources(
    connection_id: ConnectionId,
    token: Token,
    resource_id: str | None = None,
    cursor: Cursor = None,
    page_size: PageSize = 50,
    refresh_oauth_tokens: RefreshOauthTokens = False,
):
    """Get the children of a resource associated with a connection.

    This endpoint can be used to navigate the resources in the connection. If no resource_id is provided, it will return the list of resources at the root of the connection. If a resource_id is provided, it will return the children of that resource. If the resource_id corresponds to a file, an empty list will be returned.
    """
    raise NotImplementedError


@router.get(
    "/connections/{connection_id}/resources/search",
    response_model=CursorPage[Resource],
)
def search_resources(
    connection_id: ConnectionId,
    token: Token,
    query: Annotated[str, Query(description="Search query string")],
    cursor: Cursor = None,
    page_size: PageSize = 50,
    refresh_oauth_tokens: RefreshOauthTokens = False,
):
    """Search for resources in the connection that match the query."""
    raise NotImplementedError


@router.get("/api/v1/connections", response_model=PaginatedResponse[Connection])
def get_paginated_connections(
    token: Token,
    limit: int = 10,
    offset: int = 0,
    sort_by: ConnectionSortBy = ConnectionSortBy.created_at,
    sort_dir: SortDirection = SortDirection.desc,
):
    """List all available connections for the user in his current organization.

    Supports dynamic field__operator filters.
    """
    raise NotImplementedError


@router.get("/api/v1/connections/{connection_id}/rbac", response_model=ConnectionRbacInfo)
def get_connection_rbac(connection_id: ConnectionId, token: Token):
    """Get the RBA info for a connection."""
    raise NotImplementedError


@router.put("/api/v1/connections/{connection_id}/rbac")
def update_connection_rbac(connection_id: ConnectionId, body: RbacUpdateRequest, token: Token):
    """Update the RBAC info for a connection."""
    raise NotImplementedError


@router.delete(
    "/api/v1/connections/{connection_id}/rbac",
    status_code=204,
    response_class=Response,
)
def delete_connection_rbac(
    connection_id: ConnectionId,
    subject_type: RBACSubjectType,
    subject_id: UUID,
    token: Token,
):
    """Delete RBA info for the connection."""
    return Response(status_code=204)


@router.patch("/api/v1/connections/{connection_id}/organization-role")
def update_connection_organization_role(
    connection_id: ConnectionId, body: OrganizationRoleUpdateRequest, token: Token
):
    """Update the organization-level role for a connection."""
    raise NotImplementedError


app.include_router(router)


if __name__ == "__main__":
    sys.stdout.write(json.dumps(app.openapi(), indent=2, ensure_ascii=False) + "\n")
