"""The WSGI entry point: ``gunicorn wsgi:app`` (gunicorn.conf.py names it), or any WSGI server.

Settings come from the environment (see portal/config.py and the README's deployment guide).
"""

from portal import create_app

app = create_app()
