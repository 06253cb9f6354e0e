"""Extension singletons, initialised in ``app.create_app``."""
from flask_babel import Babel
from flask_migrate import Migrate
from flask_security import Security
from flask_wtf import CSRFProtect

from hardening.passwords import PasswordPolicy
from models.search_indexes import include_object

babel = Babel()
csrf = CSRFProtect()
# include_object: the PostgreSQL search indexes live in a migration only (models/search_indexes.py).
migrate = Migrate(render_as_batch=True, compare_type=True, include_object=include_object)
# password_util_cls is only honoured by the constructor, not by init_app.
security = Security(password_util_cls=PasswordPolicy)
