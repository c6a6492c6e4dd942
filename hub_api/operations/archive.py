"""The backup archive: a gzipped tar whose last member, ``manifest.json``, lists every other
member with its size and SHA-256.

Reading checks every byte against the manifest in one streaming pass (gzip's own CRC catches a
cut-off file, the checksums a changed one), and accepts only plain files at relative paths, so
an archive cannot write outside the folder it is unpacked into.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import tarfile
import time
import zlib
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import BinaryIO

MANIFEST = "manifest.json"
FORMAT = "candor-backup"
FORMAT_VERSION = 1
CHUNK = 1 << 20

Progress = Callable[[int], None]


class ArchiveError(RuntimeError):
    """The archive is not a complete, unchanged Candor backup; the message says how."""


class _Counting(io.RawIOBase):
    """A reader that reports how many bytes of the archive file were read."""

    def __init__(self, raw: BinaryIO, progress: Progress | None) -> None:
        self.raw, self.progress = raw, progress

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        if self.progress and data:
            self.progress(len(data))
        return data


class _Hashing(io.RawIOBase):
    """A reader that hashes what passes through it and reports progress."""

    def __init__(self, raw: BinaryIO, progress: Progress | None) -> None:
        self.raw, self.progress, self.sha = raw, progress, hashlib.sha256()

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.sha.update(data)
        if self.progress and data:
            self.progress(len(data))
        return data


def write(target: Path, members: list[tuple[str, Path | bytes]], manifest: dict,
          progress: Progress | None = None) -> dict:
    """Write ``members`` (archive name → file or bytes) and the manifest to ``target``,
    atomically (a ``.partial`` file renamed when complete). Returns the manifest written."""
    files: dict[str, dict] = {}
    partial = target.with_name(target.name + ".partial")
    try:
        # Owner-only from the first byte: the archive holds personal data.
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out, \
                tarfile.open(fileobj=out, mode="w:gz", compresslevel=6) as tar:
            for name, source in members:
                if isinstance(source, bytes):
                    data = source
                    _add(tar, name, len(data), io.BytesIO(data), time.time())
                    files[name] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
                    if progress:
                        progress(len(data))
                    continue
                stat = source.stat()
                with source.open("rb") as fh:
                    reader = _Hashing(fh, progress)
                    _add(tar, name, stat.st_size, reader, stat.st_mtime)
                files[name] = {"size": stat.st_size, "sha256": reader.sha.hexdigest()}
            manifest = {"format": FORMAT, "format_version": FORMAT_VERSION, **manifest,
                        "files": files}
            body = json.dumps(manifest, indent=1, sort_keys=True).encode()
            _add(tar, MANIFEST, len(body), io.BytesIO(body), time.time())
            tar.close()
            out.flush()
            os.fsync(out.fileno())
        os.replace(partial, target)
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    return manifest


def _add(tar: tarfile.TarFile, name: str, size: int, fileobj, mtime: float) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = size, int(mtime), 0o600
    tar.addfile(info, fileobj)


def _safe(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise ArchiveError(f"refusing an archive member outside the archive: {name!r}")
    return path


def read(archive: Path, into: Path | None = None, progress: Progress | None = None) -> dict:
    """Check every member against the manifest (unpacking into ``into`` when given) and
    return the manifest. Raises ``ArchiveError`` on any missing, extra or changed byte.
    ``progress`` is told how many bytes of the archive file were read."""
    if not archive.is_file():
        raise ArchiveError(f"no such file: {archive}")
    seen: dict[str, dict] = {}
    manifest: dict | None = None
    try:
        with archive.open("rb") as raw, \
                tarfile.open(fileobj=_Counting(raw, progress), mode="r|gz") as tar:
            for info in tar:
                if manifest is not None:
                    raise ArchiveError(f"{info.name!r} follows the manifest: not a Candor backup")
                if not info.isfile():
                    raise ArchiveError(f"refusing {info.name!r}: only plain files are restored")
                path = _safe(info.name)
                source = tar.extractfile(info)
                if info.name == MANIFEST:
                    manifest = _parse_manifest(source.read(CHUNK * 16))
                    continue
                seen[info.name] = _copy(source, into / path if into else None)
    except (tarfile.TarError, EOFError, zlib.error, OSError) as exc:
        raise ArchiveError(f"{archive.name} is truncated or damaged ({exc}); "
                           "nothing was restored") from None
    if manifest is None:
        raise ArchiveError(f"{archive.name} has no manifest: not a Candor backup, or cut short")
    expected = manifest["files"]
    for name in sorted(expected.keys() | seen.keys()):
        if name not in seen:
            raise ArchiveError(f"{name} is listed in the manifest but missing from the archive")
        if name not in expected:
            raise ArchiveError(f"{name} is in the archive but not in its manifest")
        if seen[name] != {"size": expected[name]["size"], "sha256": expected[name]["sha256"]}:
            raise ArchiveError(f"{name} does not match its checksum: the archive was changed")
    return manifest


def _copy(source: BinaryIO, target: Path | None) -> dict:
    sha, size = hashlib.sha256(), 0
    out = None
    if target is not None:
        target.parent.mkdir(parents=True, exist_ok=True)
        out = target.open("wb")
    try:
        while chunk := source.read(CHUNK):
            sha.update(chunk)
            size += len(chunk)
            if out:
                out.write(chunk)
    finally:
        if out:
            out.close()
    return {"size": size, "sha256": sha.hexdigest()}


def _parse_manifest(body: bytes) -> dict:
    try:
        manifest = json.loads(body)
    except ValueError:
        raise ArchiveError("the manifest is not valid JSON: the archive was changed") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError("not a Candor backup (its manifest names another format)")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ArchiveError(f"backup format {manifest.get('format_version')} is not one this "
                           f"Candor reads (it reads {FORMAT_VERSION}): use a newer Candor")
    files = manifest.get("files")
    if not isinstance(files, dict) or not all(
            isinstance(v, dict) and {"size", "sha256"} <= v.keys() for v in files.values()):
        raise ArchiveError("the manifest's file list is malformed: the archive was changed")
    return manifest
