"""Asking for a download of one's own data: one at a time. The worker builds it; in the
embedded default, where there is no worker, a thread of this process starts building it once
the request has committed, so the page answers at once either way."""

from __future__ import annotations

import threading

import sqlalchemy as sa
from flask import current_app

from portal import audit
from portal.accounts.models import User
from portal.errors import DomainError
from portal.extensions import db
from portal.personal_data import queries
from portal.personal_data.models import DataExport
from portal.templating import format_datetime


def ask(user: User, *, ip_address: str) -> DataExport:
    """Ask for a new download of everything held about ``user``."""
    account = queries.lock_user(user.id)
    waiting = queries.waiting_of(account.id)
    if waiting is not None:
        raise DomainError(f"You asked for your data on {format_datetime(waiting.requested_at)} "
                          "and we are still preparing it. We will email you when it is ready.",
                          title="Already being prepared")
    export = DataExport(user_id=account.id)
    db.session.add(export)
    db.session.flush()
    audit.record(db.session, "user", account.id, "data_download_asked", actor_id=account.id,
                 ip_address=ip_address, export=export.id)
    db.session.commit()
    _build_soon(export.id)
    return export


def _build_soon(export_id: int) -> None:
    """With mail delivered inline (no worker running), build in a thread of this process."""
    app = current_app._get_current_object()
    if app.config.get("MAIL_DELIVERY") != "inline" or app.testing:
        return

    def build() -> None:
        from portal.personal_data import building

        with app.app_context():
            try:
                building.build_one(export_id)
            except sa.exc.SQLAlchemyError:
                app.logger.exception("Building data download %s failed; the worker or "
                                     "`flask personal-data build` will try again", export_id)
            finally:
                db.session.remove()

    threading.Thread(target=build, name=f"data-export-{export_id}", daemon=True).start()
