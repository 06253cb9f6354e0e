"""The public, read-only API: /api/v1/inventory.json, what the cookie policy shows
(public/document.py), served like the policy (public/cache.py): ETag, Last-Modified, 304,
readable by any site (CORS)."""

import json

from flask import Blueprint

from inventory.publication.document import draft_document
from models import InventoryState, db
from public import cache
from rules.cells import timestamp

bp = Blueprint("api", __name__, url_prefix="/api/v1")


@bp.record_once
def _init_cache(state):
    cache.public_page(state, "api.inventory", {"/api/v1/inventory.json": ("inventory-json", None)})


@bp.get("/inventory.json")
def inventory():
    response = cache.cached_response("inventory-json", None, _render, mimetype="application/json")
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _render():
    state = db.session.get(InventoryState, 1)
    document = draft_document(db.session)
    document["revision"] = state.revision if state else 0
    document["last_updated"] = timestamp(state.changed_at) if state else None
    return json.dumps(document, ensure_ascii=False, indent=1).encode("utf-8")
