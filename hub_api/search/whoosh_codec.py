"""Whoosh postings whose document numbers and weights read without unpickling positions.

Whoosh 3 pickles each block of up to 128 postings as one ``(ids, weights, values)`` tuple,
so learning which documents hold a word also builds every posting's positions and character
offsets: for a body field with characters, seven eighths of the decoding time measured here
(62 µs a block, 8 µs without the values). Candor's blocks keep Whoosh's block header but
store the ids and weights as little-endian arrays ahead of the pickled values: matching and
scoring read them with ``numpy.frombuffer`` (``postings_arrays``), while Whoosh's own
matchers (phrases, highlights) unpickle the values only of the blocks they visit.

Segments written by Whoosh's own codec stay readable; merging rewrites them in this format.
The codec is pickled into the index's table of contents by its import path, so it stays here.
"""

from __future__ import annotations

import struct
import sys
import zlib
from array import array

import numpy as np
from whoosh.codec.whoosh3 import (
    LENGTHS_COLUMN,
    WHOOSH3_HEADER_MAGIC,
    W3Codec,
    W3FieldWriter,
    W3LeafMatcher,
    W3PerDocReader,
    W3PostingsWriter,
    _lenfield,
)
from whoosh.compat import dumps, loads
from whoosh.util.numeric import byte_to_length, length_to_byte

_IDS, _WEIGHTS = np.dtype("<u4"), np.dtype("<f4")
_BIG_ENDIAN = sys.byteorder == "big"
# How a block's weights are stored, after its ids: all 1.0, one shared float, one each.
_ONES, _SHARED, _EACH = 0, 1, 2
_SHARED_WEIGHT = struct.Struct("<f")


class CandorCodec(W3Codec):
    """Whoosh 3's codec with Candor's posting blocks (term vectors keep Whoosh's)."""

    def field_writer(self, storage, segment):
        return _FieldWriter(self, storage, segment)

    def postings_writer(self, dbfile, byteids=False):
        if byteids:
            return super().postings_writer(dbfile, byteids)
        return _PostingsWriter(dbfile, blocklimit=self._blocklimit,
                               compression=self._compression, inlinelimit=self._inlinelimit)

    def postings_reader(self, dbfile, terminfo, format_, term=None, scorer=None):
        if terminfo.is_inlined():
            return super().postings_reader(dbfile, terminfo, format_, term, scorer)
        offset, length = terminfo.extent()
        return CandorLeafMatcher(dbfile, offset, length, format_, term=term, scorer=scorer)


class _FieldWriter(W3FieldWriter):
    def add_postings(self, schema, lengths, items) -> None:
        if isinstance(lengths, W3PerDocReader):
            lengths = _Lengths(lengths)
        super().add_postings(schema, lengths, items)


class _Lengths:
    """A new segment's field lengths, each field's column read once: Whoosh looks one up
    per posting written, through four layers of calls (15% of indexing time here)."""

    def __init__(self, perdoc: W3PerDocReader):
        self._perdoc = perdoc
        self._fields: dict[str, list[int]] = {}

    def doc_field_length(self, docnum: int, fieldname: str, default: int = 0) -> int:
        lengths = self._fields.get(fieldname)
        if lengths is None:
            coded = length_bytes(self._perdoc, fieldname)
            if coded is None:
                return default
            lengths = [DECODED_LENGTHS[b] for b in coded]
            lengths += [0] * (self._perdoc.doc_count_all() + 1 - len(lengths))
            self._fields[fieldname] = lengths
        return lengths[docnum]


# Whoosh stores a field's length in one byte; ``doc_field_length`` decodes it so.
DECODED_LENGTHS = [byte_to_length(b) for b in range(256)]


def length_bytes(perdoc: W3PerDocReader, fieldname: str) -> bytes | None:
    """Every document's one-byte length of ``fieldname`` in a segment, read at once (None
    when no document has the field); documents past the end of the column have none."""
    column = perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)
    if column is None:
        return None
    return column._dbfile.get(column._basepos, column._count)


class _PostingsWriter(W3PostingsWriter):
    def _write_block(self, last: bool = False) -> None:
        if not self._blockcount:
            self._postfile.write(WHOOSH3_HEADER_MAGIC)
        self._terminfo.add_block(self)
        ids = self._ids
        data = [np.asarray(ids, dtype=_IDS).tobytes()]
        weights = self._mini_weights()
        if weights is None:
            data.append(bytes([_ONES]))
        elif isinstance(weights, float):
            data += [bytes([_SHARED]), _SHARED_WEIGHT.pack(weights)]
        else:
            data += [bytes([_EACH]), np.asarray(weights, dtype=_WEIGHTS).tobytes()]
        values = self._mini_values()
        comp = self._compression if values is not None else 0
        if values is not None:
            packed = dumps(values, 2)
            data.append(zlib.compress(packed, comp) if comp else packed)
        databytes = b"".join(data)
        infobytes = dumps((len(ids), ids[-1], self._maxweight, comp,
                           length_to_byte(self._minlength), length_to_byte(self._maxlength)), 2)
        length = len(infobytes) + len(databytes)
        self._postfile.write_int(-length if last else length)
        self._postfile.write(infobytes)
        self._postfile.write(databytes)
        self._blockcount += 1
        self._new_block()


class CandorLeafMatcher(W3LeafMatcher):
    """Whoosh's block matcher over Candor's block layout."""

    def _read_data(self) -> None:
        self._data = self._postfile.get(self._dataoffset, self._nextoffset - self._dataoffset)

    def _layout(self) -> tuple[int, int, int]:
        """(where the weights kind byte is, the kind, where the values start)."""
        if self._data is None:
            self._read_data()
        at = 4 * self._blocklength
        kind = self._data[at]
        size = {_ONES: 0, _SHARED: 4, _EACH: 4 * self._blocklength}[kind]
        return at, kind, at + 1 + size

    def _read_ids(self) -> None:
        if self._data is None:
            self._read_data()
        ids = array("I", self._data[:4 * self._blocklength])
        if _BIG_ENDIAN:
            ids.byteswap()
        self._ids = ids

    def _read_weights(self) -> None:
        self._weights = array("f", _block_weights(self, *self._layout()[:2]).tolist())

    def _read_values(self) -> None:
        _, _, start = self._layout()
        packed = self._data[start:]
        if not packed:
            self._values = (None,) * self._blocklength
            return
        values = loads(zlib.decompress(packed) if self._compression else packed)
        fixedsize = self._fixedsize
        if fixedsize is None or fixedsize < 0:
            self._values = values
        else:
            self._values = tuple(values[i:i + fixedsize]
                                 for i in range(0, len(values), fixedsize))


def _block_weights(matcher: CandorLeafMatcher, at: int, kind: int) -> np.ndarray:
    count = matcher._blocklength
    if kind == _ONES:
        return np.ones(count, dtype=_WEIGHTS)
    if kind == _SHARED:
        return np.full(count, _SHARED_WEIGHT.unpack_from(matcher._data, at + 1)[0], _WEIGHTS)
    return np.frombuffer(matcher._data, dtype=_WEIGHTS, count=count, offset=at + 1)


def postings_arrays(matcher: CandorLeafMatcher) -> tuple[np.ndarray, np.ndarray]:
    """Every posting's document number and weight, a block at a time, values untouched."""
    ids, weights = [np.zeros(0, _IDS)], [np.zeros(0, _WEIGHTS)]
    while matcher.is_active():
        matcher._read_data()
        at, kind, _ = matcher._layout()
        ids.append(np.frombuffer(matcher._data, dtype=_IDS, count=matcher._blocklength))
        weights.append(_block_weights(matcher, at, kind))
        matcher._next_block()
    return np.concatenate(ids), np.concatenate(weights)
