"""Request shapes of the feature corpus (issue 8, features 1-4, 13, 15 and 16's enum
path parameters). Each operation here is exercised by ``tests/tests/corpus_requests.rs``
against a loopback server; the handlers only make the app runnable and echo what they got.
"""

from enum import Enum
from typing import Annotated, Any

from fastapi import APIRouter, Body, Cookie, File, Form, Header, Path, Query, Request, UploadFile
from fastapi.routing import APIRoute
from pydantic import BaseModel

router = APIRouter(tags=["corpus-requests"])


class Item(BaseModel):
    """An item of the corpus."""

    name: str
    quantity: int = 1


class Note(BaseModel):
    """A note on an item."""

    text: str


class ItemKind(str, Enum):
    """The kinds of item, used as a path parameter."""

    book = "book"
    tool = "tool"


class Echo(BaseModel):
    """What the server received (headers, cookies, form fields, file parts)."""

    values: dict[str, Any] = {}


# -- 1. multipart/form-data --------------------------------------------------------------


@router.post("/corpus/files", response_model=Echo)
async def upload_file(
    file: Annotated[UploadFile, File(description="The file to store.")],
    description: Annotated[str, Form()],
    tags: Annotated[list[str], Form()] = [],
    overwrite: Annotated[bool, Form()] = False,
    thumbnail: Annotated[UploadFile | None, File()] = None,
):
    """Upload one file with typed form fields beside it."""
    data = await file.read()
    return Echo(values={"filename": file.filename, "size": len(data), "description": description,
                        "tags": tags, "overwrite": overwrite, "thumbnail": thumbnail is not None})


@router.post("/corpus/files/batch", response_model=Echo)
async def upload_files(
    files: Annotated[list[UploadFile], File()],
    folder: Annotated[str | None, Form()] = None,
):
    """Upload several files in one request."""
    return Echo(values={"count": len(files), "folder": folder})


# -- 2. application/x-www-form-urlencoded --------------------------------------------------


@router.post("/corpus/login", response_model=Echo)
def login_form(
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    remember: Annotated[bool, Form()] = False,
    scope: Annotated[str | None, Form()] = None,
    attempts: Annotated[int, Form()] = 1,
    scopes: Annotated[list[str], Form()] = [],
):
    """Sign in with a URL-encoded form."""
    return Echo(values={"username": username, "remember": remember, "scope": scope,
                        "attempts": attempts, "scopes": scopes})


# -- 3. header and cookie parameters -----------------------------------------------------


@router.get("/corpus/items/{item_id}/content", response_model=Echo)
def get_item_content(
    item_id: Annotated[int, Path()],
    idempotency_key: Annotated[str, Header(alias="Idempotency-Key")],
    session_id: Annotated[str, Cookie()],
    range_: Annotated[str | None, Header(alias="Range")] = None,
    x_request_id: Annotated[str | None, Header()] = None,
    x_retry_count: Annotated[int | None, Header()] = None,
    x_tag: Annotated[list[str] | None, Header()] = None,
    theme: Annotated[str | None, Cookie()] = None,
):
    """Read an item's content; headers and cookies, required and optional."""
    return Echo(values={"item_id": item_id, "idempotency_key": idempotency_key, "range": range_,
                        "x_request_id": x_request_id, "x_retry_count": x_retry_count, "x_tag": x_tag,
                        "session_id": session_id, "theme": theme})


# -- 4. array, optional, free-form and embedded bodies -----------------------------------


@router.post("/corpus/items/batch", response_model=list[Item])
def create_items(items: list[Item]):
    """Create several items at once (a JSON array body)."""
    return items


@router.put("/corpus/items/{item_id}/note", response_model=Echo)
def set_item_note(item_id: int, note: Note | None = None):
    """Set or clear an item's note (an optional body)."""
    return Echo(values={"item_id": item_id, "note": note.text if note else None})


@router.post("/corpus/metadata", response_model=dict[str, Any])
def merge_metadata(metadata: dict[str, Any]):
    """Merge free-form metadata (a `dict[str, Any]` body)."""
    return metadata


@router.post("/corpus/items/{item_id}/move", response_model=Item)
def move_item(
    item_id: int,
    destination: Annotated[str, Body(embed=True)],
    position: Annotated[int, Body(embed=True)] = 0,
):
    """Move an item (an embedded body: FastAPI names its schema `Body_move_item...`)."""
    return Item(name=f"{item_id}@{destination}:{position}")


# -- 13. deprecated operations and parameters ----------------------------------------------


@router.get(
    "/corpus/legacy/items",
    response_model=list[Item],
    deprecated=True,
    description="Lists items the old way. Deprecated: use `create_items` and the item endpoints.",
)
def list_legacy_items(
    page: Annotated[int, Query(deprecated=True, description="Page number; use `offset`.")] = 1,
    offset: Annotated[int, Query()] = 0,
):
    return []


# -- 15. custom operationIds (FastAPI's generate_unique_id_function) ----------------------


def tag_and_name(route: APIRoute) -> str:
    """FastAPI's documented example of a custom unique id: `<tag>-<function name>`."""
    return f"{route.tags[0]}-{route.name}"


archive = APIRouter(tags=["archive"], generate_unique_id_function=tag_and_name)


@archive.get("/corpus/archive/items", response_model=list[Item])
def list_archived_items():
    """List archived items (operationId `archive-list_archived_items`)."""
    return []


@archive.post("/corpus/archive/items/{item_id}/restore", response_model=Item)
def restore_item(item_id: int):
    """Restore an archived item (operationId `archive-restore_item`)."""
    return Item(name=str(item_id))


router.include_router(archive)


# -- 16. enums as path parameters ----------------------------------------------------------


@router.get("/corpus/kinds/{kind}/items", response_model=list[Item])
def list_items_of_kind(kind: ItemKind):
    """List the items of one kind (a string enum in the path)."""
    return []


# -- pagination envelopes whose fields are typed differently from the Connections API's --


class LoosePage(BaseModel):
    """An offset page whose `total` the server may leave out."""

    data: list[Item]
    total: int | None = None


@router.get("/corpus/pages/offset", response_model=LoosePage)
def list_loose_pages(limit: int = 2, offset: int = 0):
    """Pages by offset; `total` is optional."""
    return LoosePage(data=[])


class StrictCursorPage(BaseModel):
    """A cursor page whose `next_cursor` is always there: empty on the last page."""

    data: list[Item]
    next_cursor: str


@router.get("/corpus/pages/cursor", response_model=StrictCursorPage)
def list_strict_cursor_pages(cursor: str | None = None):
    """Pages by cursor; `next_cursor` is required."""
    return StrictCursorPage(data=[], next_cursor="")


# A route that reads its raw body documents it through ``openapi_extra``, as real services
# do for configuration files; FastAPI writes the schema it is given (here one that says
# nothing but a title), and the client sends a `String` as ``text/plain``.
@router.post(
    "/corpus/config/raw",
    response_model=Echo,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"text/plain": {"schema": {"title": "Body"}}},
        }
    },
)
async def save_raw_config(request: Request) -> Echo:
    """Stores a configuration file sent as plain text."""
    return Echo(values={"text": (await request.body()).decode()})
