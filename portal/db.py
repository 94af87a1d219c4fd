"""Database plumbing: the declarative base, UTC timestamps, SQLite tuning, row locks, and the
one helper every model with states moves through."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Mapping
from typing import Any, Generic, TypeVar

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Session, lazyload, registry, scoped_session
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def enum_column(cls: type[enum.Enum]) -> sa.Enum:
    """A state or choice column stored as its value (VARCHAR with a CHECK on every backend)."""
    return sa.Enum(cls, native_enum=False, length=20,
                   values_callable=lambda members: [m.value for m in members])


def utcnow() -> dt.datetime:
    """The current time as an aware UTC datetime."""
    return dt.datetime.now(dt.UTC)


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on every backend (SQLite stores naive values)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use portal.db.utcnow()")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    registry = registry(
        metadata=sa.MetaData(naming_convention=NAMING_CONVENTION),
        type_annotation_map={
            dt.datetime: UTCDateTime(), dict[str, Any]: sa.JSON(), list: sa.JSON()
        },
    )


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, connection_record: Any) -> None:
    """WAL, a busy timeout and foreign keys on SQLite; take over BEGIN from pysqlite."""
    if type(dbapi_connection).__module__ != "sqlite3":
        return
    # pysqlite's own transaction handling never emits BEGIN IMMEDIATE; we emit BEGIN ourselves.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn: sa.Connection) -> None:
    if conn.dialect.name == "sqlite":
        mode = conn.get_execution_options().get("sqlite_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")


def lock(session: Session | scoped_session, stmt: sa.Select) -> Any:
    """Load one row for a state change, locked against concurrent writers.

    PostgreSQL: SELECT ... FOR UPDATE, after expiring what the session had already read, so
    everything read from here on is the committed truth. SQLite has no row locks, so the write
    transaction starts with BEGIN IMMEDIATE: a deferred transaction that later tries to write
    fails at once with "database is locked" when another writer got there first, instead of
    waiting its turn. Call it first in a domain verb, before anything is changed in the session.
    """
    if isinstance(session, scoped_session):
        session = session()
    # Joined eager loads would put the row on the nullable side of an outer join, which
    # PostgreSQL cannot lock; related rows load after the lock instead.
    stmt = stmt.options(lazyload("*"))
    if session.new or session.dirty or session.deleted:
        raise RuntimeError("lock() must come before changes in the same transaction")
    if session.get_bind().dialect.name == "sqlite":
        if not session.info.get("immediate"):
            if session.in_transaction():
                session.commit()  # ends the read transaction and expires what it loaded
            session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})
            session.info["immediate"] = True
        return session.execute(stmt).scalar_one_or_none()
    session.expire_all()
    return session.execute(stmt.with_for_update()).scalar_one_or_none()


def commit_first(session: Session | scoped_session) -> bool:
    """Commit a sweep's transaction, whose rows have unique keys (one per email sent): False,
    and rolled back, when another run wrote the same row a moment ago, so nothing was sent
    twice. Every cron sweep ends its transaction with this."""
    try:
        session.commit()
    except sa.exc.IntegrityError:
        session.rollback()
        return False
    return True


@event.listens_for(Session, "after_transaction_end")
def _forget_immediate(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        session.info.pop("immediate", None)


S = TypeVar("S", bound=enum.Enum)


class TransitionRefused(RuntimeError):
    """A change of state that the lifecycle's table does not allow: a bug in the caller, unless
    the model turns it into a domain error that tells a person what happened instead."""


class Lifecycle(Generic[S]):
    """One lifecycle's allowed transitions, written once beside its state enum, and the one way
    to move along them.

    ``refuse(item, to)`` builds the exception raised for a change the table does not allow
    (a ``DomainError`` worded for people, where people can cause it); without it the change is
    a programming error and raises ``TransitionRefused``.
    """

    def __init__(self, transitions: Mapping[S, set[S]], *,
                 refuse: Callable[[Any, S], Exception] | None = None,
                 attribute: str = "state") -> None:
        states = {state for state in transitions} | {s for to in transitions.values() for s in to}
        missing = states - set(transitions)
        if missing:
            raise ValueError(f"states with no row in the transitions table: {missing}")
        self.transitions = {state: frozenset(to) for state, to in transitions.items()}
        self._refuse = refuse
        self._attribute = attribute

    def allows(self, current: S, to: S) -> bool:
        """Whether ``current`` may become ``to``."""
        return to in self.transitions[current]

    def move(self, item: Any, to: S, refuse: Callable[[Any, S], Exception] | None = None) -> None:
        """Set ``item``'s state to ``to``, or raise with nothing changed."""
        current = getattr(item, self._attribute)
        if not self.allows(current, to):
            refusal = refuse or self._refuse
            if refusal is None:
                raise TransitionRefused(f"{type(item).__name__} cannot go from {current} to {to}")
            raise refusal(item, to)
        setattr(item, self._attribute, to)
