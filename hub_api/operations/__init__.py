"""Running a hub for years: backups, restores, the doctor's checks, readiness and metrics."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Commands, ``/readyz``, ``/metrics``, ``/staff/health`` and the scheduled backup."""
    from ..effects.jobs import scheduler
    from . import health, metrics
    from .backup import backup_if_due
    from .commands import backup_command, restore_command
    from .doctor import bp, doctor_command

    app.cli.add_command(backup_command)
    app.cli.add_command(restore_command)
    app.cli.add_command(doctor_command)
    app.register_blueprint(bp)
    health.init_app(app)
    metrics.init_app(app)
    if app.config.get("BACKUP_EVERY"):
        from ..leads.digest import parse_span

        try:
            every = parse_span(app.config["BACKUP_EVERY"]).total_seconds()
        except ValueError as exc:  # a malformed period stops start-up, named
            raise ValueError(f"CANDOR_BACKUP_EVERY: {exc}") from None
        scheduler(app).add("backup", min(every, 3600), backup_if_due)
