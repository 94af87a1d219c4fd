"""The app the benchmark serves: the portal as production builds it, plus the baseline route.

gunicorn loads `bench.wsgi:app`, so nothing is added to the portal's own factory.
"""

from bench.baseline import bp as baseline
from portal import create_app

app = create_app()
app.register_blueprint(baseline)
