"""Downloading one's own data: asked for in the portal, built by the worker (not in the
request) into a ZIP with a JSON file per kind, the signed PDFs and a readable index; the
person is emailed when it is ready, downloads it signed in, for a week. It holds every kind of
record about them and nothing of anyone else's that only they or the administrators see."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import sqlalchemy as sa
import time_machine

from portal.agreements.models import Agreement
from portal.evaluations.models import Evaluation
from portal.extensions import db
from portal.personal_data.models import DataExport, ExportState
from portal.redaction import TOKEN
from portal.relationships import ending
from portal.relationships.models import Relationship
from tests.support.agreements import client_for, pair, signed_by_both
from tests.support.overlap import hold_until_both_arrive, run_twice_at_once

KINDS = {"account", "memberships", "mentor_profiles", "shortlist", "chemistry_calls",
         "line_manager_approvals", "relationships", "agreements", "sessions", "actions",
         "check_ins", "evaluations", "equality_monitoring", "activity", "emails", "drafts"}
FORM = {"mentor": ["What went well?"], "mentee": ["What changed for you?"],
        "anonymous": False, "signed_together": True}


def build(runner) -> str:
    result = runner.invoke(args=["personal-data", "build"])
    assert result.exit_code == 0, result.output
    return result.output


def exports() -> list[DataExport]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(DataExport).order_by(DataExport.id)))


def unzip(response) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def a_full_history(app, make, mailbox):
    """A pair who signed their agreement, met, ended (the mentee, with a reason) and signed
    their evaluation together; a stranger in the same scheme with a shortlist of her own."""
    scheme = make.scheme(evaluation_form=FORM)
    relationship, agreement = pair(make, scheme)
    signed_by_both(app, mailbox, agreement)
    mentee = client_for(app, relationship.mentee)
    assert mentee.post_form(f"/agreements/{agreement.reference}/submit").status_code == 303
    mentee.post_form("/account/details", {"full_name": relationship.mentee.full_name,
                                          "phone": "01632 960 001"})
    ending.end(relationship.id, relationship.mentee, category=None,
               reason="MENTEE-ONLY reason for ending")
    evaluations = {e.party: e for e in db.session.scalars(sa.select(Evaluation).where(
        Evaluation.relationship_id == relationship.id))}
    for party, person, said in (("mentor", relationship.mentor, "MENTOR-OWN answer"),
                                ("mentee", relationship.mentee, "MENTEE-OWN answer")):
        client_for(app, person).post_form(f"/evaluations/{evaluations[party].id}",
                                          {"answer_1": said})
    for person in (relationship.mentor, relationship.mentee):
        url = mailbox.link(mailbox.last(person.email, "evaluation_sign"), "/evaluations/sign/")
        browser = client_for(app)
        page = browser.get(url).get_data(as_text=True)
        sha = page.split('name="sha256" type="hidden" value="')[1][:64]
        browser.post_form(url, {"full_name": person.full_name, "sha256": sha, "confirm": "y"})
    stranger = make.mentee(scheme, name="Stranger Ottoline", email="stranger@else.gov.uk")
    db.session.expire_all()
    return (db.session.get(Relationship, relationship.id),
            db.session.get(Agreement, agreement.id), stranger)


def test_a_download_holds_every_kind_of_record_and_nothing_of_anyone_else(app, make, mailbox,
                                                                          runner):
    relationship, agreement, stranger = a_full_history(app, make, mailbox)
    mentee = client_for(app, relationship.mentee)
    asked = mentee.post_form("/account/data", {})
    assert asked.status_code == 303
    [export] = exports()
    assert export.state == ExportState.WAITING  # built by the worker, not in the request
    assert "Being prepared" in mentee.get("/account/data").get_data(as_text=True)

    assert "Data downloads built: 1." in build(runner)
    assert "Data downloads built: 0." in build(runner)
    ready = mailbox.last(relationship.mentee.email, "data_download_ready")
    assert mailbox.link(ready, "/account/data") == "/account/data"
    page = mentee.get("/account/data").get_data(as_text=True)
    url = f"/account/data/{export.id}/download"
    assert url in page
    files = unzip(mentee.get(url))

    assert {name[:-5] for name in files if name.endswith(".json")} == KINDS
    assert b"Your data from the mentoring portal" in files["index.html"]
    assert any(n.startswith("agreements/") and n.endswith(".pdf") for n in files)
    assert any(n.startswith("evaluations/") and n.endswith(".pdf") for n in files)
    data = {name[:-5]: json.loads(body) for name, body in files.items() if name.endswith(".json")}
    assert data["account"][0]["email"] == relationship.mentee.email
    assert data["account"][0]["phone"] == "01632 960 001"
    assert data["agreements"][0]["reference"] == agreement.reference
    assert data["relationships"][0]["your_reason_for_ending"] == "MENTEE-ONLY reason for ending"
    assert data["evaluations"][0]["questions_and_answers"][0]["answer"] == "MENTEE-OWN answer"
    assert any(e["template"] == "agreement_signed" for e in data["emails"])
    emails = json.dumps(data["emails"])
    assert "/agreements/sign/[link]" in emails and not TOKEN.search(emails)
    assert any(a["action"] == "details_changed" for a in data["activity"])
    every_json = b" ".join(body for name, body in files.items() if name.endswith(".json"))
    assert b"MENTOR-OWN answer" not in every_json  # the other person's own evaluation
    for theirs in (stranger.email, stranger.full_name):
        assert theirs.encode() not in b" ".join(files.values())

    # The mentor's download has their side, and not the mentee's reason for ending.
    mentor = client_for(app, relationship.mentor)
    mentor.post_form("/account/data", {})
    build(runner)
    mine = exports()[-1]
    mentor_files = unzip(mentor.get(f"/account/data/{mine.id}/download"))
    assert b"MENTEE-ONLY reason" not in b" ".join(mentor_files.values())
    assert b"MENTOR-OWN answer" in mentor_files["evaluations.json"]


def test_only_its_person_downloads_it_and_only_for_a_week(app, make, mailbox, runner):
    owner = make.user(name="Ada Lovelace")
    client_for(app, owner).post_form("/account/data", {})
    build(runner)
    [export] = exports()
    url = f"/account/data/{export.id}/download"
    for someone in (make.user(name="Grace Hopper"), make.admin(make.scheme())):
        assert client_for(app, someone).get(url).status_code == 404
    anonymous = client_for(app).get(url)
    assert anonymous.status_code in (302, 303) and "/sign-in" in anonymous.headers["Location"]
    assert client_for(app, owner).get(url).status_code == 200
    with time_machine.travel(export.expires_at + dt.timedelta(minutes=1), tick=False):
        build(runner)
        assert exports()[0].state == ExportState.EXPIRED and exports()[0].archive is None
        owner_client = client_for(app, owner)
        assert owner_client.get(url).status_code == 404
        assert "No longer kept" in owner_client.get("/account/data").get_data(as_text=True)


def test_asking_twice_while_one_is_prepared_is_refused(app, make):
    owner = make.user(name="Ada Lovelace")
    client = client_for(app, owner)
    assert client.post_form("/account/data", {}).status_code == 303
    again = client.post_form("/account/data", {})
    assert again.status_code == 409 and "still preparing" in again.get_data(as_text=True)
    assert len(exports()) == 1


def test_two_workers_at_once_build_it_once(app, make, mailbox, monkeypatch):
    from portal.personal_data import building, queries

    owner = make.user(name="Ada Lovelace")
    client_for(app, owner).post_form("/account/data", {})
    hold_until_both_arrive(queries, "lock", monkeypatch)
    built = run_twice_at_once(app, lambda: building.build_waiting())
    assert sorted(built) == [0, 1]
    assert mailbox.count(owner.email, "data_download_ready") == 1


def test_the_mail_worker_builds_it_each_round(app, make, mailbox, runner):
    owner = make.user(name="Ada Lovelace")
    client_for(app, owner).post_form("/account/data", {})
    runner.invoke(args=["mail", "deliver"])
    assert exports()[0].state == ExportState.READY
    assert mailbox.count(owner.email, "data_download_ready") == 1


def test_a_worker_round_leaves_no_transaction_open(app, make, runner):
    """The mail worker runs this every round: an open read would hold its locks between
    rounds (on PostgreSQL it blocked other sessions' schema changes)."""
    from portal.personal_data import building

    assert building.build_waiting() == 0
    assert not db.session().in_transaction()
    owner = make.user(name="Ada Lovelace")
    client_for(app, owner).post_form("/account/data", {})
    assert building.build_waiting() == 1
    assert not db.session().in_transaction()
