"""Drafts of the two long forms (a mentor profile, an agreement's terms), kept as people type.

A session ends after ``SESSION_IDLE_MINUTES`` without activity; people fill in these forms
during a meeting and may send them after it. The form posts what it holds to its draft
endpoint a couple of seconds after each change (htmx), and the draft is kept here, keyed by the
person and the form. Opening the form again shows a draft newer than the saved record, so
nothing typed before the session ended is lost. The form's real save deletes the draft in the
same transaction. Only the form's own field names are kept, each value cleaned as every form
cleans it (``portal.forms``), and never longer than the field takes.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from flask import render_template
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.datastructures import MultiDict
from wtforms.validators import Length

from portal.db import Base, utcnow
from portal.extensions import db
from portal.forms import clean_text

#: A field without a length limit of its own (a date's boxes, a radio's value) takes this much.
DEFAULT_LIMIT = 1_000
#: No field sends more values than this (the most checkboxes a profile has).
MAX_VALUES = 50


class FormDraft(Base):
    __tablename__ = "form_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("user.id", ondelete="CASCADE"))
    #: Which form: "mentor-profile:<scheme id>" or "terms:<agreement id>".
    form: Mapped[str] = mapped_column(sa.String(80))
    #: Field name -> the list of values the browser sent, as a form post would carry them.
    fields: Mapped[dict[str, Any]] = mapped_column(default=dict)
    saved_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (sa.UniqueConstraint("user_id", "form", name="uq_form_draft_user_id"),)


class BadDraft(ValueError):
    """What was sent is not something this form could have sent."""


def fields_from(form, formdata) -> dict[str, list[str]]:
    """The form's own fields from a post, cleaned; ``BadDraft`` for anything else."""
    names = {field.name: field for field in form if field.name != "csrf_token"
             and field.type not in ("SubmitField", "CSRFTokenField")}
    unknown = set(formdata) - set(names) - {"csrf_token"}
    if unknown:
        raise BadDraft(f"not in this form: {sorted(unknown)[:5]}")
    kept: dict[str, list[str]] = {}
    for name, field in names.items():
        values = formdata.getlist(name)
        if not values:
            continue
        limit = next((v.max for v in field.validators if isinstance(v, Length) and v.max > 0),
                     DEFAULT_LIMIT)
        if len(values) > MAX_VALUES or any(not isinstance(v, str) for v in values):
            raise BadDraft(f"{name}: not what the form sends")
        cleaned = [clean_text(v) for v in values]
        if any(len(v) > limit for v in cleaned):
            raise BadDraft(f"{name}: longer than {limit} characters")
        kept[name] = cleaned
    return kept


def save(user_id: int, form: str, fields: dict[str, list[str]]) -> FormDraft:
    """Keep ``fields`` as the person's draft of ``form`` (replacing any earlier one); commits."""
    draft = db.session.scalar(sa.select(FormDraft).where(FormDraft.user_id == user_id,
                                                         FormDraft.form == form))
    if draft is None:
        draft = FormDraft(user_id=user_id, form=form)
        db.session.add(draft)
    draft.fields, draft.saved_at = fields, utcnow()
    try:
        db.session.commit()
    except sa.exc.IntegrityError:  # two tabs saved the first draft at once: the other one won
        db.session.rollback()
        return save(user_id, form, fields)
    return draft


def newer_than(user_id: int, form: str, saved: dt.datetime | None) -> FormDraft | None:
    """The person's draft of ``form``, if it was kept after the record was last ``saved``."""
    draft = db.session.scalar(sa.select(FormDraft).where(FormDraft.user_id == user_id,
                                                         FormDraft.form == form))
    if draft is None or (saved is not None and draft.saved_at <= saved):
        return None
    return draft


def formdata(draft: FormDraft) -> MultiDict:
    """The draft as a form post, for ``Form(formdata=...)``."""
    return MultiDict([(name, value) for name, values in draft.fields.items()
                      for value in values])


def discard(user_id: int, form: str) -> None:
    """Forget the draft (the form's real save calls this inside its own transaction)."""
    db.session.execute(sa.delete(FormDraft).where(FormDraft.user_id == user_id,
                                                  FormDraft.form == form))


def profile_key(scheme_id: int) -> str:
    return f"mentor-profile:{scheme_id}"


def terms_key(agreement_id: int) -> str:
    return f"terms:{agreement_id}"


def keep(form, key: str, user_id: int, formdata):
    """The draft endpoint's answer: keep what ``form`` was sent as ``key``'s draft and say when
    (a fragment htmx puts beside the form's button), or 400 keeping nothing."""
    try:
        fields = fields_from(form, formdata)
    except BadDraft:
        return render_template("_draft_status.html", refused=True), 400
    draft = save(user_id, key, fields)
    return render_template("_draft_status.html", draft=draft), 200
