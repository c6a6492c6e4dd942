"""The build's settings, handed to the child once.

The parent picks what a build needs from its app config (:func:`build_config`: paths, the
database, the public URL, the site name; never the secret key) and hands it to the child with
the job. The child turns it into Pelican settings once (:func:`pelican_settings`): the settings
file (``publishconf.py``) holds what never varies, this module adds what comes from Candor's
configuration, and Candor's plugin reads ``settings["CANDOR"]`` instead of the environment.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Mapping
from pathlib import Path

from ..config import ROOT

# The config keys a build reads; paths among them arrive as ``Path``.
BUILD_KEYS = ("INSTANCE", "DATABASE_URL", "CONTENT", "SITE", "THEME", "PELICANCONF",
              "PUBLIC_URL", "SITENAME", "TIMEZONE", "RESPONSE_TARGET_HOURS")
PATH_KEYS = {"INSTANCE", "CONTENT", "SITE", "THEME", "PELICANCONF"}
# The code that shapes an article: Pelican's content cache is named after it.
SHAPING_CODE = ("site/plugin.py", "site/pelican_internals.py", "markup.py", "text.py")


def build_config(config: Mapping) -> dict:
    """What a build needs from ``config`` (an app's or ``load_config()``), as plain values."""
    picked = {key: config.get(key) for key in BUILD_KEYS}
    picked["PELICANCONF"] = picked["PELICANCONF"] or ROOT / "pelicanconf.py"
    for key in PATH_KEYS:
        picked[key] = Path(picked[key]).absolute()
    return picked


def settings_file(config: Mapping) -> Path:
    """``publishconf.py`` next to the configured ``pelicanconf.py``, else that file itself."""
    pelicanconf = Path(config.get("PELICANCONF") or ROOT / "pelicanconf.py")
    publishconf = pelicanconf.with_name("publishconf.py")
    return publishconf if publishconf.is_file() else pelicanconf


def content_cache_key() -> str:
    """Names Pelican's content cache after the code that sanitises and shapes articles."""
    import pelican

    digest = hashlib.sha256(pelican.__version__.encode())
    for module in SHAPING_CODE:
        digest.update((ROOT / "hub_api" / module).read_bytes())
    return digest.hexdigest()[:16]


def cache_path(instance: Path) -> Path:
    """Pelican's content cache for this version of the code."""
    return instance / "pelican-cache" / content_cache_key()


def stale_caches(instance: Path) -> list[Path]:
    """Content caches of other versions of the code (a megabyte per 1,000 articles each)."""
    current = cache_path(instance)
    return [p for p in current.parent.iterdir() if p != current] \
        if current.parent.is_dir() else []


def pelican_settings(candor: Mapping, outdir: Path, incremental: bool) -> dict:
    """Pelican's settings for one build into ``outdir``: the settings file, then Candor's."""
    from jinja2 import FileSystemBytecodeCache
    from pelican.settings import read_settings

    path = settings_file(candor)
    if str(path.parent) not in sys.path:  # publishconf.py imports pelicanconf
        sys.path.insert(0, str(path.parent))
    instance = Path(candor["INSTANCE"])
    jinja_cache = instance / "jinja-cache"
    jinja_cache.mkdir(parents=True, exist_ok=True)
    settings = read_settings(str(path), override={
        "PATH": str(candor["CONTENT"]),
        "THEME": str(candor["THEME"]),
        "SITENAME": candor["SITENAME"],
        "TIMEZONE": candor["TIMEZONE"],
        "CANDOR_PUBLIC_URL": candor["PUBLIC_URL"],
        # Pages keep root-relative links (one build serves from any origin); feeds and
        # their entries link absolutely to the public address.
        "FEED_DOMAIN": candor["PUBLIC_URL"],
        "CACHE_PATH": str(cache_path(instance)),
        "OUTPUT_PATH": str(outdir),
        # Every build writes into a fresh folder whose curated/ may be the live tree.
        "DELETE_OUTPUT_DIRECTORY": False,
        "CANDOR_INCREMENTAL": incremental,
        "CANDOR": dict(candor),
    })
    # Compiled templates are cached per instance (Jinja checks each template's mtime),
    # which saves a third of a second in every build.
    settings["JINJA_ENVIRONMENT"]["bytecode_cache"] = FileSystemBytecodeCache(str(jinja_cache))
    return settings
