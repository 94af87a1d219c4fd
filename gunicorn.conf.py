"""Gunicorn settings for the portal: `gunicorn -c gunicorn.conf.py` (the app is named below).

Every value can be changed from the environment, so one file serves every host:
  PORT or BIND          where to listen (default 0.0.0.0:8000)
  WEB_CONCURRENCY       worker processes (default 2 per CPU core, at most 8)
  GUNICORN_THREADS      threads per worker (default 1; more suits inline mail delivery)
  GUNICORN_TIMEOUT      seconds a request may take before its worker is replaced (default 60)
  GUNICORN_GRACEFUL_TIMEOUT  seconds to finish requests in flight on restart or stop (default 30)
"""

from __future__ import annotations

import os

from gunicorn.glogging import Logger

from portal.redaction import TOKEN, redact  # noqa: F401  (TOKEN: one definition, read here too)

wsgi_app = "wsgi:app"

bind = os.environ.get("BIND") or f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * (os.cpu_count() or 1), 8))
threads = int(os.environ.get("GUNICORN_THREADS") or 1)
worker_class = "gthread" if threads > 1 else "sync"

# Preload off: each worker imports the app and opens its own database pool after the fork, so
# no connection is ever shared between processes.
preload_app = False

timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 60)
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT") or 30)
keepalive = 5
# Recycle workers now and then, so a slow leak cannot grow for ever.
max_requests = 2000
max_requests_jitter = 200

# Logs to stdout and stderr, for the process manager or container platform to collect.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s"'

class RedactingLogger(Logger):
    """The access log without the tokens of emailed links (sign-in, accept, sign...)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "q", "f"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        return atoms


logger_class = RedactingLogger
