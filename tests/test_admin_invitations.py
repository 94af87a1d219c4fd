"""Bringing people in: an administrator uploads a list of names and addresses, sees each row's
problem, sends one invitation per good row exactly once, and each invitee joins by their link."""

from __future__ import annotations

import datetime as dt
import gc
import io
import re
import time

import pytest
import sqlalchemy as sa

from portal.accounts.models import Membership, Role, User
from portal.admin import inviting
from portal.admin.models import Invitation, InvitationState, InvitationUpload
from portal.audit import AuditEvent
from portal.extensions import db
from portal.tokens import EmailedLink
from tests.support.agreements import client_for
from tests.support.overlap import hold_until_both_arrive, run_twice_at_once

TEMPLATE = "scheme_invitation"


def upload(browser, scheme, data: bytes | None = None, *, role: str = "mentee",
           rows: str | None = None, filename: str = "people.csv", key: str | None = None):
    """Open the invitations page (for its form's key) and post the file or pasted rows."""
    if key is None:
        page = browser.get(f"/admin/schemes/{scheme.slug}/invitations").get_data(as_text=True)
        key = re.search(r'name="key" type="hidden" value="([^"]+)"', page).group(1)
    form = {"role": role, "key": key, "rows": rows or ""}
    if data is not None:
        form["file"] = (io.BytesIO(data), filename)
    return browser.post_form(f"/admin/schemes/{scheme.slug}/invitations", form,
                             content_type="multipart/form-data")


def upload_id(response) -> int:
    assert response.status_code == 303, response.get_data(as_text=True)[:2000]
    return int(response.headers["Location"].rstrip("/").rsplit("/", 1)[1])


def send(browser, scheme, number: int):
    return browser.post_form(f"/admin/schemes/{scheme.slug}/invitations/{number}/send")


def invitations(scheme) -> list[Invitation]:
    db.session.rollback()  # a fresh read: what the requests (or threads) have committed
    return list(db.session.scalars(sa.select(Invitation).where(Invitation.scheme_id == scheme.id)
                                   .order_by(Invitation.id)))


def text(response) -> str:
    return response.get_data(as_text=True)


def test_a_thousand_rows_with_twenty_bad_ones_preview_every_problem_and_send_once(
        app, make, mailbox, runner):
    scheme = make.scheme(name="Testborough mentoring")
    admin = make.user(email="ada@testborough.gov.uk", name="Ada Admin",
                      roles={scheme: [Role.ADMIN]})
    browser = client_for(app, admin)
    members = [make.mentee(scheme, email=f"member{i}@testborough.gov.uk").email for i in range(4)]
    make.mentor(scheme, email="mentor-only@testborough.gov.uk")  # a mentor may become a mentee
    earlier = upload_id(upload(browser, scheme, rows="\n".join(
        f"Pending {i}, pending{i}@testborough.gov.uk" for i in range(4))))
    assert send(browser, scheme, earlier).status_code == 303

    lines = ["Full name,Email address"]
    lines += [f"Person {i},person{i}@testborough.gov.uk" for i in range(975)]
    lines += ["Mo Mentor,mentor-only@testborough.gov.uk"] + [f"Ready {i},ready{i}@x.gov.uk"
                                                            for i in range(4)]
    bad = ([f"Bad {i},not-an-address-{i}" for i in range(4)]
           + [f",noname{i}@testborough.gov.uk" for i in range(4)]
           + [f"Twice {i},person{i}@testborough.gov.uk" for i in range(4)]
           + [f"Member {i},{email}" for i, email in enumerate(members)]
           + [f"Pending {i},PENDING{i}@testborough.gov.uk" for i in range(4)])
    lines += bad
    data = ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")  # Excel's "CSV UTF-8"

    started = time.perf_counter()
    response = upload(browser, scheme, data)
    preview_seconds = time.perf_counter() - started
    number = upload_id(response)
    page = text(browser.get(f"/admin/schemes/{scheme.slug}/invitations/{number}"))
    assert "Nothing has been sent yet" in page and "Send 980 invitations" in page
    assert "20 rows with a problem" in page and "980 ready to invite" in page
    assert page.count("Not an email address in the correct format") == 4
    assert page.count("No name") == 4
    assert page.count("The same address as line") == 4
    assert page.count("Already a mentee in this scheme") == 4
    assert page.count("Invited already, on") == 4
    assert "Line" in page and "not-an-address-0" in page
    assert len(invitations(scheme)) == 4  # the earlier list's only: nothing sent at preview
    # The ready rows are shown a hundred at a time.
    assert "person99@" in page and "person100@" not in page
    second = text(browser.get(f"/admin/schemes/{scheme.slug}/invitations/{number}?page=2"))
    assert "person100@" in second
    assert browser.get(f"/admin/schemes/{scheme.slug}/invitations/{number}?page=11"
                       ).status_code == 404

    started = time.perf_counter()
    sent = send(browser, scheme, number)
    send_seconds = time.perf_counter() - started
    assert sent.status_code == 303
    print(f"\n1,000 rows: preview {preview_seconds:.2f} s, send {send_seconds:.2f} s")
    assert preview_seconds < 10 and send_seconds < 20  # a few seconds; the machine is shared
    # The double-click, the back button and the second tab: nothing more is sent.
    again = send(browser, scheme, number)
    assert again.status_code == 303
    assert "already been sent: nobody was sent a second one" in text(browser.get(
        again.headers["Location"]))
    assert upload_id(upload(browser, scheme, data)) != number  # a new upload of the same file
    later = upload_id(upload(browser, scheme, data))
    assert "Invited already, on" in text(browser.get(
        f"/admin/schemes/{scheme.slug}/invitations/{later}?page=1"))

    made = [i for i in invitations(scheme) if i.upload_id == number]
    assert len(made) == 980 and len({i.email for i in made}) == 980
    assert mailbox.count(template=TEMPLATE) == 984  # with the earlier list's 4
    assert mailbox.count("person0@testborough.gov.uk", TEMPLATE) == 1
    assert mailbox.count("noname0@testborough.gov.uk", TEMPLATE) == 0
    assert mailbox.count("member0@testborough.gov.uk", TEMPLATE) == 0
    assert mailbox.count("pending0@testborough.gov.uk", TEMPLATE) == 1
    message = mailbox.last("person0@testborough.gov.uk", TEMPLATE)
    assert message.subject == "You are invited to join Testborough mentoring as a mentee"
    assert "Ada Admin" in message.body_text and "30 days" in message.body_text
    [event] = db.session.scalars(sa.select(AuditEvent).where(
        AuditEvent.action == "invitations_sent",
        AuditEvent.detail["upload_id"].as_integer() == number))
    assert event.actor_id == admin.id and event.detail["queued"] == 980

    progress = text(browser.get(f"/admin/schemes/{scheme.slug}/invitations/{number}"))
    assert "980 of 980 queued" in progress and "0 of 980" in progress
    delivered = runner.invoke(args=["mail", "deliver"])
    assert delivered.exit_code == 0, delivered.output
    progress = text(browser.get(f"/admin/schemes/{scheme.slug}/invitations/{number}"))
    assert "980 of 980" in progress.replace("980 of 980 queued", "")


def test_an_invitee_registers_by_the_link_once_and_is_not_signed_in_by_it(app, make, mailbox):
    scheme = make.scheme(name="ACT mentoring", mentor_eligibility="Managers at ACT.")
    admin = make.admin(scheme, email="admin@act.gov.uk")
    browser = client_for(app, admin)
    number = upload_id(upload(browser, scheme, role="mentor",
                              rows="Noor New, Noor.New@ACT.gov.uk\n"))
    assert send(browser, scheme, number).status_code == 303
    message = mailbox.last("noor.new@act.gov.uk", TEMPLATE)
    assert "as a mentor" in message.subject
    link = mailbox.link(message, "/invitation/")

    phone = client_for(app)
    shown = phone.get(link)
    assert shown.status_code == 200
    assert "Join ACT mentoring as a mentor" in text(shown) and "Managers at ACT." in text(shown)
    assert "noor.new@act.gov.uk" in text(shown)
    assert db.session.scalar(sa.select(User).where(User.email == "noor.new@act.gov.uk")) is None

    refused = phone.post_form(link, {"full_name": "Noor New"})
    assert refused.status_code == 400
    assert "Confirm that you meet the eligibility statement" in text(refused)
    # The address is the invitation's: a posted one is ignored.
    joined = phone.post_form(link, {"full_name": "Noor  Newton", "confirm": "y",
                                    "email": "someone@else.gov.uk"})
    assert joined.status_code == 303 and joined.headers["Location"].endswith("/done")
    done = text(phone.get("/done"))
    assert "You have joined ACT mentoring as a mentor" in done and "Sign in" in done
    db.session.expire_all()
    noor = db.session.scalar(sa.select(User).where(User.email == "noor.new@act.gov.uk"))
    assert noor.full_name == "Noor Newton" and noor.roles_in(scheme.id) == {Role.MENTOR}
    assert db.session.scalar(sa.select(User).where(User.email == "someone@else.gov.uk")) is None
    assert phone.get("/dashboard").status_code == 302  # not signed in by a 30-day link
    [invitation] = invitations(scheme)
    assert invitation.state == InvitationState.ACCEPTED and invitation.user_id == noor.id
    assert "Joined by their link" in text(browser.get(
        f"/admin/schemes/{scheme.slug}/invitations/{number}"))

    for used in (client_for(app).get(link), client_for(app).post_form(
            link, {"full_name": "Again", "confirm": "y"})):
        assert used.status_code == 410 and "already been used" in text(used)
    db.session.expire_all()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Membership).where(
        Membership.user_id == noor.id)) == 1


def test_someone_with_an_account_gets_the_role_added_and_only_they_can_use_it(
        app, make, mailbox):
    scheme = make.scheme()
    admin = make.admin(scheme, email="admin@act.gov.uk")
    mentor = make.mentor(scheme, email="mira@act.gov.uk", name="Mira Mentor").user
    someone = make.mentee(scheme, email="someone@act.gov.uk")
    browser = client_for(app, admin)
    number = upload_id(upload(browser, scheme, rows="Mira M, mira@act.gov.uk"))
    assert send(browser, scheme, number).status_code == 303
    message = mailbox.last("mira@act.gov.uk", TEMPLATE)
    assert "adds this to your account" in message.body_text
    link = mailbox.link(message, "/invitation/")

    other = client_for(app, someone)
    assert other.get(link).status_code == 403
    assert other.post_form(link, {"full_name": "X", "confirm": "y"}).status_code == 403

    own = client_for(app, mentor)
    assert "Mira Mentor" in text(own.get(link))
    assert own.post_form(link, {"full_name": "Mira Mentor", "confirm": "y"}).status_code == 303
    db.session.expire_all()
    assert db.session.get(User, mentor.id).roles_in(scheme.id) == {Role.MENTOR, Role.MENTEE}
    assert "Go to your dashboard" in text(own.get("/done"))


def test_an_expired_invitation_is_refused_and_the_address_can_be_invited_again(
        app, make, mailbox):
    scheme = make.scheme()
    admin = make.admin(scheme, email="admin@act.gov.uk")
    browser = client_for(app, admin)
    number = upload_id(upload(browser, scheme, rows="Late Larry, larry@act.gov.uk"))
    assert send(browser, scheme, number).status_code == 303
    old = mailbox.link(mailbox.last("larry@act.gov.uk", TEMPLATE), "/invitation/")
    long_ago = dt.datetime.now(dt.UTC) - dt.timedelta(days=31)
    db.session.execute(sa.update(EmailedLink).values(created_at=long_ago))
    db.session.execute(sa.update(Invitation).values(created_at=long_ago))
    db.session.commit()

    expired = client_for(app).post_form(old, {"full_name": "Larry", "confirm": "y"})
    assert expired.status_code == 410 and "has expired" in text(expired)

    again = upload_id(upload(browser, scheme, rows="Late Larry, larry@act.gov.uk"))
    assert "Send 1 invitation" in text(browser.get(
        f"/admin/schemes/{scheme.slug}/invitations/{again}"))
    assert send(browser, scheme, again).status_code == 303
    first, second = invitations(scheme)
    assert first.state == InvitationState.EXPIRED and second.state == InvitationState.PENDING
    new = mailbox.link(mailbox.last("larry@act.gov.uk", TEMPLATE), "/invitation/")
    assert client_for(app).post_form(new, {"full_name": "Larry", "confirm": "y"}
                                     ).status_code == 303


def test_another_schemes_administrator_and_other_people_get_not_found(app, make, mailbox):
    scheme, other = make.scheme(), make.scheme()
    admin = make.admin(scheme, email="admin@act.gov.uk")
    outsider = make.admin(other, email="outsider@gla.gov.uk")
    mentee = make.mentee(scheme, email="mentee@act.gov.uk")
    number = upload_id(upload(client_for(app, admin), scheme, rows="A Person, a@act.gov.uk"))
    base = f"/admin/schemes/{scheme.slug}/invitations"
    stranger = client_for(app, outsider)
    assert stranger.get(base).status_code == 404
    assert stranger.get(f"{base}/{number}").status_code == 404
    assert stranger.post_form(f"{base}/{number}/send").status_code == 404
    assert upload(stranger, scheme, rows="B Person, b@act.gov.uk", key="k" * 43
                  ).status_code == 404
    # Their own scheme's address with this scheme's upload: not found either.
    assert stranger.get(f"/admin/schemes/{other.slug}/invitations/{number}").status_code == 404
    assert stranger.post_form(f"/admin/schemes/{other.slug}/invitations/{number}/send"
                              ).status_code == 404
    assert client_for(app, mentee).get(base).status_code == 403
    assert mailbox.count(template=TEMPLATE) == 0
    assert invitations(scheme) == []


def test_the_same_form_posted_twice_makes_one_upload(app, make):
    scheme = make.scheme()
    browser = client_for(app, make.admin(scheme, email="admin@act.gov.uk"))
    key = "a" * 43
    first = upload_id(upload(browser, scheme, rows="A Person, a@act.gov.uk", key=key))
    second = upload_id(upload(browser, scheme, rows="A Person, a@act.gov.uk", key=key))
    assert first == second
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InvitationUpload)) == 1


# The test client encodes a body over 500 KB in a temporary file that nothing closes.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_files_that_are_not_lists_of_people_are_explained_never_a_crash(app, make):
    scheme = make.scheme()
    browser = client_for(app, make.admin(scheme, email="admin@act.gov.uk"))
    cases = [
        (b"PK\x03\x04workbook", "an Excel or OpenDocument workbook, not a CSV file"),
        (b"%PDF-1.7 ...", "a PDF, not a CSV file"),
        (b"", "The file is empty"),
        (b" \r\n,\r\n", "no names or addresses"),
        (b"Name,Email\r\nA\x00B,a@act.gov.uk\r\n", "characters that are not text"),
        (b"Name,Email\n" + b"Someone Long,someone@act.gov.uk\n" * 33_000, "larger than 1 MB"),
        ("".join(f"P {i},p{i}@a.gov.uk\n" for i in range(2001)).encode(),
         "the most one upload takes is 2,000"),
    ]
    for data, message in cases:
        response = upload(browser, scheme, data)
        assert response.status_code == 400, (data[:20], text(response)[:500])
        assert message in text(response), (data[:20], message)
    for data, message in (({"role": ""}, "Choose whether to invite them as mentors or mentees"),
                          ({"key": "short"}, "This form has expired")):
        response = browser.post_form(f"/admin/schemes/{scheme.slug}/invitations",
                                     {"role": "mentee", "key": "k" * 43,
                                      "rows": "A, a@act.gov.uk", **data})
        assert response.status_code == 400 and message in text(response)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InvitationUpload)) == 0
    gc.collect()  # the client's temporary file goes now, while its warning is ignored


def test_what_spreadsheets_save_is_read_and_invisible_marks_are_removed(app, make):
    scheme = make.scheme()
    browser = client_for(app, make.admin(scheme, email="admin@act.gov.uk"))
    files = {
        # Excel's plain CSV on Windows, with semicolons where the comma is a decimal mark.
        "cp1252.csv": "Email;Name\r\nzoe@act.gov.uk;Zo\u00eb O\u2019Brien\r\n".encode("cp1252"),
        # Excel's "Unicode text": UTF-16, tab-separated.
        "utf16.txt": "Name\tEmail\r\nZo\u00eb O\u2019Brien\tzoe@act.gov.uk\r\n".encode("utf-16"),
        # No header, the address first, a right-to-left override in the name.
        "marks.csv": "zoe@act.gov.uk,\u202eZo\u00eb\u202c O\u2019Brien\u200b\n".encode(),
    }
    for filename, data in files.items():
        number = upload_id(upload(browser, scheme, data, filename=filename))
        item = db.session.get(InvitationUpload, number)
        assert [(r["name"], r["email"], r["problem"]) for r in item.rows] == [
            ("Zo\u00eb O\u2019Brien", "zoe@act.gov.uk", None)], filename
        assert item.filename == filename
    pasted = upload_id(upload(browser, scheme, rows="\u2066Sam\u2069 Smith,\u00a0sam@act.gov.uk"))
    [row] = db.session.get(InvitationUpload, pasted).rows
    assert (row["name"], row["email"], row["problem"]) == ("Sam Smith", "sam@act.gov.uk", None)


def test_a_list_with_nobody_to_invite_cannot_be_sent(app, make, mailbox):
    scheme = make.scheme()
    admin = make.admin(scheme, email="admin@act.gov.uk")
    browser = client_for(app, admin)
    number = upload_id(upload(browser, scheme, rows="Only Bad, bad-address\nNo Address,"))
    page = text(browser.get(f"/admin/schemes/{scheme.slug}/invitations/{number}"))
    assert "None of the rows can be invited" in page and "No email address" in page
    refused = send(browser, scheme, number)
    assert refused.status_code == 409 and "None of the rows" in text(refused)
    assert mailbox.count(template=TEMPLATE) == 0


def test_two_sends_at_the_same_moment_send_each_invitation_once(app, make, mailbox,
                                                                 monkeypatch):
    """Two tabs, or two administrators, press "Send" together: both have read the upload as
    not sent before either locks it."""
    scheme = make.scheme()
    admin = make.admin(scheme, email="admin@act.gov.uk")
    second = make.admin(scheme, email="second@act.gov.uk")
    number = upload_id(upload(client_for(app, admin), scheme, rows="\n".join(
        f"Person {i}, person{i}@act.gov.uk" for i in range(50))))
    hold_until_both_arrive(inviting, "_lock_scheme", monkeypatch)
    people = iter([admin.id, second.id])

    def press_send():
        actor = db.session.get(User, next(people))
        return inviting.send(number, actor)[1]

    assert sorted(run_twice_at_once(app, press_send)) == [False, True]
    assert len(invitations(scheme)) == 50
    assert mailbox.count(template=TEMPLATE) == 50
    assert mailbox.count("person0@act.gov.uk", TEMPLATE) == 1
