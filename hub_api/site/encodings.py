"""Precompressed variants (``.br``, ``.gz``) beside the files readers fetch.

:class:`hub_api.site.files.SiteFiles` (WhiteNoise) picks a variant by ``Accept-Encoding``;
nginx does the same with ``gzip_static``/``brotli_static`` (``docs/deploy.md``). A build
compresses what it wrote; a page whose bytes equal the live build's gets the live build's
variants as hard links, so a publish compresses only the pages it changed.
"""

from __future__ import annotations

import contextlib
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
# gzip: level 9, but 6 for a file this large (a sitemap of 10,000 addresses, rewritten on a
# publish: a third of level 9's 30 ms here, for a file 4-11% larger, fetched by crawlers).
LARGE = 256 * 1024


def variants(data: bytes, best: bool = False) -> list[tuple[str, bytes]]:
    """``(".br", …)`` and ``(".gz", …)`` when they save at least 5%."""
    if not data:
        return []
    found = [(".br", brotli.compress(data, quality=ASSET_QUALITY if best else PAGE_QUALITY)),
             (".gz", gzip.compress(data, 9 if best or len(data) < LARGE else 6, mtime=0))]
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
        # Linked folders hold pages that have their variants: stored list pages
        # (:mod:`hub_api.site.page_store`), and the curated tree unless this build made it.
        top = folder == str(outdir)
        dirs[:] = [name for name in dirs if (top and name == TREES and added is None)
                   or not os.path.islink(os.path.join(folder, name))]
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
    old = None if live is None else os.path.join(live, os.path.relpath(path, outdir))
    if _has_current_variants(str(path), present, old):
        return 0
    if old is not None and _link_live(path, old):
        return 0
    write_variants(path, path.read_bytes(), best=path.name.endswith((".css", ".js")))
    return 1


def _has_current_variants(path: str, present: set[str], old: str | None) -> bool:
    """Variants at least as new as the file (a page written by this build), or the live
    build's page with its own variants (linked in unchanged: 5,000 list pages at 100,000
    questions, so plain ``os`` calls)."""
    name = os.path.basename(path)
    mine = [s for s in SUFFIXES if name + s in present]
    if not mine:
        return False
    page = os.stat(path)
    variants = [os.stat(path + s) for s in mine]
    if all(v.st_mtime >= page.st_mtime for v in variants):
        return True
    try:
        return old is not None and os.path.samestat(page, os.stat(old)) and all(
            os.path.samestat(v, os.stat(old + s)) for s, v in zip(mine, variants, strict=True))
    except OSError:
        return False


def _link_live(path: Path, old: str) -> bool:
    """Give ``path`` the live build's variants if it is (or equals) the live build's file."""
    try:
        if not os.path.samefile(old, path) and Path(old).read_bytes() != path.read_bytes():
            return False
        return link_variants(old, str(path))
    except OSError:
        return False


def link_variants(old: str, new: str) -> bool:
    """Hard-link ``old``'s variants (the live build's) as ``new``'s, in place of any it had;
    whether ``old`` had any (a file too small to be worth compressing has none)."""
    linked = False
    for suffix in SUFFIXES:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(new + suffix)
        with contextlib.suppress(FileNotFoundError):
            os.link(old + suffix, new + suffix)
            linked = True
    return linked
