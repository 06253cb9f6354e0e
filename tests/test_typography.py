"""French typography as one rule (no database)."""

import pytest

from rules.typography import NBSP, NNBSP, french


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dernière mise à jour :", f"Dernière mise à jour{NBSP}:"),
        ("Exemple: voir", f"Exemple{NBSP}: voir"),
        ("Trop de tentatives ?", f"Trop de tentatives{NNBSP}?"),
        ("fin ; suite", f"fin{NNBSP}; suite"),
        ("Attention!", f"Attention{NNBSP}!"),
        ("l'adresse d'un site", "l’adresse d’un site"),
        ("« first-party »", f"«{NBSP}first-party{NBSP}»"),
        ("«first-party»", f"«{NBSP}first-party{NBSP}»"),
        ("(ID 42):", f"(ID 42){NBSP}:"),
    ],
)
def test_french_spacing_and_apostrophes(text, expected):
    assert french(text) == expected
    assert french(expected) == expected  # applying it again changes nothing


@pytest.mark.parametrize(
    "text",
    ["https://example.org/a?b=1", "10:30", "a;b", "'-' ou '_'", "=cmd|' /C calc'!A0", "_ga_*", ".example.com", ""],
)
def test_what_is_not_prose_is_left_alone(text):
    assert french(text) == text
