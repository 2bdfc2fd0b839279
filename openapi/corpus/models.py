"""Model shapes of the feature corpus (issue 8, features 5-12, 14 and 16's typed maps
and nullable array items).

Filled by the engineer on branch ``corpus-models``; the request shapes live in
``requests.py``. Each operation here is exercised by ``tests/tests/corpus_models.rs``.
"""

from fastapi import APIRouter

router = APIRouter(tags=["corpus-models"])
