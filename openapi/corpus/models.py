"""Corpus operations for the model features of issue 8 (5-12, 14, 16).

Each operation echoes or returns a model that uses one pydantic feature, so that the
generated client must both encode it (request body) and decode it (response). The tests
in ``tests/tests/corpus_models.rs`` serve the JSON pydantic emits for these models (see
``sample_json()`` below, whose output they copy) and check the client's wire format.

Nothing here changes the Connections API; ``app.py`` includes ``router`` into the corpus
app only.
"""

from __future__ import annotations

import datetime as dt
import decimal
import enum
import ipaddress
from typing import Annotated, Any, Literal, Optional, Union

from fastapi import APIRouter
from pydantic import (
    AnyUrl,
    Base64Bytes,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    RootModel,
)

router = APIRouter(tags=["corpus-models"])


# 5. Tuples: pydantic publishes `prefixItems` with `minItems`/`maxItems`.
class GeoPoint(BaseModel):
    """A place and a labelled measurement."""

    coordinates: tuple[float, float]
    label_and_rank: tuple[str, int]
    corners: Optional[list[tuple[int, int]]] = None
    # Required but nullable, and optional and nullable: `Option<(f64, f64)>` both.
    bounds: Optional[tuple[float, float]]
    altitude_range: Optional[tuple[float, float]] = None


# 6. Unions. A discriminated union from `Literal` tags (`oneOf` + `discriminator.mapping`).
class Circle(BaseModel):
    kind: Literal["circle"]
    radius: float


class Rectangle(BaseModel):
    kind: Literal["rectangle"]
    width: float
    height: float


Shape = Annotated[Union[Circle, Rectangle], Field(discriminator="kind")]


class ShapeBox(RootModel[Shape]):
    """A named discriminated union: pydantic publishes it as a component of its own."""


class Link(BaseModel):
    text: str
    url: str


class StickyNote(BaseModel):
    text: str
    pinned: bool = False


class Drawing(BaseModel):
    """A drawing holds shapes told apart by their `kind`, and labels that are either text or numbers."""

    shapes: list[Shape]
    primary: Shape
    highlight: Optional[Shape] = None
    boxed: Optional[ShapeBox] = None
    # An undiscriminated union of scalars (`anyOf`) ...
    label: Union[int, str]
    # ... and of models.
    anchor: Union[GeoPoint, Circle, None] = None
    # ... and of models that overlap (a Link's fields would fit a StickyNote's `extra` map).
    attachment: Union[Link, StickyNote, None] = None


# 7. Recursive and mutually recursive models.
class TreeNode(BaseModel):
    """A node of a tree; its children are nodes too."""

    name: str
    children: list[TreeNode] = []
    parent: Optional[TreeNode] = None


class Folder(BaseModel):
    """A folder holds documents, each of which names the folder it sits in."""

    name: str
    documents: list[Document] = []
    pinned: Optional[Document] = None


class Document(BaseModel):
    title: str
    folder: Optional[Folder] = None


# 8. Integer enums.
class Priority(enum.IntEnum):
    LOW = 1
    NORMAL = 5
    URGENT = 10


# 9. const / Literal fields (a one-value string and a one-value integer).
class Ticket(BaseModel):
    """A ticket with a priority and a fixed schema version."""

    priority: Priority
    fallback_priority: Optional[Priority] = None
    schema_version: Literal[2] = 2
    source: Literal["corpus"]


# 10. Split schemas: a Decimal field validates as `number | string` and serializes as a
# string, so a model used in both a request and a response is published twice.
class Invoice(BaseModel):
    """An invoice; pydantic publishes `Invoice-Input` and `Invoice-Output`."""

    number: str
    total: decimal.Decimal
    discount: Optional[decimal.Decimal]
    lines: list[InvoiceLine] = []


class InvoiceLine(BaseModel):
    description: str
    amount: decimal.Decimal


# 11. pattern, 12. formats.
class Contact(BaseModel):
    """Every string format pydantic publishes, and a pattern."""

    model_config = ConfigDict(ser_json_timedelta="iso8601")

    handle: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{2,15}$")]
    birthday: dt.date
    wake_up: dt.time
    seen_at: dt.datetime
    timeout: dt.timedelta
    balance: decimal.Decimal
    homepage: AnyUrl
    email: EmailStr
    ipv4: ipaddress.IPv4Address
    ipv6: ipaddress.IPv6Address
    avatar: Base64Bytes
    # Plain `bytes`: `format: binary`, sent by pydantic as UTF-8 text.
    note: bytes
    # Optional formats: `Option` of the format's type.
    grace: Optional[dt.timedelta] = None
    alarm: Optional[dt.time] = None


# 14. extra="forbid": `additionalProperties: false`.
class StrictSettings(BaseModel):
    """Settings that reject unknown fields."""

    model_config = ConfigDict(extra="forbid")

    retries: int
    verbose: bool = False


# 16. Typed maps with list values, nullable array items.
class Index(BaseModel):
    """Terms to the documents that hold them, and scores some of which are missing."""

    postings: dict[str, list[int]]
    scores: list[Optional[float]]
    tags: Optional[dict[str, list[str]]] = None


@router.post("/corpus/models/geo")
def echo_geo_point(point: GeoPoint) -> GeoPoint:
    """Echo a point (tuples)."""
    return point


@router.post("/corpus/models/drawings")
def echo_drawing(drawing: Drawing) -> Drawing:
    """Echo a drawing (discriminated and undiscriminated unions)."""
    return drawing


@router.post("/corpus/models/shapes")
def echo_shape(shape: Shape) -> Shape:
    """Echo one shape (a discriminated union as the whole body)."""
    return shape


@router.post("/corpus/models/trees")
def echo_tree(node: TreeNode) -> TreeNode:
    """Echo a tree (a recursive model)."""
    return node


@router.post("/corpus/models/folders")
def echo_folder(folder: Folder) -> Folder:
    """Echo a folder (mutually recursive models)."""
    return folder


@router.post("/corpus/models/tickets")
def echo_ticket(ticket: Ticket) -> Ticket:
    """Echo a ticket (integer enums, `Literal` fields)."""
    return ticket


@router.get("/corpus/models/tickets/{priority}")
def find_tickets(priority: Priority, within: Optional[dt.timedelta] = None) -> list[Ticket]:
    """Tickets of one priority (an integer enum in the path, a duration in the query)."""
    return []


@router.post("/corpus/models/invoices")
def echo_invoice(invoice: Invoice) -> Invoice:
    """Echo an invoice (pydantic's `-Input`/`-Output` split schemas)."""
    return invoice


@router.post("/corpus/models/contacts")
def echo_contact(contact: Contact) -> Contact:
    """Echo a contact (string formats and a pattern)."""
    return contact


@router.put("/corpus/models/settings")
def replace_settings(settings: StrictSettings) -> StrictSettings:
    """Replace the settings (a closed model)."""
    return settings


@router.post("/corpus/models/indexes")
def echo_index(index: Index) -> Index:
    """Echo an index (typed maps with list values, nullable array items)."""
    return index


def sample_json() -> dict[str, Any]:
    """The JSON pydantic emits for one value of each model; the Rust tests use these
    spellings (run ``python3 openapi/corpus/models.py`` to print them)."""
    contact = Contact(
        handle="ada_l",
        birthday=dt.date(1815, 12, 10),
        wake_up=dt.time(6, 30, 15),
        seen_at=dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone.utc),
        timeout=dt.timedelta(days=1, hours=2, seconds=3.5),
        balance=decimal.Decimal("1234.50"),
        homepage="https://example.com/ada",
        email="ada@example.com",
        ipv4="192.168.0.1",
        ipv6="2001:db8::1",
        avatar=b"aGVsbG8gd29ybGQ=",
        note=b"plain text",
        alarm=dt.time(7, 0, tzinfo=dt.timezone.utc),
    )
    return {
        "contact": contact.model_dump(mode="json"),
        "invoice": Invoice(
            number="INV-1", total=decimal.Decimal("10.10"), discount=None,
            lines=[InvoiceLine(description="a", amount=decimal.Decimal("10.1"))],
        ).model_dump(mode="json"),
        "ticket": Ticket(priority=Priority.URGENT, source="corpus").model_dump(mode="json"),
        "geo": GeoPoint(coordinates=(1.5, -2.0), label_and_rank=("x", 3), corners=[(0, 0)], bounds=None).model_dump(mode="json"),
    }


TreeNode.model_rebuild()
Folder.model_rebuild()
Document.model_rebuild()
Invoice.model_rebuild()

if __name__ == "__main__":
    import json
    import sys

    sys.stdout.write(json.dumps(sample_json(), indent=2) + "\n")
