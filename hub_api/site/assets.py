"""Fingerprinted theme assets: ``/theme/candor.<hash>.css`` may be cached for a year.

Pages link :func:`asset_url` (the ``asset()`` template global, in Flask and Pelican alike);
each build writes the fingerprinted copies (:func:`write_assets`). A changed stylesheet is a
new URL, so no reader keeps an old one.
"""

from __future__ import annotations

import functools
import hashlib
import shutil
from pathlib import Path

FINGERPRINTED = ("candor.css", "similar.js")


@functools.lru_cache(maxsize=64)
def _name(path: str, _mtime_ns: int) -> str:
    source = Path(path)
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:12]
    return f"{source.stem}.{digest}{source.suffix}"


def fingerprinted_name(theme: Path, name: str) -> str:
    """``candor.css`` → ``candor.<12 hex digits>.css`` (from the file's bytes)."""
    path = Path(theme) / "static" / name
    return _name(str(path), path.stat().st_mtime_ns)


def asset_url(theme: Path, name: str) -> str:
    """The URL of a theme asset: fingerprinted when it is one of :data:`FINGERPRINTED`."""
    if name in FINGERPRINTED:
        return f"/theme/{fingerprinted_name(theme, name)}"
    return f"/theme/{name}"


def write_assets(theme: Path, output: Path) -> None:
    """Copy the fingerprinted assets into the build's ``theme/`` folder."""
    folder = Path(output) / "theme"
    folder.mkdir(parents=True, exist_ok=True)
    for name in FINGERPRINTED:
        shutil.copyfile(Path(theme) / "static" / name, folder / fingerprinted_name(theme, name))
