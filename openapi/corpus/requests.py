"""Request shapes of the feature corpus (issue 8, features 1-4, 13, 15 and 16's enum
path parameters). Each operation here is exercised by ``tests/tests/corpus_requests.rs``.
"""

from fastapi import APIRouter

router = APIRouter(tags=["corpus-requests"])
