"""Shapes from real FastAPI services whose crates once failed to compile (found by
``cargo xtask sweep`` over published documents; issue 17). Each operation here is
exercised by ``tests/tests/corpus_quirks.rs`` against a loopback server; the handlers
only make the app runnable.

- offset pagination whose ``limit`` and ``offset`` are bounded (``ge=1``, ``ge=0``), so
  that typify types them ``NonZeroU64`` and ``u64`` rather than ``i64``, and a page
  whose ``total`` is bounded too;
- a value that is a fixed word or a number (``Literal["auto", "off"] | int``), as a model
  field and as a query parameter: the word is an open string enum, which parses every
  string, so the number must be tried first;
- a union of inline objects (Letta's tool rules), an enum with struct-like variants;
- a tuple field with a default (docling's ``page_range: tuple[int, int] = (1, maxsize)``),
  which typify parses from the document's JSON;
- query parameters named like Rust keywords (``where``, ``type``, ``move``);
- units as string enums, as ansys's documents have them: one whose values differ only in
  case (``"MJ"`` and ``"mJ"``, named ``Mj`` and ``MJ``), one that lists a value twice
  (``"hp"``, on which typify panicked), and values that no two Rust variant names tell
  apart (``"usd"`` and ``"USD"``);
- an optional query parameter that is an array of objects (Letta's ``search`` filters,
  written into the document by hand, as FastAPI has no such parameter): it has no spelling
  in a query string, so the builder leaves it out, with a warning, and
  ``extra_query`` sends it;
- a model that requires a name its ``properties`` lack (a field excluded from the schema,
  as Letta's ``UserCreate.organization_id``).
"""

from enum import Enum
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field, WithJsonSchema

router = APIRouter(prefix="/corpus/quirks", tags=["corpus-quirks"])


class QuirkItem(BaseModel):
    """One item of a bounded page."""

    id: int


class QuirkPage(BaseModel):
    """A page of items, with how many there are in all."""

    data: list[QuirkItem]
    total: Annotated[int, Field(ge=0)]


@router.get("/bounded", response_model=QuirkPage)
async def list_bounded_items(
    limit: Annotated[int, Query(ge=1, le=100, description="Items per page.")] = 10,
    offset: Annotated[int, Query(ge=0, description="Items to skip.")] = 0,
):
    """Items paged by a bounded limit and offset."""
    items = [QuirkItem(id=i) for i in range(offset, min(offset + limit, 25))]
    return QuirkPage(data=items, total=25)


class QuirkSetting(BaseModel):
    """A setting that is a fixed word or a number of retries."""

    retries: Literal["auto", "off"] | int
    label: str | None = None
    page_range: tuple[int, int] = (1, 9223372036854775807)
    # Rules as Letta's document spells them: a union of inline objects (no component per
    # member), which typify makes an enum of struct-like variants.
    rules: Annotated[
        list[dict[str, Any]],
        WithJsonSchema({
            "type": "array",
            "items": {"oneOf": [
                {
                    "type": "object",
                    "properties": {"tool_name": {"type": "string"}, "max_count": {"type": "integer"}},
                    "required": ["tool_name", "max_count"],
                },
                {
                    "type": "object",
                    "properties": {"prompt_template": {"type": "string"}, "type": {"type": "string"}},
                    "required": ["prompt_template"],
                },
            ]},
        }),
    ] = []


@router.put("/setting", response_model=QuirkSetting)
async def put_quirk_setting(
    body: QuirkSetting,
    fallback: Annotated[Literal["auto", "off"] | int | None, Query(description="Used when the body says `auto`.")] = None,
):
    """Store a setting; echo it back."""
    return body


class QuirkFilterEcho(BaseModel):
    """The query parameters the server received."""

    where: str | None = None
    type: str | None = None
    move: bool | None = None


@router.get("/filter", response_model=QuirkFilterEcho)
async def filter_quirks(
    where: Annotated[str | None, Query(description="A filter expression.")] = None,
    type: Annotated[str | None, Query(description="The kind of item.")] = None,
    move: Annotated[bool | None, Query(description="Whether to move the matches.")] = None,
):
    """Filter with query parameters named like Rust keywords."""
    return QuirkFilterEcho(where=where, type=type, move=move)


class EnergyUnit(str, Enum):
    """Units of energy, spelled as SI writes them."""

    MJ = "MJ"
    mJ = "mJ"
    kWh = "kWh"


PowerUnit = Annotated[
    Literal["W", "hp"],
    # ansys's document lists "hp" twice (its enum had an alias).
    WithJsonSchema({"type": "string", "enum": ["W", "hp", "hp"], "title": "PowerUnit"}),
]


class QuirkMeasure(BaseModel):
    """A measured quantity with its units."""

    energy: float
    energy_unit: EnergyUnit
    power_unit: PowerUnit = "W"
    # Values no two Rust variant names tell apart (`Usd` both): the field is a string.
    currency: Literal["usd", "USD", "eur"] | None = None
    model_config = {
        # The schema requires a field it does not describe (pydantic publishes this for a
        # field excluded from the schema).
        "json_schema_extra": lambda schema: schema["required"].append("owner_id"),
    }


@router.post("/measures", response_model=QuirkMeasure)
async def record_quirk_measure(body: QuirkMeasure):
    """Record a measure; echo it back."""
    return body


SEARCH_FILTERS = {
    "name": "search",
    "in": "query",
    "required": False,
    "description": "Filters, each a field, an operator and a value.",
    "schema": {
        "type": "array",
        "items": {
            "oneOf": [
                {
                    "type": "object",
                    "properties": {
                        "field": {"type": "string", "enum": ["name"]},
                        "operator": {"type": "string", "enum": ["eq", "contains"]},
                        "value": {"type": "string"},
                    },
                    "required": ["field", "operator", "value"],
                },
                {
                    "type": "object",
                    "properties": {
                        "field": {"type": "string", "enum": ["tags"]},
                        "value": {"type": "array", "items": {"type": "string"}},
                    },
                    "required": ["field", "value"],
                },
            ]
        },
    },
}


@router.get(
    "/agents/count",
    response_model=int,
    openapi_extra={"parameters": [SEARCH_FILTERS]},
)
async def count_quirk_agents():
    """Count the agents that match the filters (read from the raw query string)."""
    return 0
