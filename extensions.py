"""Extension singletons, initialised in ``app.create_app``."""
from flask_babel import Babel
from flask_migrate import Migrate
from flask_security import Security
from flask_wtf import CSRFProtect

from hardening.passwords import PasswordPolicy

babel = Babel()
csrf = CSRFProtect()
migrate = Migrate(render_as_batch=True, compare_type=True)
# password_util_cls is only honoured by the constructor, not by init_app.
security = Security(password_util_cls=PasswordPolicy)
