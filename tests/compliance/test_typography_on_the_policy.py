"""French typography on the policy, for editors' texts as for the catalog's: no-break spaces
before ; : ! ? and inside « », typographic apostrophes, and never inside cookie names,
domains or addresses; a text in another language than the page carries its ``lang``."""

import re

from models import Purpose, db
from tests.helpers import fresh, make_cookie, publish_draft

NBSP, NNBSP = "\u00a0", "\u202f"


def _page(client, lang):
    return client.get(f"/{lang}/cookies").get_data(as_text=True)


def test_editors_french_texts_are_set_in_french_typography_and_nothing_else_is(app, client):
    purpose = Purpose(
        description_fr="Mesurer l'audience : pages vues ; durée !",
        description_en="Measure the audience: page views; time!",
    )
    db.session.add(purpose)
    db.session.commit()
    make_cookie(name="ab:cd'ef", domain="stats.example.org", service_fr="Statistiques « internes »", purposes=[purpose])
    fresh()
    publish_draft()
    french = _page(client, "fr")
    assert f"Mesurer l’audience{NBSP}: pages vues{NNBSP}; durée{NNBSP}!" in french
    assert f"Statistiques «{NBSP}internes{NBSP}»" in french
    assert "<code>ab:cd&#39;ef</code>" in french  # a cookie's name is never touched
    assert "stats.example.org" in french
    english = _page(client, "en")
    assert "Measure the audience: page views; time!" in english  # English keeps its own


def test_an_imported_english_text_on_the_french_page_says_it_is_english(app, editor_client):
    purpose = Purpose(description_fr="[EN] Keeps the visitor's session", description_en="Keeps the visitor's session")
    db.session.add(purpose)
    db.session.commit()
    make_cookie(name="imported", purposes=[purpose])
    fresh()
    # Still untranslated, it cannot be published: the draft's preview shows it as it would be.
    french = editor_client.get("/admin/publication/preview/fr").get_data(as_text=True)
    assert re.search(r'<span lang="en">\[EN\] Keeps the visitor(&#39;|\')s session</span>', french)
