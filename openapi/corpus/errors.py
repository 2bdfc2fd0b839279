"""Documented error bodies of the feature corpus (issue 17, idiom 5), written as a real
service writes them.

An ``HTTPExceptionResponse`` model (what ``HTTPException(status_code, detail=...)``
answers) is shared through ``responses=`` on the router, so every route documents it at
401, 403 and 404; FastAPI adds its own 422 (``HTTPValidationError``) to the routes that
take parameters or a body:

- ``GET /corpus/accounts/{account_id}``: 401, 403, 404 ``HTTPExceptionResponse`` and 422;
- ``POST /corpus/accounts``: the same, and 409 ``AccountConflict``, a model of its own;
- ``GET /corpus/accounts``: 401, 403, 404 only, all one model;
- ``GET /corpus/account-search`` (another router): FastAPI's 422 only, which the client
  reads with ``Error::validation_errors`` as before, and nothing new.

The client gets, for each of the first three, an enum of the documented errors keyed by
status (``GetAccountError::NotFound(HttpExceptionResponse)``, ...), read from the error
with ``Error::body_as``.
"""

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel


class HTTPExceptionResponse(BaseModel):
    """What the service answers for an `HTTPException`: the reason, for people."""

    detail: str


class AccountConflict(BaseModel):
    """An account with this handle exists already."""

    detail: str
    existing_id: int


class Account(BaseModel):
    """A customer account."""

    id: int
    handle: str


class AccountCreate(BaseModel):
    """What a new account needs."""

    handle: str


router = APIRouter(
    prefix="/corpus/accounts",
    tags=["corpus-errors"],
    responses={
        401: {"model": HTTPExceptionResponse, "description": "Not authenticated"},
        403: {"model": HTTPExceptionResponse, "description": "Not allowed"},
        404: {"model": HTTPExceptionResponse, "description": "No such account"},
    },
)

search_router = APIRouter(tags=["corpus-errors"])

ACCOUNTS = {1: Account(id=1, handle="ada")}


@router.get("/{account_id}", response_model=Account)
def get_account(account_id: int) -> Account:
    """One account by its id."""
    if account_id not in ACCOUNTS:
        raise HTTPException(status_code=404, detail="no such account")
    return ACCOUNTS[account_id]


@router.post(
    "",
    response_model=Account,
    status_code=201,
    responses={409: {"model": AccountConflict, "description": "The handle is taken"}},
)
def create_account(account: AccountCreate) -> Account:
    """Opens an account; a handle can be taken only once."""
    return Account(id=2, handle=account.handle)


@router.get("", response_model=list[Account])
def list_accounts() -> list[Account]:
    """Every account."""
    return list(ACCOUNTS.values())


@search_router.get("/corpus/account-search", response_model=list[Account])
def search_accounts(q: str) -> list[Account]:
    """Accounts whose handle contains `q`."""
    return [a for a in ACCOUNTS.values() if q in a.handle]
