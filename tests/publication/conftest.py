import pytest
from sqlalchemy import delete

from models import PolicyRendering, PolicyVersion, ReviewRequest, db


@pytest.fixture(autouse=True)
def nothing_published(app):
    """These tests start before the first publication (the other tests start at version 1)."""
    for model in (ReviewRequest, PolicyRendering, PolicyVersion):
        db.session.execute(delete(model))
    db.session.commit()
