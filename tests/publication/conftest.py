import pytest

from tests.helpers import unpublish_everything


@pytest.fixture(autouse=True)
def nothing_published(app):
    """These tests start before the first publication (the other tests start at version 1)."""
    unpublish_everything()
