"""The public, read-only API: /api/v1/inventory.json, what the cookie policy shows
(public/document.py), served like the policy (public/cache.py): ETag, Last-Modified, 304,
readable by any site (CORS)."""

import json

from flask import Blueprint

from models import db
from public import cache
from public.document import policy_document

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
    return json.dumps(policy_document(db.session), ensure_ascii=False, indent=1).encode("utf-8")
