"""The ``candor`` command: a Flask CLI group, so ``flask --app hub_api …`` works the same."""

from __future__ import annotations

import itertools
import logging
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import TypeVar

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from .config import load_config, write_secret

T = TypeVar("T")


def init_app(app: Flask) -> None:
    app.cli.add_command(init_command)
    app.cli.add_command(serve_command)
    app.cli.add_command(app_build_command)


def _create_app(*_args) -> Flask:
    from . import create_app

    return _one_line(create_app)


def _one_line(make: Callable[[], T]) -> T:
    """``make()``, a malformed CANDOR_* setting said in one line instead of a traceback."""
    try:
        return make()
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False,
             add_version_option=False, load_dotenv=False, set_debug_flag=False)
def main() -> None:
    """Candor: a company community hub where named staff answer prospects."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")


# Flask's --app/--env-file/--debug options make no sense for Candor's own command.
main.params = [p for p in main.params if p.name not in {"app", "env_file", "debug"}]


@click.command("init")
@with_appcontext
def init_command() -> None:
    """Create the instance: folder, secret key, database schema, search index (safe to re-run)."""
    from .migrate import upgrade
    from .search.cli import create_index

    config = current_app.config
    write_secret(config["INSTANCE"])
    try:
        upgrade(config["DATABASE_URL"])
    except Exception as exc:  # any driver error: say which database and why, in one line
        reason = str(exc).splitlines()[0]
        raise click.ClickException(f"cannot set up the database: {reason}") from exc
    create_index()
    # The app was created before the secret existed: read it back for later commands.
    current_app.config["SECRET_KEY"] = load_config()["SECRET_KEY"] or config["SECRET_KEY"]
    click.echo(f"Instance ready in {config['INSTANCE']}")


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@with_appcontext
def serve_command(host: str, port: int, threads: int) -> None:
    """Serve the static site and the backend on one origin with waitress."""
    from waitress import serve

    from .effects.jobs import scheduler
    from .public_url import built_for, serve_address
    from .serving import waitress_settings
    from .site.builder import BuildError, build_site

    app = current_app._get_current_object()
    if app.config.get("EPHEMERAL_SECRET"):
        raise click.ClickException(f"no instance in {app.config['INSTANCE']}: run `candor init`")
    serve_address(app, host, port)
    if not app.config["SITE"].exists() or not built_for(app.config):
        click.echo(f"Building the site for {app.config['PUBLIC_URL']} first …")
        try:
            build_site(app.config)
        except BuildError as exc:
            raise click.ClickException(f"build failed: {exc}") from exc
    if app.config.get("DEMO") and not app.config.get("SMTP_URL"):
        from .demo_mail import start_catcher

        start_catcher(app)
        click.echo("Demo mode: mail is caught on this machine; admins read it at "
                   "/staff/demo-mail/")
    scheduler(app).start()  # background jobs, unless another process already runs them
    click.echo(f"{app.config['PUBLIC_URL']}/  (Ctrl+C stops)")
    # waitress logs no access lines, so no client address reaches a log.
    serve(app, **waitress_settings(app.config, host, port, threads))


@main.command("build", with_appcontext=False)
def build_command() -> None:
    """Build the static site with Pelican and swap it in atomically."""
    # No app: the build needs only the CANDOR_* settings, and a process that has not loaded
    # the web stack forks its Pelican child sooner (a cold build of 1,000 articles here:
    # about a second less).
    _build(_one_line(load_config))


@click.command("build", help=build_command.help)
@with_appcontext
def app_build_command() -> None:
    _build(current_app.config)  # ``flask --app hub_api build``: the app's own settings


def _build(config: Mapping) -> None:
    from .site.builder import BuildError, build_site

    started = time.monotonic()
    try:
        with _spinner("Building site") as turn:
            path = build_site(config, full=True, waiting=turn)
    except BuildError as exc:
        click.echo(f"Build failed: {exc}", err=True)
        raise SystemExit(1) from None
    click.echo(f"Built site in {time.monotonic() - started:.1f}s → {path}")


@contextmanager
def _spinner(message: str) -> Iterator[Callable[[], None]]:
    """A one-line spinner on a terminal, turned by the caller while it waits (a spinner thread
    would keep the build from forking its child); a single line otherwise."""
    if not sys.stderr.isatty():
        click.echo(f"{message}…", err=True)
        yield lambda: None
        return
    frames = itertools.cycle("⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏")

    def turn() -> None:
        click.echo(f"\r{next(frames)} {message}…", err=True, nl=False)

    turn()
    try:
        yield turn
    finally:
        click.echo("\r\033[K", err=True, nl=False)
