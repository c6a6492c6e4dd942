"""Pelican's Markdown reader with one ``Markdown`` instance for every file it reads.

Pelican builds a new ``Markdown`` for each file: loading the extensions and building the
parsers costs more than converting a typical curated article (a quarter of a second per
1,000 files). Python-Markdown supports ``reset()`` between documents, which is what this
reader does; the HTML and metadata are the same.
"""

from __future__ import annotations

from markdown import Markdown
from pelican import readers
from pelican.utils import pelican_open


class MarkdownReader(readers.MarkdownReader):
    """Reads every Markdown file with the same, reset, ``Markdown`` instance."""

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


def use(pelican_readers: readers.Readers) -> None:
    """``readers_init``: read Markdown files with :class:`MarkdownReader`."""
    for extension in MarkdownReader.file_extensions:
        if pelican_readers.reader_classes.get(extension) is readers.MarkdownReader:
            pelican_readers.reader_classes[extension] = MarkdownReader
