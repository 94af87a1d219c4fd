"""The desk's pipeline: every pair of the scheme by stage with sessions held and last activity,
and the "Needs attention" list, where each kind of item appears, says what it is and since
when, links to where it is dealt with, and leaves when it is resolved; nothing of another
scheme, and outsiders get "not found"."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from portal.accounts.models import Role
from portal.admin.models import DealtWith
from portal.agreements.models import AgreementState
from portal.audit import AuditEvent
from portal.calls.models import CallFormat, CallState, ChemistryCall, DeclineReason
from portal.db import utcnow
from portal.extensions import db
from portal.mail.models import MessageState, OutboxMessage
from portal.relationships.models import (
    ActionItem,
    CheckIn,
    CheckInAnswer,
    MentoringSession,
    RelationshipState,
    SessionState,
)
from tests.support.agreements import client_for
from tests.support.sessions import agreement_of


def ago(**kwargs) -> dt.datetime:
    return utcnow() - dt.timedelta(**kwargs)


def rows_of(html: str) -> list[str]:
    """The table's rows, in order (the header row left out)."""
    body = html.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    return body.split("</tr>")[:-1]


def cards_of(html: str) -> list[str]:
    """The "Needs attention" list's items, in order."""
    return html.split('<div class="govuk-summary-card"')[1:]


def seed_stages(make, scheme, tag: str = "") -> dict:
    """One pair at each stage, with activity at different times."""
    agreeing = make.relationship(scheme, mentee_name=f"Agnes Agreeing{tag}",
                                 created_at=ago(days=30))
    signing = make.relationship(scheme, mentee_name=f"Sid Signing{tag}", created_at=ago(days=20))
    sent = agreement_of(signing)
    sent.state, sent.sent_at = AgreementState.SENT, ago(days=2)
    submitted = make.active_relationship(scheme, mentee_name=f"Sue Submitted{tag}",
                                         activated_at=ago(days=10), created_at=ago(days=12))
    active = make.active_relationship(scheme, mentee_name=f"Ada Active{tag}",
                                      activated_at=ago(days=40), created_at=ago(days=45))
    agreement_of(active).state = AgreementState.ACKNOWLEDGED
    for days, state in ((9, SessionState.HELD), (5, SessionState.HELD),
                        (1, SessionState.NOT_HELD)):
        db.session.add(MentoringSession(relationship_id=active.id, state=state,
                                        held_on=ago(days=days).date(), logged_at=ago(days=days)))
    ended = make.relationship(scheme, mentee_name=f"Ed Ended{tag}", created_at=ago(days=60))
    ended.state, ended.ended_at = RelationshipState.ENDED, ago(days=3)
    agreement_of(ended).state = AgreementState.WITHDRAWN
    db.session.commit()
    return {"agreeing": agreeing, "signing": signing, "submitted": submitted, "active": active,
            "ended": ended}


def test_every_pair_by_stage_with_sessions_held_and_last_activity(app, make):
    scheme, other = make.scheme(slug="scheme-a"), make.scheme(slug="scheme-b")
    admin = make.admin(scheme, email="admin@a.gov.uk")
    pairs = seed_stages(make, scheme)
    seed_stages(make, other, tag=" Other")

    browser = client_for(app, admin)
    html = browser.get("/admin/schemes/scheme-a/relationships").get_data(as_text=True)
    assert "Other" not in html
    rows = rows_of(html)
    # Latest activity first: a session logged a day ago, an ending 3 days ago, a start 10 days
    # ago, then two pairs only matched (sending for signatures is not activity).
    order = [name for row in rows for name in ("Ada Active", "Ed Ended", "Sue Submitted",
                                                "Sid Signing", "Agnes Agreeing") if name in row]
    assert order == ["Ada Active", "Ed Ended", "Sue Submitted", "Sid Signing", "Agnes Agreeing"]
    expected = {"Agnes Agreeing": "Agreeing the terms", "Sid Signing": "Signing",
                "Sue Submitted": "Submitted, receipt not confirmed",
                "Ada Active": "Mentoring under way", "Ed Ended": "Ended"}
    for row in rows:
        name = next(name for name in expected if name in row)
        assert expected[name] in row, (name, row)
        reference = agreement_of(pairs[{"Agnes Agreeing": "agreeing", "Sid Signing": "signing",
                                        "Sue Submitted": "submitted", "Ada Active": "active",
                                        "Ed Ended": "ended"}[name]]).reference
        assert f'href="/admin/agreements/{reference}"' in row
    active_row = next(row for row in rows if "Ada Active" in row)
    assert "2 sessions held" in active_row  # two held, one that did not happen
    for stage, name in (("agreeing", "Agnes Agreeing"), ("signing", "Sid Signing"),
                        ("submitted", "Sue Submitted"), ("active", "Ada Active"),
                        ("ended", "Ed Ended")):
        page = browser.get(f"/admin/schemes/scheme-a/relationships?stage={stage}")
        listed = page.get_data(as_text=True)
        assert len(rows_of(listed)) == 1 and name in listed, stage
    assert "All (5)" in html and "Signing (1)" in html

    assert browser.get("/admin/schemes/scheme-a/relationships?stage=boss").status_code == 404
    assert browser.get("/admin/schemes/scheme-a/relationships?page=0").status_code == 404
    assert browser.get("/admin/schemes/scheme-b/relationships").status_code == 404
    mentee = pairs["active"].mentee
    assert client_for(app, mentee).get("/admin/schemes/scheme-a/relationships").status_code == 403
    assert "/admin/schemes/scheme-a/relationships" in browser.get("/admin").get_data(as_text=True)


def test_a_check_in_answer_or_an_action_moves_a_pair_to_the_top(app, make):
    scheme = make.scheme(slug="scheme-a")
    admin = make.admin(scheme)
    pairs = seed_stages(make, scheme)
    quiet = make.active_relationship(scheme, mentee_name="Quentin Quiet",
                                     activated_at=ago(days=100), created_at=ago(days=101))
    browser = client_for(app, admin)
    assert "Quentin Quiet" in rows_of(browser.get(
        "/admin/schemes/scheme-a/relationships").get_data(as_text=True))[-1]
    db.session.add(CheckIn(relationship_id=quiet.id, kind="review", due_on=utcnow().date(),
                           sent_at=ago(days=2), mentee_answer=CheckInAnswer.ON_TRACK,
                           mentee_answered_at=ago(hours=1)))
    db.session.commit()
    assert "Quentin Quiet" in rows_of(browser.get(
        "/admin/schemes/scheme-a/relationships").get_data(as_text=True))[0]
    db.session.add(ActionItem(relationship_id=pairs["agreeing"].id, what="Read the pack",
                              created_at=ago(minutes=1)))
    db.session.commit()
    assert "Agnes Agreeing" in rows_of(browser.get(
        "/admin/schemes/scheme-a/relationships").get_data(as_text=True))[0]


def test_pages_of_relationships_fifty_at_a_time(app, make):
    scheme = make.scheme(slug="scheme-a")
    admin = make.admin(scheme)
    for n in range(51):
        make.relationship(scheme, mentee_name=f"Mentee {n:02d}", created_at=ago(minutes=n))
    browser = client_for(app, admin)
    first = browser.get("/admin/schemes/scheme-a/relationships").get_data(as_text=True)
    assert len(rows_of(first)) == 50 and "Mentee 00" in first and "Mentee 50" not in first
    assert "page=2" in first
    second = browser.get("/admin/schemes/scheme-a/relationships?page=2").get_data(as_text=True)
    assert len(rows_of(second)) == 1 and "Mentee 50" in second


# --- needs attention ---------------------------------------------------------------------------

def call_with_notes(make, scheme, tag: str = "") -> ChemistryCall:
    profile = make.mentor(scheme, name=f"Mona Mentor{tag}")
    mentee = make.mentee(scheme, name=f"Nina Mentee{tag}")
    call = ChemistryCall(scheme_id=scheme.id, profile_id=profile.id, mentor_id=profile.user_id,
                         mentee_id=mentee.id, hopes="To chair meetings.", experience="",
                         flexible=True, preferred_format=CallFormat.VIDEO,
                         requested_at=ago(days=6), state=CallState.DECLINED,
                         answered_at=ago(days=5), decline_reason=DeclineReason.FULL,
                         decline_note=f"Too busy this term, try Pat{tag}",
                         mentee_reason=f"I would like a mentor from housing{tag}",
                         mentee_decided_at=ago(days=4))
    db.session.add(call)
    db.session.commit()
    return call


def seed_attention(make, scheme, tag: str = "") -> dict:
    call = call_with_notes(make, scheme, tag)
    helped = make.active_relationship(scheme, mentee_name=f"Hana Help{tag}",
                                      activated_at=ago(days=3))
    check_in = CheckIn(relationship_id=helped.id, kind="review", due_on=utcnow().date(),
                       sent_at=ago(days=2), mentor_answer=CheckInAnswer.NEED_HELP,
                       mentor_answered_at=ago(days=1))
    db.session.add(check_in)
    stalled = make.relationship(scheme, mentee_name=f"Stan Stalled{tag}")
    agreement = agreement_of(stalled)
    agreement.state, agreement.sent_at = AgreementState.SENT, ago(days=10)
    fresh = make.relationship(scheme, mentee_name=f"Fay Freshlysent{tag}")
    agreement_of(fresh).state, agreement_of(fresh).sent_at = AgreementState.SENT, ago(days=2)
    quiet = make.active_relationship(scheme, mentee_name=f"Quentin Quiet{tag}",
                                     activated_at=ago(weeks=7))
    make.active_relationship(scheme, mentee_name=f"Bea Busy{tag}", activated_at=ago(days=2))
    message = OutboxMessage(message_id=f"<dead-{call.id}@portal.test>", template="call_declined",
                            to_address=f"bounced{scheme.id}@else.gov.uk", scheme_id=scheme.id,
                            subject=f"Your request{tag}", body_text="x", body_html="x",
                            state=MessageState.DEAD, last_error="550 mailbox unavailable",
                            created_at=ago(hours=5))
    db.session.add(message)
    db.session.commit()
    return {"call": call, "check_in": check_in, "stalled": stalled, "quiet": quiet,
            "message": message, "helped": helped}


def attention_page(browser, query: str = "") -> str:
    response = browser.get(f"/admin/schemes/scheme-a/attention{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_each_kind_of_item_appears_with_what_since_when_and_where(app, make):
    scheme, other = make.scheme(slug="scheme-a"), make.scheme(slug="scheme-b")
    admin = make.admin(scheme, email="admin@a.gov.uk")
    seen = seed_attention(make, scheme)
    seed_attention(make, other, tag=" Other")

    browser = client_for(app, admin)
    html = attention_page(browser)
    assert "Other" not in html and "bounced" + str(other.id) not in html
    assert "Everything (6)" in html
    rows = cards_of(html)
    assert len(rows) == 6
    # Newest first: the email (5 hours), "we need help" (1 day), the mentee's note (4 days),
    # the decline note (5 days), the stalled agreement (10 days), the quiet pair (7 weeks).
    kinds = ["Emails not delivered", "We need help", "notes after a call", "when declining",
             "Signing stalled", "Quiet pairs"]
    assert [next(k for k in kinds if k in row) for row in rows] == kinds
    call, stalled = seen["call"], agreement_of(seen["stalled"])
    assert "Too busy this term, try Pat" in rows[3] and "Mona Mentor declined" in rows[3]
    assert 'href="/admin/schemes/scheme-a/requests?state=declined"' in rows[3]
    assert f"request No. {call.id}" in rows[3]
    assert "I would like a mentor from housing" in rows[2]
    assert "answered" in rows[1] and "Hana Help" in rows[1]
    assert f'href="/admin/agreements/{agreement_of(seen["helped"]).reference}"' in rows[1]
    assert "Stan Stalled" in rows[4] and f'href="/admin/agreements/{stalled.reference}"' in rows[4]
    assert "Fay Freshlysent" not in html  # sent two days ago: the reminders are still working
    assert "Quentin Quiet" in rows[5] and "6 weeks" in rows[5] and "Bea Busy" not in html
    assert "bounced" in rows[0] and 'href="/admin/emails-not-delivered/"' in rows[0]
    for row in rows:
        assert " at " in row  # since when, as a date and time
    assert ("Mark as dealt with" in rows[1] and "Mark as dealt with" in rows[2]
            and "Mark as dealt with" not in rows[0] + rows[4] + rows[5])
    quiet = attention_page(browser, "?kind=quiet")
    assert len(cards_of(quiet)) == 1 and "Quentin Quiet" in quiet
    index = browser.get("/admin").get_data(as_text=True)
    assert "/admin/schemes/scheme-a/attention" in index
    assert index.split("/admin/schemes/scheme-a/attention")[1].split("</li>")[0].count(
        "6<span class=\"govuk-visually-hidden\"> items") == 1


def test_items_leave_the_list_when_resolved(app, make):
    scheme = make.scheme(slug="scheme-a")
    admin = make.admin(scheme, email="admin@a.gov.uk")
    seen = seed_attention(make, scheme)
    browser = client_for(app, admin)
    call, check_in = seen["call"], seen["check_in"]

    # Notes and "we need help": marked as dealt with, audited, once.
    # Back to the list it was marked on: the same kind, or everything (never a made-up kind).
    for kind, subject, shown, back in (
            ("decline_note", call.id, "", "/admin/schemes/scheme-a/attention"),
            ("mentee_note", call.id, "?kind=boss", "/admin/schemes/scheme-a/attention"),
            ("need_help", check_in.id, "?kind=need_help",
             "/admin/schemes/scheme-a/attention?kind=need_help")):
        response = browser.post_form(f"/admin/schemes/scheme-a/attention/dealt-with{shown}",
                                     {"kind": kind, "item": str(subject)})
        assert response.status_code == 303, kind
        assert response.headers["Location"].endswith(back), response.headers["Location"]
    html = attention_page(browser)
    assert "Too busy this term" not in html and "from housing" not in html
    assert "Hana Help" not in html and "Everything (3)" in html
    events = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "attention_dealt_with")).all()
    assert len(events) == 3 and {e.actor_id for e in events} == {admin.id}
    again = browser.post_form("/admin/schemes/scheme-a/attention/dealt-with",
                              {"kind": "need_help", "item": str(check_in.id)})
    assert again.status_code == 409 and "already" in again.get_data(as_text=True).lower()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DealtWith)) == 3

    # Signing stalled: gone once signed by both.
    agreement = agreement_of(seen["stalled"])
    agreement.state, agreement.signed_at = AgreementState.SIGNED_BY_BOTH, utcnow()
    # Quiet: gone once the pair book a session.
    db.session.add(MentoringSession(relationship_id=seen["quiet"].id, starts_at=utcnow()
                                    + dt.timedelta(days=7), booked_at=utcnow()))
    db.session.commit()
    html = attention_page(browser)
    assert "Stan Stalled" not in html and "Quentin Quiet" not in html

    # The undelivered email: gone once sent again.
    sent_again = browser.post_form(f"/admin/emails-not-delivered/{seen['message'].id}/send-again")
    assert sent_again.status_code == 303
    assert "Nothing needs your attention" in attention_page(browser)


def test_a_need_help_answer_leaves_when_the_relationship_ends(app, make):
    scheme = make.scheme(slug="scheme-a")
    browser = client_for(app, make.admin(scheme))
    seen = seed_attention(make, scheme)
    seen["helped"].state = RelationshipState.ENDED
    db.session.commit()
    assert "Hana Help" not in attention_page(browser)


def test_nobody_marks_another_schemes_items_or_anything_but_notes_and_help(app, make):
    scheme, other = make.scheme(slug="scheme-a"), make.scheme(slug="scheme-b")
    admin = make.admin(scheme, email="admin@a.gov.uk")
    make.admin(other, email="admin@b.gov.uk")
    theirs = seed_attention(make, other, tag=" Other")
    ours = seed_attention(make, scheme)
    browser = client_for(app, admin)
    url = "/admin/schemes/scheme-a/attention/dealt-with"
    for data in ({"kind": "decline_note", "item": str(theirs["call"].id)},
                 {"kind": "need_help", "item": str(theirs["check_in"].id)},
                 {"kind": "quiet", "item": str(ours["quiet"].id)},
                 {"kind": "decline_note", "item": "999999"}):
        assert browser.post_form(url, data).status_code == 404, data
    for data in ({"kind": "decline_note", "item": "seven"}, {"kind": "", "item": "1"}, {}):
        assert browser.post_form(url, data).status_code == 400, data
    assert browser.post_form("/admin/schemes/scheme-b/attention/dealt-with",
                             {"kind": "decline_note",
                              "item": str(theirs["call"].id)}).status_code == 404
    assert browser.get("/admin/schemes/scheme-b/attention").status_code == 404
    mentee = make.user(roles={scheme: [Role.MENTEE]})
    assert client_for(app, mentee).get("/admin/schemes/scheme-a/attention").status_code == 403
    assert db.session.scalar(sa.select(sa.func.count()).select_from(DealtWith)) == 0
    assert browser.get("/admin/schemes/scheme-a/attention?kind=boss").status_code == 404
