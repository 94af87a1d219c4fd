"""Extensions, created once here and bound to the app in the factory."""

from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect

from portal.db import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()
#: Flask-Mail sends the operator's test email (`flask mail check`); the outbox has its own
#: faster MIME writer for everything else (see portal/mail/mime.py).
mail = Mail()
