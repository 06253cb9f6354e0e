"""The short addresses / and /cookies send visitors to the policy in their browser's language."""

import pytest

from tests.helpers import html_of, visible_text  # noqa: F401


@pytest.mark.parametrize("path", ["/", "/cookies"])
@pytest.mark.parametrize(
    "accept, target",
    [
        (None, "/fr/cookies"),
        ("fr-FR,fr;q=0.9", "/fr/cookies"),
        ("en-GB,en;q=0.9", "/en/cookies"),
        ("en-US", "/en/cookies"),
        ("de", "/fr/cookies"),
        ("de-DE,de;q=0.9,en;q=0.5", "/en/cookies"),
        ("en;q=0.3,fr;q=0.8", "/fr/cookies"),
        ("*", "/fr/cookies"),
    ],
)
def test_short_addresses_redirect_by_browser_language(client, path, accept, target):
    headers = {"Accept-Language": accept} if accept else {}
    response = client.get(path, headers=headers)
    assert response.status_code in (301, 302, 303, 307, 308)
    assert response.headers["Location"] == target
    assert "Accept-Language" in response.headers.get("Vary", "")


def test_redirect_lands_on_the_policy_in_that_language(client):
    response = client.get("/cookies", headers={"Accept-Language": "en-GB,en;q=0.9"}, follow_redirects=True)
    assert response.status_code == 200
    assert response.request.path == "/en/cookies"
    assert "Cookie policy" in visible_text(response)


@pytest.mark.parametrize("path", ["/de/cookies", "/es/cookies", "/de"])
def test_an_unsupported_language_is_a_friendly_404(client, path):
    response = client.get(path, headers={"Accept-Language": "en"})
    assert response.status_code == 404
    html = html_of(response)
    assert "Traceback" not in html
    assert "Werkzeug" not in html
    assert "Page not found" in visible_text(html)
    assert "Go to the cookie policy" in visible_text(html)


def test_the_404_page_follows_the_browser_language(client):
    response = client.get("/de/cookies", headers={"Accept-Language": "fr"})
    assert response.status_code == 404
    assert "Page introuvable" in visible_text(response)
    assert '<html lang="fr">' in html_of(response)
