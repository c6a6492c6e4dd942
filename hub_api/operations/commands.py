"""``candor backup`` and ``candor restore``."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from ..config import write_secret
from . import archive, database
from .backup import make_backup, prune
from .restore import RestoreError, restore

# Paths and the database differ from machine to machine by design.
_MACHINE = {"CANDOR_INSTANCE", "CANDOR_CONTENT", "CANDOR_SITE", "CANDOR_DATABASE_URL",
            "CANDOR_BACKUP_DIR", "CANDOR_THEME", "CANDOR_PELICANCONF"}


@click.command("backup")
@click.option("--to", "to", type=click.Path(file_okay=False, path_type=Path),
              help="Folder for the archive (default: CANDOR_BACKUP_DIR, instance/backups).")
@click.option("--include-secrets", is_flag=True,
              help="Also store the secret key and unredacted settings (keep the file safe!).")
@click.option("--keep", type=int, help="Then delete all but the newest N backups there.")
@with_appcontext
def backup_command(to: Path | None, include_secrets: bool, keep: int | None) -> None:
    """Write one archive: database, content folder, settings and a manifest of checksums."""
    if include_secrets:
        click.secho("WARNING: --include-secrets stores the instance's secret key in the "
                    "archive. Anyone holding the file can sign in as any staff member: keep it "
                    "encrypted and off shared storage.", fg="yellow", bold=True, err=True)
    bar = None

    def progress(stage: str, done: int, total: int) -> None:
        nonlocal bar
        if stage == "database":
            click.echo(f"Copying the database ({total / 1e6:,.0f} MB)…" if total else
                       "Copying the database…", err=True)
            return
        if bar is None:
            bar = click.progressbar(length=total, label="Writing archive", file=sys.stderr)
            bar.__enter__()
        bar.update(done - bar.pos)

    try:
        result = make_backup(current_app.config, current_app.extensions["candor_engine"], to=to,
                             include_secrets=include_secrets, progress=progress)
    except (database.DatabaseError, OSError) as exc:
        raise click.ClickException(f"backup failed: {exc}") from None
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    click.echo(f"Backup written: {result.path} ({result.size / 1e6:.1f} MB in "
               f"{result.seconds:.1f}s)")
    if not include_secrets:
        click.echo("The secret key is not in it: a restore elsewhere logs staff out and "
                   "turns old unsubscribe links invalid (--include-secrets keeps them).")
    if keep:
        for path in prune(result.path.parent, keep):
            click.echo(f"Removed old backup {path.name}")


@click.command("restore")
@click.argument("archive_path", metavar="ARCHIVE",
                type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True,
              help="Replace the database and content folder even if they hold data.")
@with_appcontext
def restore_command(archive_path: Path, force: bool) -> None:
    """Restore a backup: check it, load it, migrate, rebuild the search index and the site."""
    from ..search.cli import reindex_command
    from ..site.builder import BuildError, build_site

    config = current_app.config
    size = archive_path.stat().st_size if archive_path.is_file() else 0
    started = time.monotonic()
    with click.progressbar(length=size, label="Checking and unpacking",
                           file=sys.stderr) as bar:
        try:
            manifest = restore(config, archive_path, force=force,
                               progress=lambda n: bar.update(n))
        except (RestoreError, archive.ArchiveError) as exc:
            raise click.ClickException(str(exc)) from None
    schema = manifest["database"].get("alembic_revision")
    click.echo(f"Restored the backup of {manifest['created_at']} (Candor "
               f"{manifest.get('candor_version')}, schema {schema}) and migrated it in "
               f"{time.monotonic() - started:.1f}s.")
    differ = {k: v for k, v in manifest["settings"].items()
              if k not in _MACHINE and os.environ.get(k) != v}
    if differ:
        click.echo("The backed-up hub ran with settings this environment lacks (set them if "
                   "they still apply):")
        for key, value in sorted(differ.items()):
            click.echo(f"  {key}={value}")
    if not manifest.get("includes_secrets"):
        write_secret(config["INSTANCE"])  # keeps one the instance has
        click.echo("The backup holds no secret key: this instance keeps (or made) its own.")
    click.get_current_context().invoke(reindex_command)
    try:
        path = build_site(config, full=True)
    except BuildError as exc:
        raise click.ClickException(f"restored, but the site build failed: {exc}") from None
    click.echo(f"Site built → {path}. Restore done in {time.monotonic() - started:.1f}s.")

