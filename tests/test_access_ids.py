"""No names across schemes: every route that takes an id refuses another scheme's or another
person's object, and says nothing about whose it is.

The walk reads the URL map, so a new route with an id is walked as soon as it exists; a route
whose id is of a kind the walk does not know fails until a sample object is added below.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa
from flask import url_for
from werkzeug.routing import Rule

from portal.accounts.models import Role, User
from portal.admin.models import InvitationUpload
from portal.agreements import canonical
from portal.agreements.models import Agreement
from portal.calls.models import (
    CallFormat,
    CallState,
    ChemistryCall,
    LineManagerApproval,
    ProposedTime,
)
from portal.db import utcnow
from portal.evaluations.models import Evaluation, EvaluationKind, EvaluationSignoff
from portal.extensions import db
from portal.mail.models import MessageState, OutboxMessage
from portal.mentors.models import ProfileState
from portal.personal_data.models import DataExport, ExportState
from portal.relationships.models import ActionItem, CheckIn, MentoringSession
from tests.support.agreements import client_for

#: Route arguments that are not ids of anyone's objects: tokens authorise themselves (their
#: tests are elsewhere), scheme slugs name public schemes, static files are public.
NOT_IDS = {"token", "slug", "filename"}

#: Route argument -> the kind of object it names.
ID_KINDS = {"profile_id": "profile", "call_id": "call", "reference": "agreement",
            "message_id": "dead_letter", "approval_id": "approval"}
ID_KINDS |= {"relationship_id": "relationship", "check_in_id": "check_in"}
ID_KINDS |= {"session_id": "session", "action_id": "action"}
ID_KINDS |= {"evaluation_id": "evaluation"}
ID_KINDS |= {"user_id": "administrator"}
ID_KINDS |= {"signed_reference": "signed_evaluation"}
ID_KINDS |= {"export_id": "data_export"}
ID_KINDS |= {"upload_id": "upload"}
#: A route with two ids names its object by the other one; that object's sample carries both.
OUTER_IDS = {"relationship_id"}

#: What an administrator's pages show of their own scheme (nothing of any other).
ADMINISTERED = {"agreement", "dead_letter", "approval"}
ADMINISTERED |= {"administrator", "signed_evaluation"}
ADMINISTERED |= {"upload"}
#: Pages of the pair's own that an administrator of their scheme may also use.
ADMINISTRATORS_TOO = {"relationships.end"}

ACTORS = ["mentee-A", "mentor-A", "admin-A", "mentee-B", "mentor-B", "admin-B", "signed-out"]


@dataclass
class Thing:
    """An object someone may not see, the value that names it in a URL, and the people whose
    names and addresses must not appear when it is refused."""

    kind: str
    scheme: str
    value: int | str
    people: list[User]
    #: Drafts and hidden profiles are refused even within their own scheme.
    private: bool = False
    secrets: list[str] = field(default_factory=list)

    def __post_init__(self):
        for person in self.people:
            self.secrets += [person.full_name, person.email]


def _call(profile, mentee) -> ChemistryCall:
    now = utcnow()
    call = ChemistryCall(scheme_id=profile.scheme_id, profile_id=profile.id,
                         mentor_id=profile.user_id, mentee_id=mentee.id,
                         hopes="To learn how to chair a difficult meeting.", experience="",
                         flexible=True, preferred_format=CallFormat.VIDEO, requested_at=now,
                         state=CallState.REQUESTED,
                         proposed_times=[ProposedTime(starts_at=now.replace(year=now.year + 1))])
    db.session.add(call)
    db.session.commit()
    return call


def _dead_letter(scheme, to: User) -> OutboxMessage:
    message = OutboxMessage(message_id=f"<dead-{to.id}@portal.test>", template="call_declined",
                            to_address=to.email, scheme_id=scheme.id if scheme else None,
                            subject=f"News for {to.full_name}", body_text=to.full_name,
                            body_html=to.full_name, state=MessageState.DEAD,
                            last_error="550 mailbox unavailable")
    db.session.add(message)
    db.session.commit()
    return message


def _approval(scheme, mentee: User) -> LineManagerApproval:
    approval = LineManagerApproval(scheme_id=scheme.id, mentee_id=mentee.id,
                                   manager_name="Manager Ottoline",
                                   manager_email=f"manager.{mentee.id}@else.gov.uk")
    db.session.add(approval)
    db.session.commit()
    return approval


def _check_in(relationship) -> CheckIn:
    check_in = CheckIn(relationship_id=relationship.id, kind="review",
                       due_on=utcnow().date())
    db.session.add(check_in)
    db.session.commit()
    return check_in


def _session_and_action(relationship) -> tuple[MentoringSession, ActionItem]:
    session = MentoringSession(relationship_id=relationship.id,
                               starts_at=utcnow().replace(year=utcnow().year + 1),
                               place=f"{relationship.mentee.full_name}'s office")
    db.session.add(session)
    db.session.flush()
    action = ActionItem(relationship_id=relationship.id, session_id=session.id,
                        what="Shadow a planning committee")
    db.session.add(action)
    db.session.commit()
    return session, action


def _evaluation(relationship) -> Evaluation:
    evaluation = Evaluation(relationship_id=relationship.id, scheme_id=relationship.scheme_id,
                            user_id=relationship.mentee_id, party="mentee",
                            kind=EvaluationKind.END, questions=["What went well?"],
                            closes_at=utcnow().replace(year=utcnow().year + 1))
    db.session.add(evaluation)
    db.session.commit()
    return evaluation


def _signed_evaluation(relationship) -> str:
    """An evaluation both people signed (a pack with signed_together): its reference."""
    reference = f"EV-{relationship.id:04d}-{relationship.scheme_id:04d}"
    db.session.add(EvaluationSignoff(
        reference=reference, relationship_id=relationship.id,
        scheme_id=relationship.scheme_id, number=1, text="Signed.\n",
        snapshot={"parties": {"mentor": {"name": relationship.mentor.full_name},
                              "mentee": {"name": relationship.mentee.full_name}}},
        sha256=canonical.sha256("Signed.\n"), signed_at=utcnow()))
    db.session.commit()
    return reference


def _data_export(user) -> int:
    """A download of ``user``'s data, built: only they may fetch it."""
    export = DataExport(user_id=user.id, state=ExportState.READY, archive=b"PK",
                        ready_at=utcnow(), expires_at=utcnow().replace(year=utcnow().year + 1))
    db.session.add(export)
    db.session.commit()
    return export.id


def _world(make) -> tuple[dict[str, User | None], list[Thing]]:
    actors: dict[str, User | None] = {"signed-out": None}
    things: list[Thing] = []
    colleagues: dict[str, tuple] = {}
    for letter in "AB":
        scheme = make.scheme(name=f"Scheme {letter}")
        actors[f"mentee-{letter}"] = make.mentee(scheme, name=f"Acting Mentee {letter}")
        actors[f"mentor-{letter}"] = make.mentor(scheme, name=f"Acting Mentor {letter}").user
        actors[f"admin-{letter}"] = make.admin(scheme, email=f"acting-admin-{letter}@gov.uk")

        def person(role: str, letter=letter) -> str:
            return f"{role.title()} Ottoline{letter}"

        published = make.mentor(scheme, name=person("published"),
                                email=f"published.{letter}@elsewhere.gov.uk")
        draft = make.mentor(scheme, name=person("draft"), state=ProfileState.DRAFT,
                            email=f"draft.{letter}@elsewhere.gov.uk")
        hidden = make.mentor(scheme, name=person("hidden"), state=ProfileState.HIDDEN,
                             email=f"hidden.{letter}@elsewhere.gov.uk")
        asker = make.mentee(scheme, name=person("asking"), email=f"asking.{letter}@else.gov.uk")
        call = _call(published, asker)
        relationship = make.relationship(
            scheme, mentor_name=person("agreeing"), mentor_email=f"agreeing.{letter}@else.gov.uk",
            mentee_name=person("learning"), mentee_email=f"learning.{letter}@else.gov.uk")
        agreement = db.session.scalar(sa.select(Agreement).where(
            Agreement.relationship_id == relationship.id))
        things += [
            Thing("profile", letter, published.id, [published.user]),
            Thing("profile", letter, draft.id, [draft.user], private=True),
            Thing("profile", letter, hidden.id, [hidden.user], private=True),
            Thing("call", letter, call.id, [published.user, asker], private=True),
            Thing("agreement", letter, agreement.reference,
                  [relationship.mentor, relationship.mentee], private=True),
            Thing("dead_letter", letter, _dead_letter(scheme, asker).id, [asker], private=True),
            Thing("approval", letter, _approval(scheme, asker).id, [asker], private=True,
                  secrets=["Manager Ottoline", f"manager.{asker.id}@else.gov.uk"]),
        ]
        things += [
            Thing("relationship", letter, relationship.id,
                  [relationship.mentor, relationship.mentee], private=True),
            Thing("check_in", letter, {"relationship_id": relationship.id,
                                       "check_in_id": _check_in(relationship).id},
                  [relationship.mentor, relationship.mentee], private=True),
        ]
        session, action = _session_and_action(relationship)
        things += [
            Thing("session", letter, session.id, [relationship.mentor, relationship.mentee],
                  private=True),
            Thing("action", letter, action.id, [relationship.mentor, relationship.mentee],
                  private=True, secrets=["Shadow a planning committee"]),
        ]
        things += [
            Thing("evaluation", letter, _evaluation(relationship).id,
                  [relationship.mentor, relationship.mentee], private=True),
            Thing("signed_evaluation", letter, _signed_evaluation(relationship),
                  [relationship.mentor, relationship.mentee], private=True),
            Thing("data_export", letter, _data_export(relationship.mentee),
                  [relationship.mentee], private=True),
        ]
        colleagues[letter] = (scheme, make.user(email=f"colleague.{letter}@else.gov.uk",
                                                name=person("colleague"),
                                                roles={scheme: ["admin"]}))
    # An administrator's page names the scheme too: each one is tried under both schemes.
    for letter, (_, colleague) in colleagues.items():
        things += [Thing("administrator", letter, {"slug": scheme.slug, "user_id": colleague.id},
                         [colleague], private=True) for scheme, _ in colleagues.values()]
    # A list of people to invite: under both schemes' addresses too.
    for letter, (own, colleague) in colleagues.items():
        invitee = f"invitee.{letter}@else.gov.uk"
        upload = InvitationUpload(key=f"{letter}" * 43, scheme_id=own.id, role=Role.MENTEE,
                                  created_by_id=colleague.id, rows=[
                                      {"line": 1, "name": f"Invitee {letter.upper()}",
                                       "email": invitee, "problem": None}])
        db.session.add(upload)
        db.session.commit()
        things += [Thing("upload", letter, {"slug": scheme.slug, "upload_id": upload.id}, [],
                         private=True, secrets=[invitee])
                   for scheme, _ in colleagues.values()]
    # Email about no scheme: only a site administrator (who administers every scheme) sees it,
    # and nobody here administers both.
    nobody = make.user(email="nobody.ottoline@else.gov.uk", name="Nobody Ottoline")
    things += [Thing("dead_letter", "none", _dead_letter(None, nobody).id, [nobody],
                     private=True)]
    return actors, things


def _forbidden(actor: str, thing: Thing, endpoint: str) -> bool:
    """May ``actor`` not see ``thing`` on this page? Another scheme's objects never; in their
    own scheme, nobody but its people sees a private one, except the scheme's administrator,
    whose pages show its agreements, line managers' approvals and undelivered emails, and who
    may end a relationship."""
    if actor == "signed-out":
        return True
    role, letter = actor.split("-")
    if thing.scheme != letter:
        return True
    if role == "admin" and (thing.kind in ADMINISTERED or endpoint in ADMINISTRATORS_TOO):
        return False
    return thing.private


def _id_rules(app) -> list[Rule]:
    return [rule for rule in app.url_map.iter_rules()
            if set(rule.arguments) - NOT_IDS and not rule.endpoint.startswith("devmail.")]


def test_the_walk_knows_every_kind_of_id(app):
    rules = _id_rules(app)
    assert len(rules) >= 15, "the walk must see the portal's routes"
    unknown = {(rule.rule, arg) for rule in rules for arg in rule.arguments - NOT_IDS
               if arg not in ID_KINDS}
    assert unknown == set(), "add a sample object for these route arguments: " + repr(unknown)


@pytest.mark.parametrize("actor", ACTORS)
def test_another_schemes_or_persons_object_is_refused_without_a_name(app, make, actor):
    actors, things = _world(make)
    client = client_for(app, actors[actor])
    token = client.csrf_token()
    failures = []
    walked = 0
    for rule in _id_rules(app):
        ids = rule.arguments - NOT_IDS
        (arg,) = ids - OUTER_IDS if len(ids) > 1 else ids
        for thing in things:
            if thing.kind != ID_KINDS.get(arg) or not _forbidden(actor, thing, rule.endpoint):
                continue
            values = thing.value if isinstance(thing.value, dict) else {arg: thing.value}
            with app.test_request_context():
                url = url_for(rule.endpoint, **values)
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                # A form that does not validate must not name the object either.
                data = {"csrf_token": token, f"p{thing.value}-note": "x" * 5000,
                        "note": "x" * 5000}
                response = client.open(url, method=method, data=data)
                walked += 1
                body = response.get_data(as_text=True)
                status = response.status_code
                refused = status in (403, 404) or (
                    actor == "signed-out" and status in (302, 303)
                    and "/sign-in" in response.headers["Location"])
                named = [s for s in thing.secrets if s.lower() in body.lower()]
                if not refused or named:
                    failures.append(f"{method} {url} ({rule.endpoint}, {thing.kind} of scheme "
                                    f"{thing.scheme}): {status}, names {named}")
    assert walked > 50
    assert failures == [], "\n".join(failures)
