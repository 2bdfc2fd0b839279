"""Parameter shapes that real FastAPI services publish (issue 17, idioms 2 and 3). Each
operation here is exercised by ``tests/tests/corpus_shapes.rs`` against a loopback
server; the handlers only make the app runnable and echo what they got.

- parameters of several scalar types: a path parameter ``UUID | str``, query parameters
  ``int | str`` (required, optional and a list of them) and a header ``int | bool``;
- required path parameters that may be null: ``int | None`` as FastAPI publishes it
  (``anyOf: [integer, null]``), and OpenAPI 3.0's ``nullable: true`` inside this 3.1
  document, which FastAPI never writes but projects' post-processing scripts do
  (:func:`post_process` below).
"""

from typing import Annotated, Any
from uuid import UUID

from fastapi import APIRouter, FastAPI, Header, Path, Query
from pydantic import BaseModel

router = APIRouter(tags=["corpus-shapes"])


class ShapeEcho(BaseModel):
    """What the server received, each value with the Python type it was parsed into."""

    values: dict[str, Any] = {}


def _typed(value: Any) -> dict[str, Any]:
    return {"type": type(value).__name__, "value": str(value)}


@router.get("/corpus/shapes/items/{id_or_name}", response_model=ShapeEcho)
async def get_shape_item(
    id_or_name: Annotated[UUID | str, Path(description="The item's id, or its name.")],
):
    """Look an item up by its id or its name."""
    return ShapeEcho(values={"id_or_name": _typed(id_or_name)})


@router.get("/corpus/shapes/search", response_model=ShapeEcho)
async def search_shapes(
    key: Annotated[int | str, Query(description="A numeric key or a slug.")],
    after: Annotated[int | str | None, Query()] = None,
    keys: Annotated[list[int | str], Query()] = [],
):
    """Search by keys that are numbers or slugs."""
    return ShapeEcho(values={"key": _typed(key), "after": after and _typed(after),
                             "keys": [_typed(k) for k in keys]})


@router.get("/corpus/shapes/revisions", response_model=ShapeEcho)
async def get_shape_revision(
    x_revision: Annotated[int | bool, Header(description="A revision number, or `true` for the latest.")],
):
    """Read a revision named by a header of two types."""
    return ShapeEcho(values={"x_revision": _typed(x_revision)})


@router.get("/corpus/shapes/versions/{version}", response_model=ShapeEcho)
async def get_shape_version(version: Annotated[int | None, Path()]):
    """A required path parameter FastAPI publishes as nullable (``int | None``)."""
    return ShapeEcho(values={"version": version})


@router.get("/corpus/shapes/pages/{page}", response_model=ShapeEcho)
async def get_shape_page(page: Annotated[int, Path()]):
    """A required path parameter that :func:`post_process` marks ``nullable: true``."""
    return ShapeEcho(values={"page": page})


def post_process(app: FastAPI) -> None:
    """Wraps ``app.openapi`` the way real projects' post-processing scripts rewrite the
    published document: the ``page`` path parameter of ``get_shape_page`` gets OpenAPI
    3.0's ``nullable: true`` inside this OpenAPI 3.1 document (dialects mixed). The
    rewrite is deterministic: one known parameter, one key added."""
    publish = app.openapi

    def openapi() -> dict[str, Any]:
        document = publish()
        operation = document["paths"]["/corpus/shapes/pages/{page}"]["get"]
        for parameter in operation["parameters"]:
            if parameter["name"] == "page":
                parameter["schema"]["nullable"] = True
        return document

    app.openapi = openapi
