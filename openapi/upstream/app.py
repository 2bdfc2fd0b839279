"""Stack AI Connections API, rebuilt as a FastAPI application.

This module exists so that FastAPI publishes the OpenAPI 3.1 document the
real upstream service (a FastAPI service, judging by its default summaries and
response titles) would publish, and, second, to serve that API from memory for
trying the client against (see "Serving" below). Nothing in the handlers may
change the document: no return annotations, no new parameters except
``Request``, and routes outside the API are ``include_in_schema=False``.

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

Regenerate the document (from the repository root; ``import`` writes it in
canonical form and regenerates the client):

    python3 openapi/upstream/app.py | cargo xtask import -

Serving (``pip install -r openapi/upstream/requirements.txt``):

    python3 -m uvicorn --app-dir openapi/upstream app:app --port 8000
    STACKAI_BASE_URL=http://127.0.0.1:8000 STACKAI_API_KEY=dev-key \
        cargo run -p stackai-connections --example quickstart

The server keeps everything in memory and forgets it on restart. It accepts two
kinds of bearer token: the API key in ``STACKAI_API_KEY`` (default ``dev-key``),
and tokens from ``POST /token``, the password flow of the security scheme, for
the user ``demo`` with password ``demo``; they live ``STACKAI_TOKEN_TTL``
seconds (default 3600). Offers two connection types that authenticate with
credentials (PostgreSQL, Confluence) and one with OAuth (Google Drive); each
connection gets a small fake tree of resources, paged by cursor.
"""

import base64
import binascii
import json
import os
import secrets
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from enum import Enum
from typing import Annotated, Any, Generic, TypeVar
from urllib.parse import parse_qs
from uuid import UUID, uuid4, uuid5

from fastapi import APIRouter, Depends, FastAPI, HTTPException, Path, Query, Request, Response
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
    """Return the bearer token after checking it: the API key, or a live token from `/token`.

    Marks the operation as secured in the document; a missing token is refused (401) by
    `oauth2_scheme` already.
    """
    if store.user_for_token(token) is None:
        raise HTTPException(
            status_code=401,
            detail="Invalid or expired token",
            headers={"WWW-Authenticate": "Bearer"},
        )
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
# In-memory state, for serving the API (see "Serving" in the module docstring)
# --------------------------------------------------------------------------

API_KEY = os.environ.get("STACKAI_API_KEY", "dev-key")
TOKEN_TTL = int(os.environ.get("STACKAI_TOKEN_TTL", "3600"))
ORG_ID = "org-demo"

# Who may sign in through `POST /token`, and who the API key acts as.
PASSWORDS = {"demo": "demo"}
USERS = {
    "demo": User(
        id="6f1c2e52-2b9c-4c47-9d3b-0d3c5c1f8a01",
        email="demo@example.com",
        full_name="Demo User",
        has_completed_onboarding=True,
    ),
    "api-key": User(id="0b7f4d2a-9e61-4c1a-8a55-3f2d9c7e6b10", full_name="API key"),
}


def _param(name: str, label: str, type_: str, required: bool = True, **extra: Any) -> ConnectionParam:
    return ConnectionParam(name=name, label=label, type=type_, required=required, **extra)


AVAILABLE = [
    AvailableConnection(
        connection_type_id="gdrive-oauth",
        provider_id="gdrive",
        name="Google Drive",
        description="Files and folders of a Google Drive, through OAuth.",
        labels=["files"],
        color="#4285F4",
        connection_type="oauth",
    ),
    AvailableConnection(
        connection_type_id="postgres-credentials",
        provider_id="postgres",
        name="PostgreSQL",
        description="Tables of a PostgreSQL database.",
        labels=["database"],
        params=[
            _param("host", "Host", "string", placeholder="db.example.com"),
            _param("port", "Port", "number", default=5432),
            _param("database", "Database", "string", placeholder="analytics"),
            _param("username", "User", "string"),
            _param("password", "Password", "string"),
            _param("ssl", "Require TLS", "boolean", default=True),
            _param("schema", "Schema", "string", required=False, default="public"),
        ],
        color="#336791",
        connection_type="credentials",
    ),
    AvailableConnection(
        connection_type_id="confluence-credentials",
        provider_id="confluence",
        name="Confluence",
        description="Spaces and pages of a Confluence site.",
        labels=["wiki"],
        params=[
            _param("url", "Site URL", "string", placeholder="https://example.atlassian.net"),
            _param("email", "Email", "string"),
            _param("api_token", "API token", "string", url="https://id.atlassian.com/manage-profile/security/api-tokens"),
        ],
        minimum_plan="pro",
        connection_type="credentials",
    ),
]

# The fake tree every connection gets: paths, directories ending in `/`.
TREE = [
    "Documents/",
    "Documents/handbook.pdf",
    "Documents/onboarding.docx",
    "Documents/Archive/",
    "Documents/Archive/2023-summary.pdf",
    "Reports/",
    "Reports/q1.xlsx",
    "Reports/q2.xlsx",
    "README.md",
]
MIME = {".pdf": "application/pdf", ".md": "text/markdown", ".xlsx": "application/vnd.ms-excel",
        ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}

ROLES = ("viewer", "editor", "owner")  # weakest first; other role names rank below viewer


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _not_found(what: str) -> HTTPException:
    return HTTPException(status_code=404, detail=f"{what} not found")


def _invalid(loc: list[Any], msg: str, type_: str = "value_error") -> HTTPException:
    """A 422 shaped like FastAPI's own validation errors."""
    return HTTPException(status_code=422, detail=[{"loc": loc, "msg": msg, "type": type_}])


class Store:
    """Connections, their resources and RBAC, and issued tokens; one lock guards all."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.connections: dict[UUID, Connection] = {}
        # connection id -> resource id -> (parent resource id or None, resource)
        self.resources: dict[UUID, dict[str, tuple[str | None, Resource]]] = {}
        self.rbac: dict[UUID, ConnectionRbacInfo] = {}
        self.tokens: dict[str, tuple[str, float]] = {}  # token -> (username, expiry)

    # Tokens ----------------------------------------------------------------

    def issue_token(self, username: str) -> str:
        token = secrets.token_urlsafe(24)
        with self.lock:
            self.tokens[token] = (username, time.monotonic() + TOKEN_TTL)
        return token

    def user_for_token(self, token: str) -> User | None:
        if secrets.compare_digest(token.encode(), API_KEY.encode()):
            return USERS["api-key"]
        with self.lock:
            username, expires = self.tokens.get(token, (None, 0.0))
            if username is None or time.monotonic() >= expires:
                self.tokens.pop(token, None)
                return None
        return USERS[username]

    # Connections -----------------------------------------------------------

    def get(self, connection_id: UUID) -> Connection:
        with self.lock:
            connection = self.connections.get(connection_id)
        if connection is None:
            raise _not_found(f"Connection {connection_id}")
        return connection

    def all_connections(self) -> list[Connection]:
        with self.lock:
            return list(self.connections.values())

    def create(self, body: ConnectionRequest, user: User, extra_data: dict[str, Any] | None = None) -> Connection:
        data = _checked_provider_data(body, extra_data)
        now = _now()
        connection = Connection(
            connection_id=uuid4(),
            created_by=user,
            created_at=now,
            updated_by=user,
            updated_at=now,
            name=body.name,
            org_id=ORG_ID,
            provider_id=body.provider_id,
            connection_type_id=body.connection_type_id,
            connection_provider_data=data,
        )
        with self.lock:
            self.connections[connection.connection_id] = connection
            self.resources[connection.connection_id] = _fake_tree(connection.connection_id, now)
            self.rbac[connection.connection_id] = ConnectionRbacInfo(
                org_level_role="viewer", user_roles={"owner": [UUID(user.id)]}
            )
        return connection

    def update(self, connection_id: UUID, user: User, **changes: Any) -> Connection:
        with self.lock:
            connection = self.connections.get(connection_id)
            if connection is None:
                raise _not_found(f"Connection {connection_id}")
            updated = connection.model_copy(update={**changes, "updated_by": user, "updated_at": _now()})
            self.connections[connection_id] = updated
        return updated

    def delete(self, connection_id: UUID) -> None:
        with self.lock:
            if self.connections.pop(connection_id, None) is None:
                raise _not_found(f"Connection {connection_id}")
            self.resources.pop(connection_id, None)
            self.rbac.pop(connection_id, None)

    # Resources -------------------------------------------------------------

    def resource_entries(self, connection_id: UUID) -> dict[str, tuple[str | None, Resource]]:
        self.get(connection_id)
        with self.lock:
            return dict(self.resources.get(connection_id, {}))

    # RBAC ------------------------------------------------------------------

    def rbac_info(self, connection_id: UUID, user: User) -> ConnectionRbacInfo:
        self.get(connection_id)
        with self.lock:
            info = self.rbac[connection_id].model_copy(deep=True)
        user_id = UUID(user.id)
        held = [role for role, ids in info.user_roles.items() if user_id in ids]
        if info.org_level_role is not None:
            held.append(info.org_level_role)
        info.current_user_effective_role = max(held, key=_rank, default=None)
        return info

    def change_rbac(self, connection_id: UUID, user: User, change) -> ConnectionRbacInfo:
        self.get(connection_id)
        with self.lock:
            change(self.rbac[connection_id])
        return self.rbac_info(connection_id, user)


def _rank(role: str) -> int:
    return ROLES.index(role) + 1 if role in ROLES else 0


def _revoke(info: ConnectionRbacInfo, subject_type: RBACSubjectType, subject_id: UUID) -> None:
    """Removes every role the subject holds, dropping roles nobody holds any more."""
    roles = info.user_roles if subject_type == RBACSubjectType.user else info.group_roles
    for role in list(roles):
        roles[role] = [i for i in roles[role] if i != subject_id]
        if not roles[role]:
            del roles[role]


def _checked_provider_data(body: ConnectionRequest, extra: dict[str, Any] | None) -> dict[str, Any]:
    """The provider data, after checking the connection type and its required params."""
    kind = next(
        (k for k in AVAILABLE if (k.provider_id, k.connection_type_id) == (body.provider_id, body.connection_type_id)),
        None,
    )
    if kind is None:
        raise _invalid(
            ["body", "connection_type_id"],
            f"No available connection type {body.provider_id}/{body.connection_type_id}",
        )
    data = body.connection_provider_data.model_dump()
    problems = []
    for param in kind.params:
        loc = ["body", "connection_provider_data", param.name]
        if param.name not in data:
            if param.required:
                problems.append({"loc": loc, "msg": "Field required", "type": "missing"})
            continue
        value = data[param.name]
        ok = {
            "string": isinstance(value, str),
            "number": isinstance(value, (int, float)) and not isinstance(value, bool),
            "boolean": isinstance(value, bool),
        }.get(param.type, True)
        if not ok:
            problems.append({"loc": loc, "msg": f"Input should be a {param.type}", "type": f"{param.type}_type"})
    if problems:
        raise HTTPException(status_code=422, detail=problems)
    return {**data, **(extra or {})}


def _fake_tree(connection_id: UUID, now: datetime) -> dict[str, tuple[str | None, Resource]]:
    entries: dict[str, tuple[str | None, Resource]] = {}
    ids: dict[str, str] = {}
    for n, path in enumerate(TREE):
        is_dir = path.endswith("/")
        clean = path.rstrip("/")
        parent_path = clean.rpartition("/")[0]
        resource_id = uuid5(connection_id, clean).hex[:16]
        ids[clean] = resource_id
        extension = os.path.splitext(clean)[1]
        entries[resource_id] = (
            ids[parent_path] if parent_path else None,
            Resource(
                resource_id=resource_id,
                inode_id=uuid5(connection_id, "inode:" + clean),
                inode_type=InodeType.directory if is_dir else InodeType.file,
                inode_path={"path": clean},
                created_at=now - timedelta(days=30 - n),
                modified_at=now - timedelta(days=10 - n),
                content_mime=None if is_dir else MIME.get(extension, "application/octet-stream"),
                size=None if is_dir else 1024 * (n + 1),
                status=ResourceStatus.resource,
            ),
        )
    return entries


def _cursor_page(items: list[Resource], cursor: str | None, page_size: int) -> CursorPage[Resource]:
    """`page_size` items from the position `cursor` encodes (base64 JSON `{"offset": n}`)."""
    start = 0
    if cursor:
        try:
            start = int(json.loads(base64.urlsafe_b64decode(cursor))["offset"])
        except (binascii.Error, ValueError, KeyError, TypeError):
            raise _invalid(["query", "cursor"], "Invalid cursor") from None
    end = start + page_size
    next_cursor = None
    if end < len(items):
        next_cursor = base64.urlsafe_b64encode(json.dumps({"offset": end}).encode()).decode()
    return CursorPage[Resource](data=items[start:end], next_cursor=next_cursor, current_cursor=cursor)


def _user(token: str) -> User:
    user = store.user_for_token(token)
    if user is None:  # expired between the dependency and the handler
        raise HTTPException(status_code=401, detail="Invalid or expired token")
    return user


# get_paginated_connections' "dynamic field__operator filters".
FILTERS = {
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "contains": lambda a, b: b in a,
    "icontains": lambda a, b: b.lower() in a.lower(),
    "gt": lambda a, b: a > b,
    "gte": lambda a, b: a >= b,
    "lt": lambda a, b: a < b,
    "lte": lambda a, b: a <= b,
}
FILTERABLE = ("name", "provider_id", "connection_type_id", "org_id", "created_at", "updated_at")


def _filter(connections: list[Connection], request: Request) -> list[Connection]:
    for key, value in request.query_params.items():
        field, sep, op = key.partition("__")
        if not sep:
            continue
        if field not in FILTERABLE or op not in FILTERS:
            raise _invalid(["query", key], f"Unknown filter; fields: {', '.join(FILTERABLE)}; operators: {', '.join(FILTERS)}")
        wanted: Any = value
        if field.endswith("_at"):
            try:
                wanted = datetime.fromisoformat(value)
            except ValueError:
                raise _invalid(["query", key], "Input should be a date-time") from None
            if wanted.tzinfo is None:
                wanted = wanted.replace(tzinfo=timezone.utc)
        connections = [c for c in connections if FILTERS[op](getattr(c, field), wanted)]
    return connections


store = Store()

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
    return AVAILABLE


@router.get("/connections", response_model=list[Connection])
def get_connections(
    token: Token,
    connection_provider: str | None = None,
    limit: int = 1000,
    offset: int = 0,
):
    """List all available connections for the user in his current organization."""
    connections = store.all_connections()
    if connection_provider is not None:
        connections = [c for c in connections if c.provider_id == connection_provider]
    offset = max(offset, 0)
    return connections[offset : offset + max(limit, 0)]


@router.post("/connections", response_model=Connection)
def create_connection(body: ConnectionRequest, token: Token):
    """Create a new connection. The connection will be created in the user's current organization."""
    return store.create(body, _user(token))


@router.get("/connections/{connection_id}", response_model=Connection)
def get_connection_by_id(
    connection_id: ConnectionId,
    token: Token,
    refresh_oauth_tokens: RefreshOauthTokens = False,
):
    return store.get(connection_id)


@router.put("/connections/{connection_id}", response_model=Connection)
def update_connection(connection_id: ConnectionId, body: ConnectionRequest, token: Token):
    """Update the connection with the given id."""
    store.get(connection_id)
    return store.update(
        connection_id,
        _user(token),
        name=body.name,
        provider_id=body.provider_id,
        connection_type_id=body.connection_type_id,
        connection_provider_data=_checked_provider_data(body, None),
    )


@router.delete("/connections/{connection_id}", status_code=204, response_class=Response)
def delete_connection(connection_id: ConnectionId, token: Token):
    """Delete a connection given its ID."""
    store.delete(connection_id)
    return Response(status_code=204)


@router.patch("/connections/{connection_id}", response_model=Connection)
def patch_connection(connection_id: ConnectionId, body: ConnectionPatchRequest, token: Token):
    """Patch a connection to update specific fields like name."""
    return store.update(connection_id, _user(token), name=body.name)


@router.get("/connections/{connection_id}/health", response_model=dict[str, Any])
def get_connection_health(connection_id: ConnectionId, token: Token):
    """Check the health of a connection."""
    connection = store.get(connection_id)
    return {
        "connection_id": str(connection.connection_id),
        "status": "healthy",
        "checked_at": _now().isoformat(),
    }


@router.post("/connections/oauth/start", response_model=str)
def get_oauth_url(body: ConnectionRequest, token: Token):
    """Return the OAuth URL for a connection provider."""
    kind = next((k for k in AVAILABLE if k.provider_id == body.provider_id), None)
    if kind is None or kind.connection_type != "oauth":
        raise _invalid(["body", "provider_id"], f"{body.provider_id} does not use OAuth")
    return f"https://oauth.example.com/authorize?provider={kind.provider_id}&state={secrets.token_urlsafe(8)}"


@router.post("/connections/oauth/callback", response_model=Connection)
def create_connection_from_callback(code: str, body: ConnectionRequest, token: Token):
    """Create a new connection from an OAuth callback.

    This endpoint is used to create a new connection for providers that use the OAuth protocol. The OAuth flow is initialized by the stack frontend, where the user is redirected to the provider's authorization page. Once the user authorizes the application, they are redirected back to the stack frontend with a code parameter. This code is then sent to this endpoint, which uses it to create a new connection for said provider completing the OAuth flow.
    """
    return store.create(body, _user(token), {"refresh_token": f"fake-refresh-{code}"})


@router.put("/connections/oauth/callback/{connection_id}", response_model=Connection)
def update_connection_from_callback(
    connection_id: ConnectionId, code: str, body: ConnectionRequest, token: Token
):
    """Update an existing connection from an OAuth callback.

    Mirrors the creation flow but updates the specified connection with new OAuth credentials. Path chosen for consistency with POST /oauth/callback and REST semantics.
    """
    store.get(connection_id)
    return store.update(
        connection_id,
        _user(token),
        name=body.name,
        provider_id=body.provider_id,
        connection_type_id=body.connection_type_id,
        connection_provider_data=_checked_provider_data(body, {"refresh_token": f"fake-refresh-{code}"}),
    )


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
    entries = store.resource_entries(connection_id)
    if resource_ids is None:
        return {rid: resource for rid, (_, resource) in entries.items()}
    missing = [rid for rid in resource_ids if rid not in entries]
    if missing:
        raise _not_found(f"Resource {', '.join(missing)}")
    return {rid: entries[rid][1] for rid in resource_ids}


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
    entries = store.resource_entries(connection_id)
    if resource_id is not None and resource_id not in entries:
        raise _not_found(f"Resource {resource_id}")
    children = [resource for parent, resource in entries.values() if parent == resource_id]
    return _cursor_page(children, cursor, page_size)


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
    entries = store.resource_entries(connection_id)
    needle = query.lower()
    found = [r for _, r in entries.values() if needle in r.inode_path["path"].rpartition("/")[2].lower()]
    return _cursor_page(found, cursor, page_size)


@router.get("/api/v1/connections", response_model=PaginatedResponse[Connection])
def get_paginated_connections(
    request: Request,
    token: Token,
    limit: int = 10,
    offset: int = 0,
    sort_by: ConnectionSortBy = ConnectionSortBy.created_at,
    sort_dir: SortDirection = SortDirection.desc,
):
    """List all available connections for the user in his current organization.

    Supports dynamic field__operator filters.
    """
    # `request` gives the filters (`name__icontains=drive`); it does not appear in the document.
    connections = _filter(store.all_connections(), request)
    connections.sort(key=lambda c: getattr(c, sort_by.value), reverse=sort_dir == SortDirection.desc)
    offset, limit = max(offset, 0), max(limit, 0)
    return PaginatedResponse[Connection](
        response_code="OK",
        data=connections[offset : offset + limit],
        offset=offset,
        limit=limit,
        total=len(connections),
    )


@router.get("/api/v1/connections/{connection_id}/rbac", response_model=ConnectionRbacInfo)
def get_connection_rbac(connection_id: ConnectionId, token: Token):
    """Get the RBA info for a connection."""
    return store.rbac_info(connection_id, _user(token))


@router.put("/api/v1/connections/{connection_id}/rbac")
def update_connection_rbac(connection_id: ConnectionId, body: RbacUpdateRequest, token: Token):
    """Update the RBAC info for a connection."""

    def grant(info: ConnectionRbacInfo) -> None:
        # A subject holds one role at a time: granting replaces what it had.
        _revoke(info, body.subject_type, body.subject_id)
        roles = info.user_roles if body.subject_type == RBACSubjectType.user else info.group_roles
        roles.setdefault(body.role, []).append(body.subject_id)

    # No response_model in the document: answer the updated info as plain JSON.
    return store.change_rbac(connection_id, _user(token), grant).model_dump(mode="json")


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
    store.change_rbac(connection_id, _user(token), lambda info: _revoke(info, subject_type, subject_id))
    return Response(status_code=204)


@router.patch("/api/v1/connections/{connection_id}/organization-role")
def update_connection_organization_role(
    connection_id: ConnectionId, body: OrganizationRoleUpdateRequest, token: Token
):
    """Update the organization-level role for a connection."""

    def set_role(info: ConnectionRbacInfo) -> None:
        info.org_level_role = body.role

    return store.change_rbac(connection_id, _user(token), set_role).model_dump(mode="json")


app.include_router(router)


@app.post("/token", include_in_schema=False)
async def issue_token(request: Request):
    """The OAuth2 password flow's token endpoint (the document's `tokenUrl`).

    Reads the form by hand so that printing the document needs no python-multipart.
    """
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode(errors="replace")).items()}
    if form.get("grant_type", "password") != "password":
        raise HTTPException(status_code=400, detail="unsupported_grant_type")
    username, password = form.get("username", ""), form.get("password", "")
    expected = PASSWORDS.get(username)
    if expected is None or not secrets.compare_digest(password.encode(), expected.encode()):
        raise HTTPException(status_code=400, detail="Incorrect username or password")
    return {"access_token": store.issue_token(username), "token_type": "bearer", "expires_in": TOKEN_TTL}


if __name__ == "__main__":
    sys.stdout.write(json.dumps(app.openapi(), indent=2, ensure_ascii=False) + "\n")
