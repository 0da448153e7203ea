"""The equity-plan monitoring and feedback portal."""

import logging
import os
import pathlib

from flask import Flask

from portal import config, db, errors, extensions, web

ROOT = pathlib.Path(__file__).resolve().parent.parent


def create_app(overrides=None):
    """Build the Flask application; overrides replace configuration, as tests do."""
    app = Flask(
        __name__,
        # The folder for the SQLite file and instance/config.py; PORTAL_INSTANCE_PATH moves it.
        instance_path=os.environ.get("PORTAL_INSTANCE_PATH") or str(ROOT / "instance"),
        instance_relative_config=True,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    config.load(app, overrides)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    db.init_app(app)
    extensions.init_app(app)
    web.init_app(app)
    errors.init_app(app)
    register_blueprints(app)

    from portal.cli import portal_cli

    app.cli.add_command(portal_cli)
    return app


def register_blueprints(app):
    from portal.auth.views import bp as auth_bp
    from portal.feedback import loop_views  # noqa: F401  (adds its routes to the feedback blueprint)
    from portal.feedback import stakeholder_views  # noqa: F401  (the same)
    from portal.feedback.views import bp as feedback_bp
    from portal.mail.views import bp as mail_bp
    from portal.monitoring.views import bp as monitoring_bp
    from portal.plan.views import bp as plan_bp
    from portal.stakeholders.views import bp as stakeholders_bp
    from portal.plan.editing import bp as editing_bp

    for blueprint in (plan_bp, auth_bp, feedback_bp, mail_bp, stakeholders_bp, monitoring_bp):
        app.register_blueprint(blueprint)
    app.register_blueprint(editing_bp)

    from portal.stakeholders.campaign_views import bp as campaigns_bp

    app.register_blueprint(campaigns_bp)

    from portal.stakeholders import roster_views  # noqa: F401  (adds the roster page's routes)
    from portal.stakeholders.admin_views import bp as stakeholder_admin_bp

    app.register_blueprint(stakeholder_admin_bp)

    from portal.review.views import bp as review_bp

    app.register_blueprint(review_bp)
