"""Each compliance rule with a record that passes and one that fails (pure: a document as
``draft_document`` makes it, no database)."""

import copy

import pytest

from inventory.publication.checks import ERROR, WARNING, Options, blocking, run_checks
from inventory.publication.compliance import RULE_IDS

MONTH = {"unit": "months", "fr": "", "en": ""}


def document(**changes):
    doc = {
        "publisher": {
            "controller_name": "Exemple SA",
            "controller_address": "1 rue de l’Exemple, Paris",
            "contact_email": "dpo@example.org",
            "consent_months": 6,
        },
        "categories": [
            {
                "key": "necessary",
                "consent_required": False,
                "name": {"fr": "Nécessaires", "en": "Necessary"},
                "description": {"fr": "x", "en": "x"},
            },
            {
                "key": "statistics",
                "consent_required": True,
                "name": {"fr": "Statistiques", "en": "Statistics"},
                "description": {"fr": "x", "en": "x"},
            },
            {
                "key": "marketing",
                "consent_required": True,
                "name": {"fr": "Publicité", "en": "Marketing"},
                "description": {"fr": "x", "en": "x"},
            },
        ],
        "providers": [
            {
                "id": 1,
                "name": "Exemple",
                "role": "site",
                "country": "FR",
                "privacy_policy_url": None,
                "transfer_safeguard": "",
            },
            {
                "id": 2,
                "name": "Tracker Inc",
                "role": "controller",
                "country": "US",
                "privacy_policy_url": "https://t.example/privacy",
                "transfer_safeguard": "dpf",
            },
        ],
        "purposes": [
            {
                "id": 1,
                "description": {"fr": "Mesurer l’audience", "en": "Measure the audience"},
                "retention_months": 25,
            },
            {"id": 2, "description": {"fr": "Publicité", "en": "Advertising"}, "retention_months": 13},
        ],
        "cookies": [
            cookie(1, "_pk_id", "statistics", basis="audience_measurement", months=13),
            cookie(2, "trk", "marketing", provider=2, party="third", purposes=[2], months=13),
            cookie(3, "choice", "necessary", basis="consent_storage", months=6),
        ],
    }
    for path, value in changes.items():
        section, index, name = path.split("__")
        target = doc[section] if index == "" else doc[section][int(index)]
        target[name] = value
    return doc


def cookie(
    id,
    name,
    category,
    *,
    basis="",
    provider=1,
    party="first",
    purposes=(1,),
    months=12,
    kind="http_cookie",
    extended=False,
):
    return {
        "id": id,
        "name": name,
        "category": category,
        "legal_basis": basis,
        "provider": "p",
        "provider_id": provider,
        "party": party,
        "purposes": [{"fr": "x", "en": "x"}],
        "purpose_ids": list(purposes),
        "lifetime": {**MONTH, "amount": months, "en": f"{months} months"}
        if months
        else {"unit": "session", "amount": None, "fr": "", "en": ""},
        "storage_kind": kind,
        "lifetime_extended": extended,
        "service": {"fr": "x", "en": "x"},
    }


def rules_of(doc):
    return {(f.rule, f.section, f.key) for f in run_checks(doc)}


def test_a_compliant_document_has_no_finding():
    assert rules_of(document()) == set()


@pytest.mark.parametrize(
    "changes, finding, severity",
    [
        ({"cookies__0__party": "third"}, ("audience-exemption", "cookies", 1), ERROR),
        (
            {"cookies__0__lifetime": {**MONTH, "amount": 14, "en": "14 months"}},
            ("audience-exemption", "cookies", 1),
            ERROR,
        ),
        ({"cookies__0__lifetime_extended": True}, ("audience-exemption", "cookies", 1), ERROR),
        ({"purposes__0__retention_months": 26}, ("audience-exemption", "cookies", 1), ERROR),
        ({"providers__0__role": "controller"}, ("audience-exemption", "cookies", 1), ERROR),
        (
            {"cookies__1__lifetime": {**MONTH, "amount": 24, "en": "24 months"}},
            ("consent-lifetime", "cookies", 2),
            WARNING,
        ),
        ({"publisher____consent_months": 12}, ("consent-duration", "publisher", None), WARNING),
        (
            {"cookies__2__lifetime": {**MONTH, "amount": 13, "en": "13 months"}},
            ("consent-cookie-lifetime", "cookies", 3),
            WARNING,
        ),
        ({"providers__1__privacy_policy_url": None}, ("provider-privacy-link", "providers", 2), ERROR),
        ({"providers__1__transfer_safeguard": ""}, ("transfer-safeguard", "providers", 2), ERROR),
        ({"providers__1__country": None}, ("provider-country", "providers", 2), WARNING),
        ({"providers__1__transfer_safeguard": "none_known"}, ("transfer-safeguard", "providers", 2), ERROR),
        ({"cookies__1__legal_basis": "authentication"}, ("exemption-cannot-apply", "cookies", 2), ERROR),
        ({"cookies__2__legal_basis": "consent"}, ("basis-against-category", "cookies", 3), WARNING),
        ({"publisher____controller_address": ""}, ("controller-address", "publisher", None), ERROR),
        ({"purposes__1__retention_months": None}, ("purpose-retention", "purposes", 2), WARNING),
        (
            {
                "cookies__2__storage_kind": "local_storage",
                "cookies__2__lifetime": {"unit": "session", "amount": None, "fr": "", "en": ""},
            },
            ("storage-session-lifetime", "cookies", 3),
            ERROR,
        ),
    ],
)
def test_each_rule_fails_on_the_record_that_breaks_it(changes, finding, severity):
    found = {(f.rule, f.section, f.key): f for f in run_checks(document(**changes))}
    assert finding in found, sorted(found)
    assert found[finding].severity == severity and found[finding].source
    assert str(found[finding].message)


def test_every_rule_id_is_tested():
    tested = {case[1][0] for case in test_each_rule_fails_on_the_record_that_breaks_it.pytestmark[0].args[1]}
    assert set(RULE_IDS) == tested


def test_the_audience_exemption_says_which_condition_fails():
    doc = document(cookies__0__party="third", cookies__0__lifetime_extended=True)
    (finding,) = [f for f in run_checks(doc) if f.rule == "audience-exemption"]
    assert "first party" in str(finding.message) and "extended" in str(finding.message)


def test_a_waived_error_no_longer_blocks_and_keeps_its_reason():
    doc = document(providers__1__transfer_safeguard="")
    (error,) = blocking(run_checks(doc))
    assert error.rule == "transfer-safeguard"
    waived = run_checks(doc, Options(waived={error.waiver_key: "SCC signed, being published"}))
    assert blocking(waived) == []
    assert [f.waived for f in waived if f.rule == "transfer-safeguard"] == ["SCC signed, being published"]


def test_a_consent_category_exempt_cookie_of_a_third_party_is_an_error_not_a_warning():
    doc = copy.deepcopy(document(cookies__1__legal_basis="security"))
    rules = {f.rule for f in run_checks(doc)}
    assert "exemption-cannot-apply" in rules and "basis-against-category" not in rules
