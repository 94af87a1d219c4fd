"""Where a running relationship stands, for its page: sessions held against the number agreed,
the time left in the agreed duration, the sessions to come and past, and the action plan by
goal. Reads only; every rule about who may do what lives in the verb modules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from portal.agreements.canonical import add_months
from portal.db import utcnow
from portal.relationships.models import ActionItem, MentoringSession, SessionState
from portal.templating import london

#: The heading of actions that serve none of the agreement's goals.
OTHER_GOAL = "Other actions"


def agreed_span(relationship, agreement) -> tuple[dt.date, dt.date] | None:
    """The agreed time, as (first day, day it runs out): from the agreement's start date (if
    none, the day in the UK the relationship started) for the agreed number of months. None
    before it has started. The one rule for the page, the check-ins and the completion."""
    if agreement is None:
        return None
    start = agreement.start_date
    if start is None and relationship.activated_at is not None:
        start = london(relationship.activated_at).date()
    if start is None:
        return None
    return start, add_months(start, agreement.duration_months)


def session_day(session: MentoringSession) -> dt.date | None:
    """The day a session took place or is booked for, in UK time."""
    if session.held_on is not None:
        return session.held_on
    return london(session.starts_at).date() if session.starts_at is not None else None


def notice_given(session: MentoringSession, notice_hours: int,
                 now: dt.datetime | None = None) -> bool:
    """Whether cancelling now still gives the notice the pair agreed (``notice_hours``)."""
    now = now or utcnow()
    return session.starts_at - now >= dt.timedelta(hours=notice_hours)


@dataclass
class Overview:
    held: int
    agreed: int
    starts_on: dt.date | None
    ends_on: dt.date | None
    upcoming: list[MentoringSession]
    #: Booked sessions whose start has passed and that nobody has logged yet.
    to_log: list[MentoringSession]
    past: list[MentoringSession]
    #: (goal, actions) in the agreement's order of goals, then "Other actions".
    plan: list[tuple[str, list[ActionItem]]] = field(default_factory=list)

    @property
    def sessions_text(self) -> str:
        return f"{self.held} of {self.agreed} session{'s' if self.agreed != 1 else ''}"

    def time_left_text(self, today: dt.date | None = None) -> str:
        """"4 months left (until 2 March 2027)", or when it ended."""
        if self.ends_on is None:
            return ""
        today = today or london(utcnow()).date()
        until = f"{self.ends_on.day} {self.ends_on.strftime('%B %Y')}"
        if self.starts_on is not None and today < self.starts_on:
            start = f"{self.starts_on.day} {self.starts_on.strftime('%B %Y')}"
            return f"Your mentoring starts on {start} and runs until {until}"
        if today > self.ends_on:
            return f"The agreed time ended on {until}"
        days = (self.ends_on - today).days
        months = 0
        while add_months(today, months + 1) <= self.ends_on:
            months += 1
        if months >= 1:
            return f"{months} month{'s' if months != 1 else ''} left (until {until})"
        return f"{days} day{'s' if days != 1 else ''} left (until {until})"


def overview(relationship, agreement, sessions: list[MentoringSession],
             actions: list[ActionItem], now: dt.datetime | None = None) -> Overview:
    now = now or utcnow()
    start, ends_on = agreed_span(relationship, agreement) or (None, None)
    booked = [s for s in sessions if s.state == SessionState.BOOKED]
    upcoming = sorted((s for s in booked if s.starts_at > now), key=lambda s: s.starts_at)
    to_log = sorted((s for s in booked if s.starts_at <= now), key=lambda s: s.starts_at)
    past = sorted((s for s in sessions if s.state != SessionState.BOOKED),
                  key=lambda s: (session_day(s) or dt.date.min, s.id), reverse=True)
    goals = list(agreement.goals) if agreement is not None else []
    plan: list[tuple[str, list[ActionItem]]] = [(goal, []) for goal in goals]
    other: list[ActionItem] = []
    for action in actions:
        bucket = next((items for goal, items in plan if goal == action.goal and action.goal),
                      None)
        (bucket if bucket is not None else other).append(action)
    if other:
        plan.append((OTHER_GOAL, other))
    return Overview(held=sum(1 for s in sessions if s.state == SessionState.HELD),
                    agreed=agreement.sessions if agreement is not None else 0,
                    starts_on=start, ends_on=ends_on, upcoming=upcoming, to_log=to_log,
                    past=past, plan=plan)
