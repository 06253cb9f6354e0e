"""What lets any site's scripts read the public feeds and the embeddable policy: they are
public and carry no credentials, so any origin may read them, ETag and Last-Modified included
(a script revalidates with If-None-Match, which makes its request preflighted). GET and HEAD
only; no cookie is involved."""

from flask import request

READABLE_ANYWHERE = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Expose-Headers": "ETag, Last-Modified, Content-Length",
}
PREFLIGHT = {
    "Access-Control-Allow-Methods": "GET, HEAD",
    "Access-Control-Allow-Headers": "Accept, Accept-Language, If-None-Match, If-Modified-Since",
    "Access-Control-Max-Age": "86400",
}


def readable_by_any_site(blueprint):
    """Every response of ``blueprint`` carries the CORS headers; a preflight is answered."""

    @blueprint.after_request
    def _cors(response):
        response.headers.update(READABLE_ANYWHERE)
        if request.method == "OPTIONS":
            response.headers.update(PREFLIGHT)
        return response
