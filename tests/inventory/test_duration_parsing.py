"""Free-text retention periods ("2 years", "Session", "13 mois") become lifetimes, or are refused
with the text quoted when they are not one plain duration."""

import pytest

from rules.lifetime import MAX_AMOUNT, parse_duration
from rules.validation import InventoryError


@pytest.mark.parametrize(
    "text, expected",
    [
        ("2 years", ("years", 2)),
        ("1 Year", ("years", 1)),
        ("2 year", ("years", 2)),
        ("session", ("session", None)),
        ("Session", ("session", None)),
        ("Sessions", ("session", None)),
        ("End of session (browser)", ("session", None)),
        ("session cookie", ("session", None)),
        ("1 day", ("days", 1)),
        ("13 months", ("months", 13)),
        ("13 Months", ("months", 13)),
        ("30 minutes", ("minutes", 30)),
        ("30 mins", ("minutes", 30)),
        ("1 hour", ("hours", 1)),
        ("  1 hour ", ("hours", 1)),
        ("3 weeks", ("days", 21)),
        ("2 Weeks", ("days", 14)),
        ("1 year ", ("years", 1)),
        ("13 mois", ("months", 13)),
        ("2 ans", ("years", 2)),
        ("1 jour", ("days", 1)),
        ("2 years after last activity", ("years", 2)),
    ],
)
def test_plain_durations_are_read(text, expected):
    assert parse_duration(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # Seconds round up to whole minutes: the declared lifetime is never shorter than the real one.
        ("10 seconds", ("minutes", 1)),
        ("90 sec", ("minutes", 2)),
        ("120 seconds", ("minutes", 2)),
        # Beyond the largest amount, the next unit up, rounded up.
        ("1440 Minutes", ("hours", 24)),
        ("3650 days", ("years", 10)),
        ("3652 days", ("months", 120)),
    ],
)
def test_durations_outside_the_units_are_converted_without_shortening(text, expected):
    unit, amount = parse_duration(text)
    assert (unit, amount) == expected
    assert amount <= MAX_AMOUNT


@pytest.mark.parametrize("text", ["persistent", "Persistent", "forever", "Unlimited", "permanent", "no expiration"])
def test_lifetimes_without_an_end_are_refused_with_a_hint(text):
    with pytest.raises(InventoryError) as error:
        parse_duration(text)
    assert text in str(error.value)
    assert "longest" in str(error.value)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        None,
        "Unknown",
        "Varies",
        "1 hour or longer",
        "Session to 30 days",
        "1 week to 1 year",
        "10 Nov 2030",
        "0 days",
        "two years",
        "Seesion",
        "1 year (in some countries, the period may be longer)",
        "2000 years",
    ],
)
def test_anything_else_is_refused_clearly(text):
    with pytest.raises(InventoryError) as error:
        parse_duration(text)
    assert str(error.value)
    assert error.value.field in ("lifetime", "lifetime_amount")
