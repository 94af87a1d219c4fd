"""The benchmark's ceiling: a route of the same app, through the same hooks, that renders
nothing. It is registered only by bench/wsgi.py, never by the portal's own factory."""

from flask import Blueprint

from portal.auth import public

bp = Blueprint("bench", __name__)

PATH = "/_bench/baseline"


@bp.route(PATH)
@public("the benchmark's empty page; registered only by the benchmark's own app module")
def baseline():
    return "", 200, {"Content-Type": "text/plain"}
