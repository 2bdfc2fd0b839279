"""Response shapes of the feature corpus (issue 9): bodies that are not JSON.

- ``GET /corpus/text/plain``: ``PlainTextResponse`` (``text/plain``);
- ``GET /corpus/text/html``: ``HTMLResponse`` (``text/html``);
- ``GET /corpus/text/csv``: a ``text/csv`` report declared through ``responses``;
- ``GET /corpus/files/{file_id}/download``: ``application/octet-stream``, 200 or 206
  for a ``Range`` header;
- ``GET /corpus/images/{image_id}``: ``image/png``.

The client decodes text into a ``String`` with the charset of the response's
``Content-Type`` (UTF-8 when it names none), and hands binary bodies over as a stream.
"""

from fastapi import APIRouter, Header, Query
from fastapi.responses import HTMLResponse, PlainTextResponse, Response

router = APIRouter(tags=["corpus-responses"])


@router.get("/corpus/text/plain", response_class=PlainTextResponse)
def get_plain_text(name: str = Query("world")) -> str:
    """A greeting as plain text."""
    return f"hello, {name}"


@router.get("/corpus/text/html", response_class=HTMLResponse)
def get_html_page() -> str:
    """A small HTML page."""
    return "<p>hello</p>"


@router.get(
    "/corpus/text/csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def get_csv_report() -> Response:
    """A report as CSV."""
    return Response("id,name\n1,a\n", media_type="text/csv")


_BINARY = {"schema": {"type": "string", "format": "binary"}}


@router.get(
    "/corpus/files/{file_id}/download",
    response_class=Response,
    responses={
        200: {"content": {"application/octet-stream": _BINARY}},
        206: {
            "description": "The requested range",
            "content": {"application/octet-stream": _BINARY},
        },
    },
)
def download_file(file_id: int, range: str | None = Header(None)) -> Response:
    """A file's bytes; a `Range` header asks for part of them."""
    return Response(bytes([file_id % 256]) * 16, media_type="application/octet-stream")


@router.get(
    "/corpus/images/{image_id}",
    response_class=Response,
    responses={200: {"content": {"image/png": _BINARY}}},
)
def get_image(image_id: int) -> Response:
    """An image."""
    return Response(b"\x89PNG\r\n\x1a\n", media_type="image/png")
