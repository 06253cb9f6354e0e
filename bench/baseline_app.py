"""The benchmark's baseline: a trivial WSGI app returning one response from memory.

bench_charte.py saves the charte's body and headers as the app served them, then runs this
app under the same gunicorn settings (gunicorn.conf.py): what is left is gunicorn's own cost
for those bytes, the best any app could do.
"""

import json
import os

with open(os.environ["BASELINE_BODY"], "rb") as _body:
    BODY = _body.read()
with open(os.environ["BASELINE_HEADERS"], encoding="utf-8") as _headers:
    HEADERS = [(name, value) for name, value in json.load(_headers)]
HEADERS.append(("Content-Length", str(len(BODY))))


def app(environ, start_response):
    start_response("200 OK", HEADERS)
    return [BODY]
