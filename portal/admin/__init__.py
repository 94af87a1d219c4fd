"""Administration: each scheme's agreements, line managers' approvals, chemistry call requests
and administrators, for its administrators; `flask admins` for operators."""

from flask import Flask


def init_app(app: Flask) -> None:
    # Imported here: the package runs whenever any of its modules is imported (its models
    # too), and its views import other areas, so importing them above would make cycles.
    from portal import dashboard
    from portal.admin import cli, panels, views

    app.register_blueprint(views.bp)
    # First of all, before CSRF protection reads the form: an uploaded list of people may be
    # larger than the portal's limit for forms (MAX_FORM_KB).
    app.before_request_funcs.setdefault(None, []).insert(0, views.room_for_a_list)
    dashboard.add_panels(app, panels.admin_panel)
    cli.register(app)
