"""Candor's backend: the Flask app factory.

Nothing is built at import time; ``create_app`` reads ``CANDOR_*`` settings (or a test
config), then lets each capability attach itself with its own ``init_app``.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .config import load_config

if TYPE_CHECKING:
    from flask import Flask


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the Flask app that serves the dynamic pages, the staff area and the static site."""
    from flask import Flask  # here, not at import: the site build imports hub_api modules

    config = load_config()
    if test_config:
        config.update(test_config)
    app = Flask(
        __name__,
        instance_path=str(config["INSTANCE"]),
        static_folder=str(config["THEME"] / "static"),
        static_url_path="/theme",
        template_folder=str(config["THEME"] / "templates"),
    )
    app.config.update(config)
    if not app.config.get("SECRET_KEY"):
        # Before `candor init` there is no stored secret; `candor serve` refuses to start.
        app.config["SECRET_KEY"] = secrets.token_urlsafe(48)
        app.config["EPHEMERAL_SECRET"] = True
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=app.config["PUBLIC_URL"].startswith("https://"),
        SESSION_COOKIE_NAME="candor_staff",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SAMESITE="Lax",
    )

    from . import (
        cli,
        curation,
        db,
        demo,
        errors,
        leads,
        moderation,
        operations,
        search,
        security,
        stackexchange,
        staff,
        views,
    )
    from .api import routes
    from .effects import jobs, webhooks
    from .privacy import abuse, ratelimit, subject_requests
    from .questions import ask, follow, manage, promise, queue, routing, threads
    from .site import builder as site_builder
    from .site import files as site_files
    from .site import templating, thread_pages

    if app.config.get("TEST_CLOCK_FILE"):  # tests step the time of several processes
        db.set_clock(db.file_clock(Path(app.config["TEST_CLOCK_FILE"])))
    db.init_app(app)
    jobs.init_app(app)
    security.init_app(app)
    errors.init_app(app)
    views.init_app(app)
    staff.init_app(app)
    ask.init_app(app)
    threads.init_app(app)
    routes.init_app(app)
    queue.init_app(app)
    site_builder.init_app(app)
    search.init_app(app)
    stackexchange.init_app(app)
    site_files.init_app(app)
    templating.init_app(app)
    thread_pages.init_app(app)
    webhooks.init_app(app)
    cli.init_app(app)
    demo.init_app(app)
    curation.init_app(app)
    abuse.init_app(app)
    manage.init_app(app)
    follow.init_app(app)
    moderation.init_app(app)
    subject_requests.init_app(app)
    leads.init_app(app)
    routing.init_app(app)
    promise.init_app(app)
    operations.init_app(app)
    from . import identity, public_url

    identity.init_app(app)
    public_url.init_app(app)
    ratelimit.init_app(app)  # last: it wraps the views registered above
    return app
