"""Response shapes of the feature corpus (issue 9): bodies that are not JSON.

- ``GET /corpus/text/plain``: ``PlainTextResponse`` (``text/plain``);
- ``GET /corpus/text/html``: ``HTMLResponse`` (``text/html``);
- ``GET /corpus/text/csv``: a ``text/csv`` report declared through ``responses``.

The client decodes each into a ``String`` with the charset of the response's
``Content-Type`` (UTF-8 when it names none).
"""

from fastapi import APIRouter, Query
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
