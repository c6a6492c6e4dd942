"""Every use of Pelican beyond its plugin API (signals, ``Generator``, ``Writer``), in one place.

Candor's build leans on a few of Pelican's internals for speed: one reset ``Markdown`` for
every file, its content cache filled by a cold build's read-ahead (and read by a waiting
build child before its job comes), article pages offered to the writer only when the curated
tree lacks them, and a pages generator without the cache.
:data:`INTERNALS` names each internal used here; ``tests/test_pelican_internals.py`` pins
their source, so a Pelican upgrade that changes any of them fails a test instead of
silently changing the site.
"""

from __future__ import annotations

import fnmatch
import functools
import gzip
import os
import pickle
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from markdown import Markdown
from pelican import Pelican, readers, signals
from pelican.cache import FileDataCacher, FileStampDataCacher
from pelican.contents import Article, Content
from pelican.generators import ArticlesGenerator, CachingGenerator, Generator, PagesGenerator
from pelican.readers import SkipStub
from pelican.utils import pelican_open

from .reuse import source_mtime

# What this module relies on (its source is pinned by the test).
INTERNALS = (
    Pelican._get_generator_classes,
    readers.MarkdownReader.read,
    readers.MarkdownReader._parse_metadata,
    readers.Readers.__init__,
    readers.Readers.read_file,
    FileDataCacher.__init__,
    FileStampDataCacher.get_cached_data,
    FileStampDataCacher.cache_data,
    CachingGenerator._get_file_stamp,
    FileStampDataCacher._get_file_stamp,
    CachingGenerator.__init__,
    Generator._include_path,
    Generator._check_disabled_readers,
    Generator.add_static_links,
    Content.get_static_links,
    Generator.add_source_path,
    Content.get_relative_source_path,
    ArticlesGenerator.generate_context,
    ArticlesGenerator.generate_articles,
    PagesGenerator.__init__,
    Content.__init__,
    Content.__dict__["get_content"].func,  # memoized: its function
    Content.__dict__["get_summary"].func,
)


# --- Markdown: one reset instance --------------------------------------------------------


class MarkdownReader(readers.MarkdownReader):
    """Reads every Markdown file with the same, reset, ``Markdown`` instance: Pelican builds
    a new one per file, and loading the extensions costs more than converting a typical
    curated article (a quarter of a second per 1,000 files). The HTML and metadata are the
    same."""

    def read(self, source_path):
        self._source_path = source_path
        if getattr(self, "_md", None) is None:
            self._md = Markdown(**self.settings["MARKDOWN"])
        md = self._md.reset()
        with pelican_open(source_path) as text:
            content = md.convert(text)
        if not hasattr(md, "Meta"):
            return content, {}
        # Pelican's metadata parsing removes the meta extension (formatted fields such as
        # Summary are not metadata blocks): let it remove it from a copy of the registry.
        preprocessors, md.preprocessors = md.preprocessors, md.preprocessors[:]
        try:
            return content, self._parse_metadata(md.Meta)
        finally:
            md.preprocessors = preprocessors


def use_markdown_reader(pelican_readers: readers.Readers) -> None:
    """``readers_init``: read Markdown files with :class:`MarkdownReader`."""
    for extension in MarkdownReader.file_extensions:
        if pelican_readers.reader_classes.get(extension) is readers.MarkdownReader:
            pelican_readers.reader_classes[extension] = MarkdownReader


# --- content objects -----------------------------------------------------------------------


def replace_html(content: Content, clean: Callable[[str], str]) -> None:
    """Pass an article's or page's HTML (and summary, when given) through ``clean``."""
    content._content = clean(content._content or "")
    if "summary" in content.metadata:
        content.metadata["summary"] = clean(content.metadata["summary"] or "")
        content._summary = content.metadata["summary"]


# --- the content cache ---------------------------------------------------------------------


def uses_content_cache(generator: CachingGenerator) -> bool:
    return bool(generator._cache_data_policy)


def cached_article(generator: CachingGenerator, path: str) -> Article | None:
    """The cache's article for ``path`` when its file is unchanged, else ``None``."""
    return FileStampDataCacher.get_cached_data(generator, path, None)


def read_article(generator: ArticlesGenerator, path: str) -> Article | None:
    """Read one article as ``generator`` would; ``None`` for a skipped or invalid file (Pelican's
    own loop reads it again and reports why)."""
    article = generator.readers.read_file(
        base_path=generator.path, path=path, content_class=Article, context=generator.context,
        preread_signal=signals.article_generator_preread, preread_sender=generator,
        context_signal=signals.article_generator_context, context_sender=generator)
    if isinstance(article, SkipStub) or not article.is_valid():
        return None
    return article


def adopt_article(generator: ArticlesGenerator, path: str, article: Article) -> None:
    """Put an article read elsewhere (a fork) into ``generator``'s cache, as if read here."""
    article._context = generator.context
    generator.cache_data(path, article)


@dataclass(frozen=True)
class ReadCache:
    """A content cache file as read ahead (by a child waiting for its job): its data, and
    the file's identity then, so that a cache rewritten since is read again instead."""

    path: Path
    identity: tuple[int, int, int]
    data: dict

    @classmethod
    def load(cls, path: Path) -> ReadCache | None:
        """Read ``path`` as ``FileDataCacher`` does (gzipped or not); ``None`` when there is
        no readable cache (Pelican then starts from an empty one, as usual)."""
        try:
            identity = _identity(path)
            with path.open("rb") as raw:
                gzipped = raw.read(2) == b"\x1f\x8b"
            with (gzip.open if gzipped else open)(path, "rb") as fh:
                data = pickle.load(fh)  # noqa: S301 (the build's own cache, as Pelican reads it)
        except Exception:  # noqa: BLE001 (unreadable for any reason: Pelican reads it, and says why)
            return None
        return cls(path, identity, data) if isinstance(data, dict) else None

    def current(self, path: Path) -> dict | None:
        """The data, if ``path`` is the file read and it has not changed since."""
        try:
            return self.data if path == self.path and _identity(path) == self.identity else None
        except OSError:
            return None


def _identity(path: Path) -> tuple[int, int, int]:
    stat = path.stat()
    return stat.st_ino, stat.st_size, stat.st_mtime_ns


# --- generators and the build ----------------------------------------------------------------


class CandorArticlesGenerator(ArticlesGenerator):
    """Pelican's articles generator with three hooks, set by the build's child:

    ``read_ahead(generator) -> int``: fills the cache before Pelican's loop (a cold build reads
    on two cores); ``has_page(article) -> bool``: the curated tree already holds its page, so
    the writer is not offered it; ``save_cache_after``: rewrite the cache only when at least
    this many files were read (pickling 10,000 articles costs about a second).
    """

    read_ahead: Callable[[ArticlesGenerator], int] = staticmethod(lambda _g: 0)
    has_page: Callable[[Article], bool] = staticmethod(lambda _a: False)
    save_cache_after = 1
    read_cache: ReadCache | None = None  # the content cache, if a waiting child read it
    misses = 0

    def __init__(self, *args, settings: dict, **kwargs) -> None:
        self.compile_paths(settings)
        found = self.read_cache and self.read_cache.current(
            Path(settings["CACHE_PATH"], type(self).__name__))
        if found is None:
            super().__init__(*args, settings=settings, **kwargs)
            return
        super().__init__(*args, settings={**settings, "LOAD_CONTENT_CACHE": False}, **kwargs)
        self.settings = settings
        self._cache = found

    def compile_paths(self, settings: dict) -> None:
        """What :meth:`_include_path` and :meth:`add_source_path` need, worked out once."""
        self._root = os.path.join(os.path.abspath(settings["PATH"]), "")
        self._ignored = re.compile("|".join(
            fnmatch.translate(os.path.normcase(p)) for p in settings["IGNORE_FILES"]) or "(?!)")

    def _include_path(self, path, extensions=None):
        """Pelican's test of a file name, with its patterns compiled once (it is asked for
        every file twice a build: 20,000 times at 10,000 articles)."""
        if extensions is None:
            extensions = self._extensions
        name = os.path.basename(path)
        return not self._ignored.match(name) and (
            extensions is False or os.path.splitext(name)[1][1:] in extensions)

    def add_source_path(self, content, static=False):
        """Pelican's, with the path relative to ``PATH`` cut off a source that lies plainly
        under it (Pelican's ``relpath`` of two absolute paths: a tenth of a second at
        10,000 articles)."""
        source = content.source_path or ""
        if static or not source.startswith(self._root) or os.path.normpath(source) != source:
            return super().add_source_path(content, static)
        self.context["generated_content"][source[len(self._root):]] = content
        return None

    def _check_disabled_readers(self, paths, exclude) -> None:
        """Pelican's, without listing the content folder again when no reader is disabled
        (it then finds nothing: 10,000 file names a build, for nothing)."""
        if self.readers.disabled_extensions:
            super()._check_disabled_readers(paths, exclude)

    def _get_file_stamp(self, filename):
        """Pelican's modification time of a source, as this build first saw it (shared with
        Candor's own checks, :func:`hub_api.site.reuse.source_mtime`)."""
        if self.settings.get("CHECK_MODIFIED_METHOD") != "mtime":
            return super()._get_file_stamp(filename)
        found = source_mtime(os.path.join(self.path, filename))
        return found if found >= 0 else super()._get_file_stamp(filename)

    def add_static_links(self, content) -> None:
        """Pelican's, without searching an article that cannot name a static file: a link
        counts when its ``what`` (a part of the text) is ``static`` or ``attach`` (a
        pattern search of each of 10,000 articles a build, otherwise)."""
        text = content._content or ""
        if "static" in text or "attach" in text:
            super().add_static_links(content)

    @functools.cached_property
    def _extensions(self) -> tuple[str, ...]:
        return tuple(self.readers.extensions)

    def get_cached_data(self, filename, default=None):
        data = super().get_cached_data(filename, default)
        if data is default:
            self.misses += 1
        return data

    def generate_context(self) -> None:
        self.misses += type(self).read_ahead(self)
        super().generate_context()

    def generate_articles(self, write) -> None:
        every = self.translations, self.articles, self.hidden_translations, self.hidden_articles
        keep = type(self).has_page
        try:
            (self.translations, self.articles, self.hidden_translations,
             self.hidden_articles) = ([a for a in group if not keep(a)] for group in every)
            super().generate_articles(write)
        finally:
            (self.translations, self.articles, self.hidden_translations,
             self.hidden_articles) = every

    def save_cache(self) -> None:
        if self.misses >= self.save_cache_after:
            super().save_cache()


class UncachedPagesGenerator(PagesGenerator):
    """Pelican's pages generator without the content cache: a site has a handful of pages,
    while each cached page pickles the whole shared context (about a second at 10,000)."""

    def __init__(self, *args, settings: dict, **kwargs) -> None:
        super().__init__(*args, settings={**settings, "CACHE_CONTENT": False,
                                          "LOAD_CONTENT_CACHE": False}, **kwargs)


def candor_pelican(settings: dict, articles: type[CandorArticlesGenerator]) -> Pelican:
    """Pelican with ``articles`` (a configured subclass of :class:`CandorArticlesGenerator`)
    and :class:`UncachedPagesGenerator` in place of its own generators."""

    class CandorPelican(Pelican):
        def _get_generator_classes(self):
            swap = {ArticlesGenerator: articles, PagesGenerator: UncachedPagesGenerator}
            return [swap.get(cls, cls) for cls in super()._get_generator_classes()]

    return CandorPelican(settings)
