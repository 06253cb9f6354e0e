"""The checks a draft must pass before it is published (no database)."""

from inventory.publication.checks import ERROR, Options, blocking, run_checks


def document(**changes):
    base = {
        "publisher": {
            "controller_name": "Datajoule",
            "controller_address": "1 rue de l’Exemple, Paris",
            "contact_email": "dpo@example.com",
            "contact_url": None,
        },
        "categories": [
            {
                "key": "necessary",
                "name": {"fr": "Nécessaires", "en": "Necessary"},
                "description": {"fr": "Pour que le site marche.", "en": "For the site to work."},
            }
        ],
        "purposes": [
            {"id": 7, "description": {"fr": "Garder la session", "en": "Keep the session"}, "retention_months": 12}
        ],
        "cookies": [
            {
                "id": 3,
                "name": "sessionid",
                "provider": "Opendatasoft",
                "category": "necessary",
                "service": {"fr": "Connexion", "en": "Sign-in"},
                "purposes": [{"fr": "Garder la session", "en": "Keep the session"}],
                "lifetime": {"unit": "years", "amount": 1},
            }
        ],
    }
    base.update(changes)
    return base


def rules(findings):
    return [(f.rule, f.section, f.key) for f in findings]


def test_a_complete_bilingual_draft_passes():
    assert run_checks(document()) == []


def test_a_missing_english_text_blocks_unless_published_in_french_only():
    draft = document(
        purposes=[{"id": 7, "description": {"fr": "Garder la session", "en": None}, "retention_months": 12}]
    )
    findings = run_checks(draft)
    assert rules(findings) == [("missing-english", "purposes", 7)]
    assert blocking(findings) and findings[0].waivable
    assert run_checks(draft, Options(french_only={("purposes", 7)})) == []


def test_a_french_text_still_marked_untranslated_counts_as_missing_and_cannot_be_waived():
    draft = document(
        purposes=[
            {"id": 7, "description": {"fr": "[EN] Keep the session", "en": "Keep the session"}, "retention_months": 1}
        ]
    )
    findings = run_checks(draft, Options(french_only={("purposes", 7)}))
    assert rules(findings) == [("untranslated-french", "purposes", 7)]
    assert not findings[0].waivable


def test_no_publisher_or_no_contact_blocks():
    assert rules(run_checks(document(publisher=None))) == [("publisher", "publisher", None)]
    nobody = {"controller_name": "Datajoule", "controller_address": "Paris", "contact_email": None, "contact_url": None}
    assert rules(run_checks(document(publisher=nobody))) == [("contact", "publisher", None)]


def test_a_cookie_without_purpose_or_known_category_blocks_and_names_what_is_missing():
    cookie = dict(document()["cookies"][0], purposes=[], category="gone")
    [finding] = run_checks(document(cookies=[cookie]))
    assert (finding.rule, finding.severity, finding.key) == ("cookie-incomplete", ERROR, 3)
    assert "sessionid" in str(finding.message)
