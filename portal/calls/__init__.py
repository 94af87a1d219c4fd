"""Chemistry calls: requests, answers from the portal or the email, line managers' approval,
the call itself and what each person decides after it."""

from flask import Flask


def init_app(app: Flask) -> None:
    # Imported here: the package runs whenever any of its modules is imported (its models
    # too), and its views import other areas, so importing them above would make cycles.
    from portal import dashboard
    from portal.calls import cli, panels, views

    app.register_blueprint(views.bp)
    dashboard.add_panels(app, panels.mentee_panel, panels.mentor_panel)
    app.add_template_global(panels.call_request_status)  # the "Request a chemistry call" link
    cli.register(app)
