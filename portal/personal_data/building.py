"""Building a person's download: everything held about them (portal.personal_data.queries) as a
ZIP with one JSON file per kind of record, the signed PDFs, and a readable index; stored for a
week, and the person emailed a link to the page where they download it.

Run by the mail worker each round, by `flask personal-data build`, or (embedded default) by a
thread after the request. Each download is built under its own lock, once: two workers that
pick the same one build it one after the other, and the second finds it ready.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import sqlalchemy as sa
from flask import current_app, render_template

from portal import audit, mail
from portal.db import utcnow
from portal.extensions import db
from portal.personal_data import queries
from portal.personal_data.models import DataExport, ExportState

#: How long a built download can be downloaded.
KEEP_DAYS = 7


def build_waiting(app=None, limit: int = 5) -> int:
    """Empty the downloads past their week, then build up to ``limit`` waiting ones, oldest
    first; how many were built."""
    expire_old(utcnow())
    due = queries.waiting_ids(limit)
    db.session.rollback()  # end the read: a worker between rounds holds no transaction open
    built = 0
    for export_id in due:
        built += build_one(export_id)
    return built


def expire_old(now: dt.datetime) -> int:
    """Delete the ZIPs past their download period (the record that one was asked for stays).
    One conditional UPDATE: safe to run twice at once."""
    db.session.rollback()
    due = (DataExport.state == ExportState.READY, DataExport.expires_at <= now)
    # Look first: the worker runs this every round, and on SQLite even an UPDATE that changes
    # nothing takes the database's write lock.
    if not db.session.scalar(sa.select(sa.exists().where(*due))):
        db.session.rollback()
        return 0
    changed = db.session.execute(
        sa.update(DataExport).where(*due).values(state=ExportState.EXPIRED, archive=None)
    ).rowcount
    db.session.commit()
    return changed


def build_one(export_id: int) -> bool:
    """Build one download, if it is still waiting."""
    db.session.rollback()  # a fresh transaction, so the lock starts it
    export = queries.lock(export_id)
    if export is None or export.state != ExportState.WAITING:
        db.session.rollback()
        return False
    user = export.user
    kinds, files = queries.collect(user)
    now = utcnow()
    archive = make_zip(user, kinds, files, now)
    export.archive = archive
    export.size_bytes = len(archive)
    export.state = ExportState.READY
    export.ready_at = now
    export.expires_at = now + dt.timedelta(days=KEEP_DAYS)
    audit.record(db.session, "user", user.id, "data_download_built", export=export.id,
                 records=sum(len(rows) for rows in kinds.values()), files=len(files))
    mail.queue(user.email, "data_download_ready", name=user.full_name,
               expires_at=export.expires_at)
    db.session.commit()
    current_app.logger.info("Built data download %s: %d bytes", export_id, len(archive))
    return True


def make_zip(user, kinds: dict, files: dict[str, bytes], now: dt.datetime) -> bytes:
    """The ZIP: index.html (readable), one JSON file per kind, and the PDFs."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("index.html", render_template(
            "personal_data/index_file.html", user=user, kinds=kinds, files=sorted(files),
            made_at=now))
        for kind, rows in kinds.items():
            archive.writestr(f"{kind}.json", json.dumps(rows, ensure_ascii=False, indent=2,
                                                        default=str))
        for name, data in sorted(files.items()):
            archive.writestr(name, data)
    return buffer.getvalue()
