"""Creating accounts, for the command line and the back office alike."""

from email_validator import EmailNotValidError, validate_email
from flask_security import hash_password
from sqlalchemy import select

from hardening.passwords import policy_problems
from models import Role, db
from models.user import ROLE_NAMES
from rules.language import force_language

from .security import security


def ensure_roles():
    existing = {r.name for r in db.session.scalars(select(Role))}
    for name in ROLE_NAMES:
        if name not in existing:
            db.session.add(Role(name=name))
    db.session.flush()


def create_user(email, password, role, lang="en"):
    """Create and commit an account; raises ValueError with a readable reason (in ``lang``)."""
    ensure_roles()
    datastore = security.datastore
    email = (email or "").strip().lower()
    if datastore.find_user(email=email) is not None:
        raise ValueError(f"An account already exists for {email}.")
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise ValueError(f"Invalid e-mail address: {error}") from None
    with force_language(lang):
        problems = policy_problems(password, email)
    if problems:
        raise ValueError(" ".join(str(problem) for problem in problems))
    user = datastore.create_user(email=email, password=hash_password(password), roles=[role])
    db.session.commit()
    return user
