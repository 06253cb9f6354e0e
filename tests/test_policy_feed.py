"""The policy feed as an API other sites build on (issue 13): readable from any origin,
preflighted requests included, cookie-free and read-only, with ETag readable by scripts."""

import pytest

FEEDS = ["/api/v1/policy.json", "/api/v1/policy/1.json", "/api/v1/inventory.json"]
ORIGIN = "https://www.example.org"


@pytest.mark.parametrize("path", FEEDS)
def test_a_preflighted_request_from_another_site_is_answered(client, path):
    preflight = client.options(
        path,
        headers={
            "Origin": ORIGIN,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "if-none-match",
        },
    )
    assert preflight.status_code in (200, 204)
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    allowed = {h.strip().lower() for h in preflight.headers["Access-Control-Allow-Headers"].split(",")}
    assert "if-none-match" in allowed
    assert "Access-Control-Allow-Credentials" not in preflight.headers
    assert "Set-Cookie" not in preflight.headers


@pytest.mark.parametrize("path", FEEDS)
def test_a_script_on_another_site_reads_the_etag_and_gets_304(client, path):
    first = client.get(path, headers={"Origin": ORIGIN})
    assert first.status_code == 200
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    exposed = {h.strip().lower() for h in first.headers["Access-Control-Expose-Headers"].split(",")}
    assert {"etag", "last-modified"} <= exposed
    assert "Set-Cookie" not in first.headers
    again = client.get(path, headers={"Origin": ORIGIN, "If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert again.headers["Access-Control-Allow-Origin"] == "*"
    assert "etag" in again.headers["Access-Control-Expose-Headers"].lower()


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_the_feed_is_read_only(client, method):
    response = getattr(client, method)("/api/v1/policy.json", headers={"Origin": ORIGIN})
    assert response.status_code == 405
