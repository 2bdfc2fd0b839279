"""Response shapes of the feature corpus (issue 9): bodies that are not JSON.

- ``GET /corpus/text/plain``: ``PlainTextResponse`` (``text/plain``);
- ``GET /corpus/text/html``: ``HTMLResponse`` (``text/html``);
- ``GET /corpus/text/csv``: a ``text/csv`` report declared through ``responses``;
- ``GET /corpus/files/{file_id}/download``: ``application/octet-stream``, 200 or 206
  for a ``Range`` header;
- ``GET /corpus/images/{image_id}``: ``image/png``;
- ``GET /corpus/chats/{chat_id}/events``: server-sent events
  (``EventSourceResponse``) whose ``data`` is a model, which FastAPI documents as
  ``itemSchema`` with a ``contentSchema``;
- ``GET /corpus/events/log``: server-sent events with untyped ``data``;
- ``POST /corpus/chat``: JSON (``ChatReply``) or server-sent events (``ChatChunk``),
  by ``Accept`` or the body's ``stream`` flag.

The client decodes text into a ``String`` with the charset of the response's
``Content-Type`` (UTF-8 when it names none), and hands binary bodies over as a stream.
"""

from collections.abc import AsyncIterable

from fastapi import APIRouter, Header, Query
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from fastapi.sse import EventSourceResponse, ServerSentEvent
from pydantic import BaseModel

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


# Server-sent events (issue 9, items 3 and 4).


class ChatRequest(BaseModel):
    """A chat message; ``stream`` asks for server-sent events instead of one reply."""

    message: str
    stream: bool = False


class ChatReply(BaseModel):
    """The whole reply of ``chat``, as JSON."""

    text: str


class ChatChunk(BaseModel):
    """One piece of the reply of ``chat``, as an event."""

    delta: str
    done: bool = False


@router.get("/corpus/chats/{chat_id}/events", response_class=EventSourceResponse)
async def stream_chat_events(chat_id: int) -> AsyncIterable[ChatChunk]:
    """The pieces of a chat's reply as events whose `data` is a `ChatChunk` as JSON."""
    yield ChatChunk(delta=f"chat {chat_id}")
    yield ChatChunk(delta="", done=True)


@router.get("/corpus/events/log", response_class=EventSourceResponse)
async def stream_log(lines: int = Query(2)):
    """Events whose `data` is text the document does not type."""
    for n in range(lines):
        yield ServerSentEvent(raw_data=f"line {n}", event="log", id=str(n))


# What FastAPI writes for ``stream_chat_events``; a route answering JSON too must
# declare it itself.
_CHAT_EVENTS = {
    "itemSchema": {
        "type": "object",
        "required": ["data"],
        "properties": {
            "data": {
                "type": "string",
                "contentMediaType": "application/json",
                "contentSchema": {"$ref": "#/components/schemas/ChatChunk"},
            },
            "event": {"type": "string"},
            "id": {"type": "string"},
            "retry": {"type": "integer", "minimum": 0},
        },
    }
}


@router.post(
    "/corpus/chat",
    response_model=ChatReply,
    responses={200: {"content": {"text/event-stream": _CHAT_EVENTS}}},
)
def chat(body: ChatRequest, accept: str | None = Header(None, include_in_schema=False)):
    """One reply as JSON, or its pieces as events for `Accept: text/event-stream` (or
    `stream: true` in the body)."""
    words = body.message.split()
    if body.stream or "text/event-stream" in (accept or ""):
        chunks = [ChatChunk(delta=w) for w in words] + [ChatChunk(delta="", done=True)]
        text = "".join(f"data: {c.model_dump_json()}\n\n" for c in chunks)
        return Response(text, media_type="text/event-stream")
    return ChatReply(text=" ".join(words))
