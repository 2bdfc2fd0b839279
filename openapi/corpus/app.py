"""The upstream feature corpus: the Connections API plus operations that use every
FastAPI/pydantic feature the generator must handle (issue 8).

The corpus is a test fixture, not an API anyone serves. Its document is the
Connections document (``openapi/upstream/app.py``'s routes, unchanged) plus these
routers:

- ``requests.py``: request shapes (multipart and urlencoded bodies, header and
  cookie parameters, array/optional/free-form/embedded bodies, deprecations,
  custom operationIds, enum path parameters);
- ``models.py``: model shapes (tuples, unions, recursion, int enums, const,
  split schemas, pattern, formats, closed models, typed maps);
- ``responses.py``: response shapes (text, binary downloads, server-sent events,
  JSON or events from one operation);
- ``statuses.py``: success statuses with different bodies (an enum keyed by
  status in the client);
- ``errors.py``: documented error bodies (an enum of errors keyed by status);
- ``names.py``: names that collide (method names, parameters and properties named like
  the generator's own members or like each other);
- ``shapes.py``: parameters of several scalar types (``UUID | str``, ``int | str``)
  and required path parameters that may be null, one of them in OpenAPI 3.0's
  ``nullable`` spelling, put into the 3.1 document by ``shapes.post_process``;
- ``realworld.py``: what large real services do (routers with prefixes, tags,
  dependencies and shared error responses, custom operationIds, generic and root
  models, computed fields, aliases, secrets and other formats, sets, open models,
  long names, schemas named ``Model``/``Error``/``Client``/``Result``/``Option``);
- ``quirks.py``: shapes of real services' documents whose crates once failed to compile
  (bounded ``limit``/``offset`` pagination, a word-or-number value, query parameters
  named like Rust keywords).

Refresh the committed document (from the repository root; ``import --corpus``
writes it in canonical form to ``openapi/corpus/corpus.json`` and regenerates
``tests/corpus/``):

    pip install -r openapi/corpus/requirements.txt
    python3 openapi/corpus/app.py | cargo xtask import --corpus -

CI has no Python: it generates from the committed ``corpus.json``.
"""

import importlib.util
import json
import os
import sys

from fastapi import FastAPI

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def _load_upstream():
    """Loads ``openapi/upstream/app.py`` as the module ``upstream_app`` (this file is
    ``app.py`` too, so a plain import would find itself)."""
    path = os.path.join(HERE, "..", "upstream", "app.py")
    spec = importlib.util.spec_from_file_location("upstream_app", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["upstream_app"] = module
    spec.loader.exec_module(module)
    return module


upstream = _load_upstream()

import models  # noqa: E402  (needs sys.path above)
import names  # noqa: E402
import quirks  # noqa: E402
import realworld  # noqa: E402
import requests  # noqa: E402
import responses  # noqa: E402
import shapes  # noqa: E402
import statuses  # noqa: E402
import errors  # noqa: E402

app = FastAPI(
    title=upstream.app.title,
    version=upstream.app.version,
    description=upstream.app.description,
)
# The Connections API's routes, exactly as upstream publishes them.
app.include_router(upstream.app.router)
app.include_router(requests.router)
app.include_router(models.router)
app.include_router(responses.router)
app.include_router(statuses.router)
app.include_router(errors.router)
app.include_router(errors.search_router)
app.include_router(names.router)
app.include_router(names.users)
app.include_router(names.private)
app.include_router(shapes.router)
app.include_router(realworld.router)
app.include_router(quirks.router)
# Mixes the dialects as post-processed documents do (see shapes.post_process).
shapes.post_process(app)


if __name__ == "__main__":
    sys.stdout.write(json.dumps(app.openapi(), indent=2, ensure_ascii=False) + "\n")
