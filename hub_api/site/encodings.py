"""Precompressed variants (``.br``, ``.gz``) beside the files readers fetch.

:class:`hub_api.site.files.SiteFiles` (WhiteNoise) picks a variant by ``Accept-Encoding``;
nginx does the same with ``gzip_static``/``brotli_static`` (``docs/deploy.md``). A build
compresses what it wrote; a page whose bytes equal the live build's gets the live build's
variants as hard links, so a publish compresses only the pages it changed.
"""

from __future__ import annotations

import gzip
import os
import secrets
from pathlib import Path

import brotli

from .reuse import TREES

COMPRESSIBLE = (".html", ".css", ".js", ".xml", ".atom", ".txt", ".svg", ".json")
SUFFIXES = (".br", ".gz")
PAGE_QUALITY = 5  # brotli: ~1 ms for a page here; 11 takes ~50x longer for ~8% less
ASSET_QUALITY = 11  # fingerprinted CSS/JS: compressed once per change


def variants(data: bytes, best: bool = False) -> list[tuple[str, bytes]]:
    """``(".br", …)`` and ``(".gz", …)`` when they save at least 5%."""
    if not data:
        return []
    found = [(".br", brotli.compress(data, quality=ASSET_QUALITY if best else PAGE_QUALITY)),
             (".gz", gzip.compress(data, 9, mtime=0))]
    return [(suffix, body) for suffix, body in found if len(body) <= 0.95 * len(data)]


def write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def write_variants(path: Path, data: bytes, best: bool = False) -> None:
    """Write ``path``'s variants (before ``path`` itself is replaced, so a reader who finds
    the new file finds its variants)."""
    for suffix, body in variants(data, best):
        write_atomically(path.with_name(path.name + suffix), body)


def precompress(outdir: Path, live: Path | None, added: list[str] | None = None) -> int:
    """Give every compressible file under ``outdir`` its variants; return how many files were
    compressed (the rest had current variants, or took the live build's).

    ``added``: an incremental build's new pages in the shared curated tree, given as paths
    under ``outdir``; the tree's other pages already have their variants, so the tree (10,000
    folders on a large site) is not walked.
    """
    compressed = 0
    for folder, dirs, names in os.walk(outdir, followlinks=True):
        if added is not None and folder == str(outdir) and TREES in dirs:
            dirs.remove(TREES)
        present = set(names)
        for name in names:
            if name.endswith(COMPRESSIBLE) and not name.startswith("."):
                compressed += _compress(Path(folder, name), present, outdir, live)
    for name in added or []:
        path = Path(outdir, name)
        compressed += _compress(path, set(os.listdir(path.parent)), outdir, live)
    return compressed


def _compress(path: Path, present: set[str], outdir: Path, live: Path | None) -> int:
    """Write ``path``'s variants unless it has current ones or takes the live build's."""
    if _has_current_variants(path, present):
        return 0
    if live is not None and _link_live(path, outdir, live):
        return 0
    write_variants(path, path.read_bytes(), best=path.name.endswith((".css", ".js")))
    return 1


def _has_current_variants(path: Path, present: set[str]) -> bool:
    """Variants at least as new as the file (a reused article page in the curated tree)."""
    mine = [path.name + s for s in SUFFIXES if path.name + s in present]
    if not mine:
        return False
    mtime = path.stat().st_mtime
    return all(path.with_name(v).stat().st_mtime >= mtime for v in mine)


def _link_live(path: Path, outdir: Path, live: Path) -> bool:
    """Give ``path`` the live build's variants if it is (or equals) the live build's file."""
    old = live / path.relative_to(outdir)
    try:
        if not os.path.samefile(old, path) and old.read_bytes() != path.read_bytes():
            return False
        found = [s for s in SUFFIXES if old.with_name(old.name + s).is_file()]
        if not found:
            return False
        for suffix in found:
            target = path.with_name(path.name + suffix)
            target.unlink(missing_ok=True)
            os.link(old.with_name(old.name + suffix), target)
    except OSError:
        return False
    return True
