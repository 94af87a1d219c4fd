"""Gunicorn settings for the portal: `gunicorn -c gunicorn.conf.py` (the app is named below).

Every value can be changed from the environment, so one file serves every host:
  PORT or BIND          where to listen (default 0.0.0.0:8000)
  WEB_CONCURRENCY       worker processes (default 2 per CPU core, at most 8)
  GUNICORN_THREADS      threads per worker (default 1; more suits inline mail delivery)
  GUNICORN_TIMEOUT      seconds a request may take before its worker is replaced (default 60)
  GUNICORN_GRACEFUL_TIMEOUT  seconds to finish requests in flight on restart or stop (default 30)
  GUNICORN_MAX_REQUESTS recycle each worker after about this many requests (default 0: never)

Worker recycling is off by default. The portal has no known leak, and a restart costs a stall:
the worker stops taking requests while its replacement imports the app and connects. With
2000 requests and a jitter of 200, two workers that had served about the same number of
requests restarted within seconds of each other, and with two workers that stalled the whole
portal for a second or two. Set GUNICORN_MAX_REQUESTS=N to turn recycling on: the jitter is
then N as well, so each worker restarts at its own random point between N and 2N requests
(drawn again at every restart), and two rarely restart together.
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
# Recycling off unless asked for (see above): 0 means never. When on, a jitter as large as the
# interval spreads the workers' restarts over N..2N requests, so they do not restart together.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS") or 0)
max_requests_jitter = max_requests

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
