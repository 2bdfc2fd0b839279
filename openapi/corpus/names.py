"""Names that collide (issue 17, idioms 1 and 4), as real FastAPI services publish them.
Each operation here is exercised by ``tests/tests/corpus_names.rs`` against a loopback
server, and ``tests/tests/codegen_normalize.rs`` checks that the parameters and properties
below take every name of the generator's member lists (``codegen/src/members.rs``).

- method names: tag-prefixed operationIds from ``generate_unique_id_function`` that clean
  to the same name, and two routes sharing one operationId (one function serving both);
- parameters named like the request builders' own members (``send``, ``timeout``,
  ``body``, ``page``, ``filter``, ...), like the typed mocks' own methods (``status``,
  ``error``, ``ok``, ...), and two that clean to the same Rust name (``user-id`` and
  ``user_id``);
- operations named like ``MockServer``'s own methods;
- properties named like the models' own ``extra`` map, that clean to the same Rust name
  (``userId``, ``user_id``, ``user-id``), Rust keywords, names starting with a digit and
  names that are not ASCII.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Body, File, Header, Query, UploadFile
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field


def tag_and_name(route: APIRoute) -> str:
    """FastAPI's documented ``generate_unique_id_function``: ``<first tag>-<function>``."""
    return f"{route.tags[0]}-{route.name}"


router = APIRouter(tags=["corpus-names"])
users = APIRouter(tags=["names-users"], generate_unique_id_function=tag_and_name)
private = APIRouter(tags=["names-private"], generate_unique_id_function=tag_and_name)


class NamesEcho(BaseModel):
    """What the server received: query parameters and headers by their wire names."""

    values: dict[str, Any] = {}


class NewUser(BaseModel):
    """A user to create."""

    name: str


# -- method names -------------------------------------------------------------------------


@users.post("/corpus/names/users", response_model=NamesEcho)
def create_user(user: NewUser):
    """Create a user (operationId ``names-users-create_user``)."""
    return NamesEcho(values={"router": "users", "name": user.name})


@private.post("/corpus/names/private/users", response_model=NamesEcho)
def create_user(user: NewUser):  # noqa: F811  (the same name in another router, as in real services)
    """Create a user through the private API (operationId ``names-private-create_user``)."""
    return NamesEcho(values={"router": "private", "name": user.name})


@users.get("/corpus/names/users", response_model=NamesEcho)
def list_named_users():
    """The other operation of the tag, whose name collides with nothing."""
    return NamesEcho(values={"router": "users"})


@router.get("/corpus/names/items/{item_id}", response_model=NamesEcho, operation_id="read_named_item")
@router.get("/corpus/names/things/{item_id}", response_model=NamesEcho, operation_id="read_named_item")
def read_named_item(item_id: int):
    """One function serving two routes: FastAPI publishes the same operationId for both."""
    return NamesEcho(values={"item_id": item_id})


# -- parameters named like the request builders' members ------------------------------------


@router.get("/corpus/names/builder-members", response_model=NamesEcho)
def builder_members(
    new: str | None = None,
    send: str | None = None,
    client: str | None = None,
    request_options: str | None = None,
    with_options: str | None = None,
    timeout: int | None = None,
    max_retries: int | None = None,
    extra_header: Annotated[str | None, Header()] = None,
    extra_query: str | None = None,
    extra_body: str | None = None,
    user_id: str | None = None,
    user_id_header: Annotated[str | None, Header(alias="user-id")] = None,
):
    """Every parameter takes the name of a member every request builder has."""
    return NamesEcho(values={"new": new, "send": send, "client": client,
                        "request_options": request_options, "with_options": with_options,
                        "timeout": timeout, "max_retries": max_retries,
                        "extra_header": extra_header, "extra_query": extra_query,
                        "extra_body": extra_body, "user_id": user_id, "user-id": user_id_header})


@router.post("/corpus/names/body-members", response_model=NamesEcho)
def body_members(note: NewUser, body: str, body_map: str):
    """Parameters named like the setters of a request body."""
    return NamesEcho(values={"name": note.name, "body": body, "body_map": body_map})


class NamesPage(BaseModel):
    """A page of names."""

    data: list[str]
    total: int


@router.get("/corpus/names/page-members", response_model=NamesPage)
def page_members(limit: int = 2, offset: int = 0, page: int | None = None,
                 stream: bool | None = None):
    """A paginated listing whose parameters are named like `stream()` and `page()`."""
    names = ["a", "b", "c"]
    return NamesPage(data=names[offset:offset + limit], total=len(names))


@router.get(
    "/corpus/names/filter-members",
    response_model=NamesEcho,
    openapi_extra={"x-dynamic-filters": {"fields": ["name"], "operators": ["eq"]}},
)
def filter_members(filter: str | None = None, dynamic_filters: str | None = None):
    """Dynamic filters beside parameters named like `filter()` and the filters' field."""
    return NamesEcho(values={"filter": filter, "dynamic_filters": dynamic_filters})


@router.post("/corpus/names/file-members", response_model=NamesEcho)
async def file_members(
    file: Annotated[UploadFile, File()],
    file_parts: str | None = None,
):
    """An upload with a parameter named like the builder's file parts."""
    return NamesEcho(values={"size": len(await file.read()), "file_parts": file_parts})


class NamesChunk(BaseModel):
    """One event."""

    text: str


@router.post(
    "/corpus/names/event-members",
    response_model=NamesChunk,
    responses={200: {"content": {"text/event-stream": {"itemSchema": {
        "type": "object",
        "properties": {"data": {"contentMediaType": "application/json",
                                "contentSchema": {"$ref": "#/components/schemas/NamesChunk"}}},
        "required": ["data"]}}}}},
)
def event_members(chunk: NamesChunk, send_events: str | None = None):
    """JSON or events, with a parameter named like `send_events()`."""
    return chunk


@router.get("/corpus/names/path-members/{send}/{timeout}", response_model=NamesEcho)
def path_members(send: str, timeout: int):
    """Path parameters named like the builder's `send()` and `timeout()`."""
    return NamesEcho(values={"send": send, "timeout": timeout})


# -- parameters named like the typed mocks' methods ---------------------------------------


@router.get("/corpus/names/mock-members", response_model=NamesEcho)
def mock_members(
    status: str | None = None,
    ok: bool | None = None,
    times: int | None = None,
    respond_with: str | None = None,
    pages: int | None = None,
    body_partial: str | None = None,
    ok_events: str | None = None,
    body: str | None = None,
    filter: str | None = None,
    error: Annotated[str | None, Header()] = None,
):
    """`status` and `error` are among the most common parameter names of any API."""
    return NamesEcho(values={"status": status, "ok": ok, "times": times,
                        "respond_with": respond_with, "pages": pages,
                        "body_partial": body_partial, "ok_events": ok_events, "body": body,
                        "filter": filter, "error": error})


def _server_member(name: str):
    def handler():
        return NamesEcho(values={"operation": name})

    handler.__doc__ = f"An operation named like `MockServer::{name}`."
    return handler


for _name in ["start", "uri", "client", "client_builder", "take_unmatched", "mount", "mount_json"]:
    router.add_api_route(f"/corpus/names/server/{_name}", _server_member(_name),
                         methods=["GET"], response_model=NamesEcho, operation_id=_name)


# -- properties ------------------------------------------------------------------------------


class NamedFields(BaseModel):
    """Properties whose Rust names collide with the model's own members, with each other,
    or are not Rust identifiers as written."""

    model_config = ConfigDict(populate_by_name=True)

    extra: str
    builder: str | None = None
    user_id: int
    user_id_camel: int | None = Field(default=None, alias="userId")
    user_id_dashed: int | None = Field(default=None, alias="user-id")
    type_: str | None = Field(default=None, alias="type")
    match_: str | None = Field(default=None, alias="match")
    two_fa: bool | None = Field(default=None, alias="2fa")
    name_ja: str | None = Field(default=None, alias="名前")
    cafe: str | None = Field(default=None, alias="café")


@router.post("/corpus/names/fields", response_model=NamedFields, response_model_by_alias=True)
def echo_named_fields(fields: NamedFields):
    """NamesEcho the model, every property under its wire name."""
    return fields
