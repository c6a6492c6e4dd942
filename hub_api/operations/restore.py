"""``candor restore ARCHIVE``: a backup back into an instance, all checks before any change.

Order: refuse an instance that holds data (unless forced); unpack the archive into a staging
folder beside the instance while checking every byte against its manifest; only then replace
the database (one transaction) and the content folder (one rename); then migrate, and forget the
source's operations record (its instance id, builds, jobs and backups describe another
machine: kept, the doctor would take a hub whose public URL still names the source for
itself). The caller rebuilds the search index and the site, which backups do not carry.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

from ..config import SECRET_FILE
from ..migrate import upgrade
from . import archive, database, records
from .backup import SECRET_MEMBER, SETTINGS_MEMBER


class RestoreError(RuntimeError):
    """The restore was refused or failed before changing anything; one line says why."""


def restore(config: Mapping, path: Path, *, force: bool = False,
            progress: Callable[[int], None] | None = None) -> dict:
    """Restore the archive at ``path`` into the instance ``config`` names; return its manifest
    with ``settings``, the ``CANDOR_*`` variables the backed-up hub ran with."""
    url = config["DATABASE_URL"]
    instance, content = Path(config["INSTANCE"]), Path(config["CONTENT"])
    try:
        holding = database.holds_data(url)
    except Exception as exc:  # an unreachable database: say which, in one line
        raise RestoreError(f"cannot read the database: {str(exc).splitlines()[0]}") from exc
    if holding and not force:
        raise RestoreError(
            f"this instance already holds data ({', '.join(holding[:4])}"
            f"{', …' if len(holding) > 4 else ''}): restore into an empty instance, or add "
            "--force to replace everything in it")
    instance.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".candor-restore-", dir=instance))
    try:
        manifest = archive.read(path, into=staging, progress=progress)
        restored_content = staging / "content"
        restored_content.mkdir(exist_ok=True)
        if not force:
            _refuse_lost_content(content, restored_content)
        db = manifest["database"]
        try:
            database.load(url, staging / db["file"], db["kind"])
        except database.DatabaseError as exc:
            raise RestoreError(f"{exc}; the database is unchanged") from exc
        _swap(content, restored_content)
        settings = staging / SETTINGS_MEMBER
        manifest["settings"] = json.loads(settings.read_text()) if settings.is_file() else {}
        secret = staging / SECRET_MEMBER
        if secret.is_file():
            target = instance / SECRET_FILE
            target.unlink(missing_ok=True)
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(secret.read_text())
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    upgrade(url)
    records.forget_all(url)
    return manifest


def _refuse_lost_content(current: Path, restored: Path) -> None:
    """Files in the content folder that the backup lacks would be lost: refuse, naming one."""
    if not current.is_dir():
        return
    for path in sorted(current.rglob("*")):
        if path.is_file() and not (restored / path.relative_to(current)).is_file():
            raise RestoreError(
                f"{path} is not in the backup and would be lost: restore into an empty "
                "content folder (CANDOR_CONTENT), or add --force to replace it")


def _swap(current: Path, restored: Path) -> None:
    """Put the restored content folder in place with renames; the old one is removed after."""
    current.parent.mkdir(parents=True, exist_ok=True)
    old = None
    if current.exists():
        old = current.with_name(f".{current.name}.before-restore-{os.getpid()}")
        os.replace(current, old)
    shutil.move(str(restored), current)  # a rename unless the folders are on two disks
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
