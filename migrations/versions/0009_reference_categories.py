"""The four standard categories, on every migrated database

Revision ID: 0009_reference_categories
Revises: 0008_policy_versions
Create Date: 2026-12-09 10:00:00

A database made by ``flask db upgrade`` alone had no category, so an Open Cookie Database
import rejected every row. The categories the importers map to (necessary, preferences,
statistics, marketing) are inserted where missing; a category that exists, edited or not,
is left as it is. Self-contained: the texts are copied from ``inventory/seed.py`` as they
were when this revision was written, with their French typography (’ and no-break spaces),
which a test keeps the same.
"""

from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision = "0009_reference_categories"
down_revision = "0008_policy_versions"
branch_labels = None
depends_on = None

CATEGORIES = [
    {
        "key": "necessary",
        "position": 10,
        "consent_required": False,
        "name_fr": "Cookies nécessaires au fonctionnement",
        "name_en": "Strictly necessary cookies",
        "description_fr": (
            "Ils permettent au site de fonctionner : vous garder connecté d’une page à l’autre, "
            "retenir votre langue, sécuriser les formulaires, mémoriser vos choix sur les cookies. "
            "Ils ne servent à rien d’autre et ne requièrent pas votre consentement."
        ),
        "description_en": (
            "They make the site work: keeping you signed in from one page to the next, remembering "
            "your language, securing forms, storing your cookie choices. They serve no other purpose "
            "and do not require your consent."
        ),
    },
    {
        "key": "preferences",
        "position": 20,
        "consent_required": True,
        "name_fr": "Cookies de préférences",
        "name_en": "Preference cookies",
        "description_fr": (
            "Ils retiennent des réglages facultatifs qui personnalisent votre expérience, "
            "comme l’affichage ou la région choisie."
        ),
        "description_en": (
            "They remember optional settings that personalise your experience, such as a display "
            "option or a chosen region."
        ),
    },
    {
        "key": "statistics",
        "position": 30,
        "consent_required": True,
        "name_fr": "Cookies statistiques",
        "name_en": "Statistics cookies",
        "description_fr": (
            "Ils mesurent l’audience du site et la façon dont il est utilisé, pour l’améliorer. "
            "Une mesure d’audience strictement anonyme et limitée au site peut être dispensée de "
            "consentement ; ses cookies ne vivent alors pas plus de 13 mois."
        ),
        "description_en": (
            "They measure the site's audience and how it is used, so that it can be improved. "
            "Strictly anonymous audience measurement limited to this site can be exempt from consent; "
            "its cookies then live no longer than 13 months."
        ),
    },
    {
        "key": "marketing",
        "position": 40,
        "consent_required": True,
        "name_fr": "Cookies publicitaires",
        "name_en": "Marketing cookies",
        "description_fr": (
            "Ils suivent votre navigation, souvent d’un site à l’autre, pour vous montrer des "
            "publicités adaptées ou mesurer leur efficacité."
        ),
        "description_en": (
            "They follow your browsing, often from one site to another, to show you relevant "
            "advertising or measure how well it works."
        ),
    },
]

category = sa.table(
    "category",
    sa.column("id", sa.Integer),
    sa.column("key", sa.String),
    sa.column("position", sa.Integer),
    sa.column("consent_required", sa.Boolean),
    sa.column("name_fr", sa.String),
    sa.column("name_en", sa.String),
    sa.column("description_fr", sa.Text),
    sa.column("description_en", sa.Text),
    sa.column("created_at", sa.DateTime),
    sa.column("updated_at", sa.DateTime),
    sa.column("version", sa.Integer),
)


def upgrade():
    connection = op.get_bind()
    existing = set(connection.scalars(sa.select(category.c.key)))
    now = datetime.now(UTC).replace(tzinfo=None)
    missing = [
        data | {"created_at": now, "updated_at": now, "version": 1}
        for data in CATEGORIES
        if data["key"] not in existing
    ]
    if missing:
        op.bulk_insert(category, missing)


def downgrade():
    # Nothing to undo: the categories may predate this revision (``flask seed``), be edited
    # since, or have cookies; removing them would lose the team's data.
    pass
