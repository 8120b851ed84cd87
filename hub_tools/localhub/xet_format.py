"""The binary formats of the Xet protocol that the local Hub reads: xorbs (compressed chunks) and shards (file
reconstructions and xorb chunk lists), as ``hf_xet`` writes them (xet-core's ``xorb_object`` and
``metadata_shard`` formats, learnt from their published source; nothing here is copied).

Hashes are 32 bytes, four little-endian u64 words; their text form is each word as 16 hex digits.

A xorb is a run of chunks, each an 8-byte header (version 0, compressed length u24 LE, compression scheme u8,
uncompressed length u24 LE) then its data, followed by a footer that starts with ``XETBLOB``. Schemes: 0 none,
1 LZ4 frame, 2 byte-grouping-4 then LZ4 frame.

A shard is a 48-byte header (a 32-byte tag, version u64, footer size u64), a file-info section and a xorb-info
section of 48-byte records, each section closed by a record whose hash is all 0xFF, then a footer whose second
and third u64 are the offsets of the two sections. A file record is (file hash, flags u32, n u32, 8 unused), then
n segments (xorb hash, flags u32, unpacked bytes u32, first chunk u32, end chunk u32), then n verification
records when flag bit 31 is set and one metadata record (sha256 first) when bit 30 is set. A xorb record is
(xorb hash, flags u32, n u32, bytes in xorb u32, bytes on disk u32) then n chunk records (chunk hash, byte
offset u32, unpacked bytes u32, flags u32, unused u32); flag bit 31 of a chunk marks it for global dedup.
"""

from __future__ import annotations

import struct
import time
from dataclasses import dataclass, field

RECORD = 48
HEADER = 48
BOOKEND = b"\xff" * 32
SHARD_TAG = b"HFRepoMetaData\x00" + bytes([85, 105, 103, 69, 106, 123, 129, 87, 131, 165, 189, 217, 92, 205, 209, 74,
                                           169])  # the format's magic number
XORB_FOOTER_IDENT = b"XETBLOB"
CHUNK_HEADER = 8
MAX_CHUNK_BYTES = 128 * 1024  # xet-core's largest chunk (uncompressed); a compressed one may take twice that
FILE_FLAG_VERIFICATION = 1 << 31
FILE_FLAG_METADATA_EXT = 1 << 30
CHUNK_FLAG_GLOBAL_DEDUP = 1 << 31


class XetFormatError(ValueError):
    """A xorb or shard that cannot be read."""


def hash_hex(raw: bytes) -> str:
    """The text form of a 32-byte hash: each little-endian u64 word as 16 hex digits."""
    return "".join(f"{int.from_bytes(raw[i:i + 8], 'little'):016x}" for i in range(0, 32, 8))


def is_hash_hex(text: str) -> bool:
    return len(text) == 64 and all(c in "0123456789abcdef" for c in text)


# ------------------------------------------------------------------------------------------------------- xorbs
def xorb_chunk_offsets(data: bytes) -> list[int]:
    """The byte offset of every chunk of a xorb, plus the end of the last one (``n + 1`` numbers)."""
    offsets, pos = [], 0
    while pos < len(data) and not data.startswith(XORB_FOOTER_IDENT, pos):
        if pos + CHUNK_HEADER > len(data) or data[pos] != 0:
            raise XetFormatError(f"xorb chunk header at byte {pos} is not a version-0 chunk header")
        compressed = int.from_bytes(data[pos + 1:pos + 4], "little")
        uncompressed = int.from_bytes(data[pos + 5:pos + 8], "little")
        if data[pos + 4] not in (0, 1, 2) or uncompressed > MAX_CHUNK_BYTES or compressed > 2 * MAX_CHUNK_BYTES:
            raise XetFormatError(f"xorb chunk at byte {pos}: scheme {data[pos + 4]}, {compressed} bytes compressed, "
                                 f"{uncompressed} uncompressed: not a valid chunk")
        offsets.append(pos)
        pos += CHUNK_HEADER + compressed
    if pos > len(data) or not offsets:
        raise XetFormatError("xorb truncated or empty")
    return offsets + [pos]


def decode_chunks(data: bytes) -> list[bytes]:
    """The uncompressed chunks of a run of serialized chunks (a whole xorb, or a byte range of one)."""
    import lz4.frame

    out, pos = [], 0
    while pos < len(data) and not data.startswith(XORB_FOOTER_IDENT, pos):
        scheme = data[pos + 4]
        compressed = int.from_bytes(data[pos + 1:pos + 4], "little")
        uncompressed = int.from_bytes(data[pos + 5:pos + 8], "little")
        body = data[pos + CHUNK_HEADER:pos + CHUNK_HEADER + compressed]
        if scheme == 0:
            chunk = body
        elif scheme == 1:
            chunk = lz4.frame.decompress(body)
        elif scheme == 2:
            chunk = _bg4_regroup(lz4.frame.decompress(body))
        else:
            raise XetFormatError(f"unknown chunk compression scheme {scheme}")
        if len(chunk) != uncompressed:
            raise XetFormatError(f"chunk at byte {pos} decodes to {len(chunk)} bytes, its header says {uncompressed}")
        out.append(chunk)
        pos += CHUNK_HEADER + compressed
    return out


def _bg4_regroup(data: bytes) -> bytes:
    """Undo byte grouping: the four groups (bytes 0, 1, 2, 3 modulo 4) stored one after the other."""
    n = len(data)
    out = bytearray(n)
    start = 0
    for i in range(4):
        size = len(range(i, n, 4))
        out[i::4] = data[start:start + size]
        start += size
    return bytes(out)


# ------------------------------------------------------------------------------------------------------ shards
@dataclass
class Segment:
    xorb: str
    unpacked: int
    chunk_start: int
    chunk_end: int


@dataclass
class FileInfo:
    hash: str
    segments: list[Segment]
    sha256: str | None = None

    @property
    def size(self) -> int:
        return sum(s.unpacked for s in self.segments)


@dataclass
class XorbInfo:
    hash: str
    chunks: list[tuple[str, int, int, int]] = field(default_factory=list)  # (chunk hash, offset, unpacked, flags)
    raw: bytes = b""  # its records as stored in the shard (header, then one per chunk)


def parse_shard(data: bytes) -> tuple[list[FileInfo], list[XorbInfo]]:
    """The file reconstructions and xorb chunk lists of a shard (as uploaded, without a footer, or whole)."""
    if len(data) < HEADER + 2 * RECORD:
        raise XetFormatError("shard too short")
    version, footer_size = struct.unpack_from("<QQ", data, 32)
    if version != 2 or footer_size > len(data) - HEADER:
        raise XetFormatError(f"shard header: version {version}, footer of {footer_size} bytes: not a shard")
    if footer_size == 0:  # uploads carry the two sections only, one after the other
        files, xorb_offset = _files(data, HEADER, len(data))
        return files, _xorbs(data, xorb_offset, len(data))
    footer = len(data) - footer_size
    _, file_offset, xorb_offset = struct.unpack_from("<QQQ", data, footer)
    if not HEADER <= file_offset <= xorb_offset <= footer:
        raise XetFormatError("shard footer: section offsets out of order")
    return _files(data, file_offset, xorb_offset)[0], _xorbs(data, xorb_offset, footer)


def build_shard(xorb_records: list[bytes], expiry: int) -> bytes:
    """A whole shard (sections, lookup tables and footer) holding the given xorb records (each a header record
    and its chunk records, as :attr:`XorbInfo.raw`) and no file: the answer to a global dedup query, which the
    client stores and searches through its lookup tables."""
    ordered = sorted(xorb_records, key=lambda raw: struct.unpack_from("<QQQQ", raw))
    file_section = BOOKEND + bytes(16)
    xorb_section = b"".join(ordered) + BOOKEND + bytes(16)
    xorb_keys, chunk_keys, index = [], [], 0
    for raw in ordered:
        chunks = len(raw) // RECORD - 1
        xorb_keys.append(struct.pack("<QI", struct.unpack_from("<Q", raw)[0], index))
        chunk_keys += [(struct.unpack_from("<Q", raw, RECORD * (i + 1))[0], index, i) for i in range(chunks)]
        index += 1 + chunks
    chunk_keys.sort(key=lambda k: k[0])
    xorb_lookup = b"".join(xorb_keys)
    chunk_lookup = b"".join(struct.pack("<QII", *k) for k in chunk_keys)
    xorb_offset = HEADER + len(file_section)
    lookups_at = xorb_offset + len(xorb_section)
    footer_at = lookups_at + len(xorb_lookup) + len(chunk_lookup)
    footer = (struct.pack("<9Q", 1, HEADER, xorb_offset, lookups_at, 0, lookups_at, len(xorb_keys),
                          lookups_at + len(xorb_lookup), len(chunk_keys))
              + bytes(32) + struct.pack("<QQ", int(time.time()), expiry) + bytes(48)
              + struct.pack("<4Q", 0, 0, 0, footer_at))
    header = SHARD_TAG + struct.pack("<QQ", 2, len(footer))
    return header + file_section + xorb_section + xorb_lookup + chunk_lookup + footer


def _record(data: bytes, pos: int, end: int) -> bytes:
    if pos + RECORD > end:
        raise XetFormatError(f"shard record at byte {pos} runs past its section")
    return data[pos:pos + RECORD]


def _files(data: bytes, pos: int, end: int) -> tuple[list[FileInfo], int]:
    files = []
    while True:
        head = _record(data, pos, end)
        pos += RECORD
        if head[:32] == BOOKEND:
            return files, pos
        flags, count = struct.unpack_from("<II", head, 32)
        segments = []
        for _ in range(count):
            rec = _record(data, pos, end)
            pos += RECORD
            _, unpacked, start, stop = struct.unpack_from("<IIII", rec, 32)
            if stop <= start:
                raise XetFormatError(f"file {hash_hex(head[:32])}: empty chunk range {start}..{stop}")
            segments.append(Segment(hash_hex(rec[:32]), unpacked, start, stop))
        if flags & FILE_FLAG_VERIFICATION:
            pos += RECORD * count
        sha256 = None
        if flags & FILE_FLAG_METADATA_EXT:
            sha256 = hash_hex(_record(data, pos, end)[:32])  # stored as a hash: four little-endian words
            pos += RECORD
        files.append(FileInfo(hash_hex(head[:32]), segments, sha256))


def _xorbs(data: bytes, pos: int, end: int) -> list[XorbInfo]:
    xorbs = []
    while True:
        head = _record(data, pos, end)
        pos += RECORD
        if head[:32] == BOOKEND:
            return xorbs
        _, count = struct.unpack_from("<II", head, 32)
        info = XorbInfo(hash_hex(head[:32]), raw=data[pos - RECORD:pos + RECORD * count])
        for _ in range(count):
            rec = _record(data, pos, end)
            pos += RECORD
            offset, unpacked, flags, _ = struct.unpack_from("<IIII", rec, 32)
            info.chunks.append((hash_hex(rec[:32]), offset, unpacked, flags))
        xorbs.append(info)
