"""Corpus operations written the way a large real FastAPI service is (issue 17, 3).

A small inventory service: APIRouters with prefixes, tags and dependencies (a tenant
header and a locale query every route of a router takes), operationIds from a
``generate_unique_id_function`` (``realworld-list_widgets``), error models shared by a
router's ``responses=``, a generic ``Page[T]`` for two item types, root models, computed
fields, aliases (one by one and by an alias generator), secrets, e-mail addresses, URLs,
IP addresses, ``Json[...]``, sets, ``Literal`` integers, ``JsonValue``, open models
(``extra="allow"``), ``response_model_exclude_none``, very long names, and schemas named
after the names generated Rust code uses (``Model``, ``Error``, ``Client``, ``Result``,
``Option``).

The tests in ``tests/tests/corpus_realworld.rs`` serve the JSON pydantic emits for these
models (``python3 openapi/corpus/realworld.py`` prints it) and check the client's wire
format.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Generic, Literal, Optional, TypeVar

from fastapi import APIRouter, Depends, Header, Query
from fastapi.routing import APIRoute
from pydantic import (
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    HttpUrl,
    IPvAnyAddress,
    Json,
    JsonValue,
    RootModel,
    SecretStr,
    computed_field,
)
from pydantic.alias_generators import to_camel

T = TypeVar("T")


def realworld_id(route: APIRoute) -> str:
    """Every operationId of this service is ``realworld-<function name>``."""
    return f"realworld-{route.name}"


# -- shared error models --------------------------------------------------------------


class Error(BaseModel):
    """The body of every 4xx the service answers itself (a schema named `Error`)."""

    code: str
    message: str
    request_id: Optional[str] = None


class Problem(BaseModel):
    """An RFC 9457 problem, answered on conflicts."""

    type: str = "about:blank"
    title: str
    status: int
    detail: Optional[str] = None


SHARED_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": Error, "description": "Missing or bad credentials"},
    404: {"model": Error, "description": "No such resource"},
    409: {"model": Problem, "description": "Conflicting change"},
}


# -- dependencies ---------------------------------------------------------------------


def tenant(x_tenant_id: Annotated[str, Header(description="The tenant every call acts for")]) -> str:
    return x_tenant_id


def locale(locale: Annotated[str, Query(description="Language of messages")] = "en") -> str:
    return locale


# -- models ---------------------------------------------------------------------------


class Page(BaseModel, Generic[T]):
    """One page of a listing (a pydantic generic model, published once per item type)."""

    items: list[T]
    total: int
    next_token: Optional[str] = None


class Dimensions(RootModel[list[float]]):
    """Width, height and depth in millimetres (a root model whose root is a list)."""


class Labels(RootModel[dict[str, str]]):
    """Labels by key (a root model whose root is a map)."""


class Widget(BaseModel):
    """A widget; `display_name` is computed, so it is only in the serialization schema."""

    model_config = ConfigDict(populate_by_name=True)

    name: str
    price_cents: int
    created_at: dt.datetime = Field(alias="createdAt")
    tags: set[str] = set()
    bin_numbers: frozenset[int] = frozenset()
    revision: Literal[1, 2] = 1
    dimensions: Optional[Dimensions] = None
    labels: Optional[Labels] = None

    @computed_field
    @property
    def display_name(self) -> str:
        return f"{self.name} ({self.price_cents / 100:.2f})"


class Gadget(BaseModel):
    """A gadget: every field camelCase on the wire through an alias generator."""

    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True)

    gadget_id: int
    serial_number: str
    warranty_expires_at: Optional[dt.date] = None


class Account(BaseModel):
    """An account: the string formats a real service uses, and a secret."""

    email: EmailStr
    homepage: HttpUrl
    last_login_ip: IPvAnyAddress
    api_key: SecretStr
    avatar: bytes
    preferences: Json[dict[str, int]]
    metadata: JsonValue = None
    nickname: Optional[str] = None


class Annotation(BaseModel):
    """An open model: fields the document does not name are kept (`extra="allow"`)."""

    model_config = ConfigDict(extra="allow")

    author: str
    note: Optional[str] = None


class VeryLongEnterpriseResourceProvisioningConfigurationSnapshotRecord(BaseModel):
    """A model with a very long name, and fields with very long names."""

    maximum_number_of_concurrent_provisioning_operations_per_region: int
    identifier_of_the_organizational_unit_that_owns_this_configuration_snapshot: str


class Model(BaseModel):
    """A schema named `Model`."""

    name: str
    version: int


class Client(BaseModel):
    """A schema named `Client`, which is also the generated client's name."""

    client_id: str
    redirect_uris: list[str] = []


class Result(BaseModel):
    """A schema named `Result`, which the generated code names for `std::result::Result`."""

    ok: bool
    value: Optional[float] = None


class Option(BaseModel):
    """A schema named `Option`, which the generated code names for `std::option::Option`."""

    key: str
    enabled: bool = True


class Registry(BaseModel):
    """Holds one of each of the schemas named after Rust's and the client's own names."""

    model: Model
    client: Client
    result: Optional[Result] = None
    option: list[Option] = []
    last_error: Optional[Error] = None


# -- routers --------------------------------------------------------------------------

widgets = APIRouter(
    prefix="/corpus/realworld/widgets",
    tags=["realworld-widgets"],
    dependencies=[Depends(tenant), Depends(locale)],
    responses=SHARED_ERRORS,
    generate_unique_id_function=realworld_id,
)


@widgets.get("", response_model=Page[Widget])
def list_widgets(page_size: int = 20, page_token: Optional[str] = None) -> Any:
    """List widgets, one page at a time (`Page[Widget]`)."""


@widgets.post("", status_code=201)
def create_widget(widget: Widget) -> Widget:
    """Create a widget (aliases, sets, `Literal` ints, root models; `display_name` computed)."""
    return widget


@widgets.get("/{widget_name}/gadgets", response_model=Page[Gadget])
def list_widget_gadgets(widget_name: str) -> Any:
    """The gadgets of a widget (`Page[Gadget]`, camelCase by an alias generator)."""


@widgets.put("/{widget_name}/gadgets/{gadget_id}")
def replace_widget_gadget(widget_name: str, gadget_id: int, gadget: Gadget) -> Gadget:
    """Replace one gadget of a widget (alias generator with `populate_by_name`)."""
    return gadget


accounts = APIRouter(
    prefix="/corpus/realworld/accounts",
    tags=["realworld-accounts"],
    dependencies=[Depends(tenant)],
    responses=SHARED_ERRORS,
    generate_unique_id_function=realworld_id,
)


@accounts.post("", response_model_exclude_none=True)
def register_account(account: Account) -> Account:
    """Register an account (e-mail, URL, IP, secret, bytes, `Json[...]`, `JsonValue`);
    answers without its null fields (`response_model_exclude_none`)."""
    return account


@accounts.post("/{account_email}/annotations", response_model_exclude_none=True)
def annotate_account(account_email: str, annotation: Annotation) -> Annotation:
    """Annotate an account (an open model, `extra="allow"`)."""
    return annotation


@accounts.post("/snapshots")
def record_provisioning_configuration_snapshot(
    record: VeryLongEnterpriseResourceProvisioningConfigurationSnapshotRecord,
) -> VeryLongEnterpriseResourceProvisioningConfigurationSnapshotRecord:
    """Record a snapshot (very long model and field names)."""
    return record


registry = APIRouter(
    prefix="/corpus/realworld/registry",
    tags=["realworld-registry"],
    responses=SHARED_ERRORS,
    generate_unique_id_function=realworld_id,
)


@registry.put("")
def replace_registry(registry: Registry) -> Registry:
    """Replace the registry (schemas named `Model`, `Client`, `Result`, `Option`, `Error`)."""
    return registry


@registry.get("/result")
def get_registry_result() -> Result:
    """The last result (a schema named `Result` as the whole response)."""
    return Result(ok=True)


@registry.post("/options")
def set_registry_options(options: list[Option]) -> list[Option]:
    """Replace the options (a list of a schema named `Option`)."""
    return options


router = APIRouter()
router.include_router(widgets)
router.include_router(accounts)
router.include_router(registry)


def sample_json() -> dict[str, Any]:
    """The JSON pydantic emits for one value of each model; the Rust tests use these
    spellings (run ``python3 openapi/corpus/realworld.py`` to print them)."""
    widget = Widget(
        name="sprocket",
        price_cents=1250,
        created_at=dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone.utc),
        tags={"blue"},
        bin_numbers=frozenset({7}),
        revision=2,
        dimensions=Dimensions([1.5, 2.0, 3.0]),
        labels=Labels({"team": "core"}),
    )
    account = Account(
        email="ada@example.com",
        homepage="https://example.com/ada",
        last_login_ip="192.168.0.1",
        api_key="sk-live-123",
        avatar=b"png bytes",
        preferences='{"theme": 2}',
        metadata={"plan": ["pro", 3, None]},
    )
    return {
        "widget": widget.model_dump(mode="json", by_alias=True),
        "page": Page[Widget](items=[widget], total=1).model_dump(mode="json", by_alias=True),
        "gadget": Gadget(gadget_id=3, serial_number="SN-3").model_dump(mode="json", by_alias=True),
        "account": account.model_dump(mode="json", by_alias=True, exclude_none=True),
        "annotation": Annotation(author="ada", mood="curious").model_dump(mode="json", exclude_none=True),
    }


if __name__ == "__main__":
    import json
    import sys

    sys.stdout.write(json.dumps(sample_json(), indent=2) + "\n")
