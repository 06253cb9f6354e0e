"""The back office's search reads at most 10 words and 200 characters, on every list page and in
the list's export, and says so in the user's language: each word costs the database several
LIKEs, and 999 words made a statement SQLite refused ("Expression tree is too large")."""

import re

import pytest

from tests.helpers import flashes, html_of, listed_cookies, use_english

ENDLESS = " ".join(["sessionid"] * 999)
# Ten words that all match "sessionid", then one that matches nothing: only the ten are read.
ELEVEN = " ".join(["sessionid"] * 10 + ["nothing-matches-this"])
# As read on the page (visible_text turns the no-break space before ":" into a space).
FRENCH = "La recherche est limitée à 10 mots et 200 caractères : seul son début a été utilisé."
ENGLISH = "The search is limited to 10 words and 200 characters: only its beginning was used."


def messages(response):
    return [text for _, text in flashes(html_of(response))]


def test_a_999_word_search_lists_the_matches_of_its_first_10_words_with_a_message(viewer_client, statements):
    response = viewer_client.get("/admin/cookie/", query_string={"search": ENDLESS})
    assert response.status_code == 200
    assert listed_cookies(response) == ["sessionid"]
    assert FRENCH in messages(response)
    assert "caractères\u00a0: seul" in html_of(response)
    likes = sum(statement.upper().count(" LIKE ") for statement in statements)
    # Seven LIKEs a word (name, domain, both services, provider, both purpose texts), in the
    # count and in the page's query.
    assert likes <= 2 * 7 * 10, f"{likes} LIKEs sent for a capped search"


def test_the_words_after_the_tenth_are_not_searched(viewer_client):
    response = use_english(viewer_client).get("/admin/cookie/", query_string={"search": ELEVEN})
    assert listed_cookies(response) == ["sessionid"]
    assert ENGLISH in messages(response)


def test_a_search_is_cut_to_200_characters_with_a_message(viewer_client):
    response = viewer_client.get("/admin/cookie/", query_string={"search": "session" + "x" * 300})
    assert response.status_code == 200
    assert FRENCH in messages(response)
    search_box = re.search(r'<input[^>]*name="search"[^>]*>', html_of(response)).group(0)
    assert 'value="session' + "x" * 193 + '"' in search_box


def test_a_short_search_gets_no_message(viewer_client):
    response = viewer_client.get("/admin/cookie/", query_string={"search": "sessionid csrftoken"})
    assert messages(response) == []


@pytest.mark.parametrize("endpoint", ["provider", "category", "purpose", "users"])
def test_every_list_page_caps_its_search(admin_client, endpoint):
    response = admin_client.get(f"/admin/{endpoint}/", query_string={"search": " ".join(["a"] * 999)})
    assert response.status_code == 200
    assert FRENCH in messages(response)


def test_the_list_export_caps_the_search_like_the_list(viewer_client):
    response = viewer_client.get("/admin/cookie/export/csv/", query_string={"search": ELEVEN})
    assert response.status_code == 200
    assert "sessionid" in response.get_data(as_text=True)
    endless = viewer_client.get("/admin/cookie/export/json/", query_string={"search": ENDLESS})
    assert endless.status_code == 200 and "sessionid" in endless.get_data(as_text=True)
    # The message waits for the next page the user sees.
    assert FRENCH in messages(viewer_client.get("/admin/cookie/"))
