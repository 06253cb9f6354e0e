"""Extension singletons, initialised in ``app.create_app``."""

from flask_babel import Babel
from flask_migrate import Migrate
from flask_wtf import CSRFProtect

babel = Babel()
csrf = CSRFProtect()
migrate = Migrate()
