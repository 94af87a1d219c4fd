"""Every route refuses an anonymous or wrong-role person unless it is on the public list."""

from __future__ import annotations

import pytest
from werkzeug.routing import Rule
from werkzeug.routing.converters import NumberConverter

from portal.accounts.models import Role

#: Endpoints anyone may open, each on purpose. Emailed-link pages check their own token.
#: Adding a public route means adding it here, after thinking about it.
PUBLIC = {
    "main.home", "main.accessibility", "main.privacy", "health.health",
    "main.help", "main.help_mentees", "main.help_mentors", "main.help_administrators",
    "accounts.sign_in", "accounts.check_email", "accounts.use_sign_in_link",
    "accounts.register_choose", "accounts.register", "accounts.confirm_registration",
    "accounts.signed_out",
    "accounts.admin_invitation", "accounts.join_invitation",
    "schemes.index", "schemes.show", "schemes.brand_css", "schemes.logo", "schemes.privacy",
    "calls.answer", "calls.answer_accept", "calls.answer_decline", "calls.line_manager",
    "calls.after_call",
    "agreements.sign_link", "agreements.submit_link", "agreements.acknowledge_link",
    "agreements.verify", "links.outcome",
    "relationships.check_in_link",
    "relationships.log_link",
    "evaluations.sign_link",
    "accounts.confirm_email",
}

def _url(app, rule: Rule) -> str:
    # By the converter's family, not its name: the portal subclasses werkzeug's converters.
    values = {name: 1 if isinstance(converter, NumberConverter) else "sample"
              for name, converter in rule._converters.items()}
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **values)


def _rules(app):
    return [rule for rule in app.url_map.iter_rules()
            if rule.endpoint != "static" and not rule.endpoint.startswith("devmail.")]


def test_every_view_declares_who_may_use_it(app):
    unmarked = []
    for rule in _rules(app):
        view = app.view_functions[rule.endpoint]
        if not (hasattr(view, "public_reason") or hasattr(view, "access")):
            unmarked.append(rule.endpoint)
    assert unmarked == [], "routes without an access rule: " + ", ".join(sorted(unmarked))


def test_public_routes_are_exactly_the_public_list(app):
    marked = {rule.endpoint for rule in _rules(app)
              if hasattr(app.view_functions[rule.endpoint], "public_reason")}
    assert marked == PUBLIC


def test_every_other_route_refuses_an_anonymous_person(app, client):
    token = client.csrf_token()
    for rule in _rules(app):
        if rule.endpoint in PUBLIC:
            continue
        url = _url(app, rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, data={"csrf_token": token})
            assert response.status_code in (302, 303, 401, 403), (method, url, response.status_code)
            if response.status_code in (302, 303):
                assert "/sign-in" in response.headers["Location"], (method, url)


def test_role_routes_refuse_a_person_without_the_role(app, client, make, login):
    scheme = make.scheme()
    rules = [rule for rule in _rules(app)
             if getattr(app.view_functions[rule.endpoint], "access", None) == "role"]
    for rule in rules:
        needed = set(app.view_functions[rule.endpoint].required_roles)
        others = [role for role in Role if role not in needed]
        person = make.user(roles={scheme: others})
        login(person)
        token = client.csrf_token()
        url = _url(app, rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, data={"csrf_token": token})
            assert response.status_code == 403, (rule.endpoint, method, response.status_code)


@pytest.mark.parametrize("env,expected", [("development", 200), ("testing", 404)])
def test_local_mailbox_exists_only_in_development(tmp_path, env, expected):
    from portal.extensions import db
    from tests.conftest import make_app

    app = make_app(tmp_path, PORTAL_ENV=env)
    with app.app_context():
        db.create_all()
        assert app.test_client().get("/dev/mail/").status_code == expected
        db.session.remove()
        db.engine.dispose()


def test_every_form_post_needs_the_csrf_token(app, client, make, login):
    """A POST without the page's token is refused, wherever it is sent, signed in or not."""
    posts = [(rule, _url(app, rule)) for rule in _rules(app) if "POST" in rule.methods]
    assert len(posts) > 20  # the walk sees the portal's forms, not an empty map
    person = make.user(roles={make.scheme(): list(Role)})
    for signed_in in (False, True):
        if signed_in:
            login(person)
        for rule, url in posts:
            response = client.post(url, data={"full_name": "Someone", "confirm": "y"})
            assert response.status_code == 400, (rule.endpoint, signed_in, response.status_code)
            assert "Your form had expired" in response.get_data(as_text=True), rule.endpoint
