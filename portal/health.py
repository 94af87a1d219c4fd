"""Health endpoint for load balancers and monitoring.

200 while the database answers, 503 when it does not: a load balancer takes the process out of
rotation. The public sees only that ("ok" or "error"); the figures behind it (the age of the
oldest undelivered message, dead letters, where rate limits are counted, the database error)
go only to a client on this machine or one that sends HEALTH_TOKEN, since they tell an
outsider how the portal is run. A slow mail server never fails the check: it is not this
process's fault, and monitoring should alert on the figure instead.

With MAIL_DELIVERY=worker the figures also say whether mail is moving or stalled (due, and no
worker seen for MAIL_WORKER_STALE_SECONDS: portal.mail.heartbeat). Stalled mail fails the check
(503) only with HEALTH_FAILS_ON_STALLED_MAIL, for a platform that restarts the workers with
the web processes; otherwise monitoring alerts on it.
"""

import hmac
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import Blueprint, current_app, jsonify, request

from portal import ratelimit
from portal.auth import from_this_machine, public
from portal.db import utcnow
from portal.extensions import db
from portal.mail import heartbeat
from portal.mail.models import MessageState, OutboxMessage

bp = Blueprint("health", __name__)


@bp.route("/health")
@public("load balancers and monitoring probe it without an account")
def health():
    """Anyone (load balancers, monitoring): whether the database answers; figures only locally
    or with HEALTH_TOKEN."""
    try:
        db.session.execute(sa.text("SELECT 1"))
        oldest = db.session.scalar(
            sa.select(sa.func.min(OutboxMessage.created_at))
            .where(OutboxMessage.state == MessageState.QUEUED)
        )
        counts = dict(db.session.execute(
            sa.select(OutboxMessage.state, sa.func.count()).group_by(OutboxMessage.state)
            .where(OutboxMessage.state != MessageState.SENT)
        ).all())
        mail = heartbeat.check(current_app)
        db.session.rollback()
    except sa.exc.SQLAlchemyError as error:
        db.session.rollback()
        if not _may_see_details():
            return _no_store(jsonify(status="error")), 503
        response = jsonify(status="error", database="unreachable", detail=type(error).__name__)
        return _no_store(response), 503
    failing = (mail["status"] == "stalled"
               and current_app.config["HEALTH_FAILS_ON_STALLED_MAIL"])
    status, code = ("error", 503) if failing else ("ok", 200)
    if not _may_see_details():
        return _no_store(jsonify(status=status)), code
    if oldest is not None and oldest.tzinfo is None:  # min() bypasses the column type on SQLite
        oldest = (oldest if isinstance(oldest, datetime)
                  else datetime.fromisoformat(str(oldest))).replace(tzinfo=UTC)
    age = max((utcnow() - oldest).total_seconds(), 0.0) if oldest else 0.0
    return _no_store(jsonify(
        status=status, database="ok", oldest_undelivered_seconds=round(age, 1),
        undelivered=counts.get(MessageState.QUEUED, 0),
        dead_letters=counts.get(MessageState.DEAD, 0), rate_limits=ratelimit.status(), mail=mail,
    )), code


def _may_see_details() -> bool:
    """A probe on this machine, or monitoring that sends the configured token."""
    token = current_app.config.get("HEALTH_TOKEN")
    if token:
        sent = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
        if sent and hmac.compare_digest(sent.encode(), token.encode()):
            return True
    return from_this_machine()


def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response
