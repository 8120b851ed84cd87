"""Small HTTP plumbing for the local Hub: the request and response objects the API works with.

The request keeps the *raw* path segments (still percent-encoded), so that a revision sent as ``dev%2Fx`` stays
one segment; each segment is decoded on its own when it is used. Bodies are read lazily and capped: JSON/NDJSON
bodies by ``max_request_bytes`` (413 beyond), LFS uploads are streamed to disk. The transport (``server.py``,
uvicorn + Starlette) feeds the body in through :class:`BodyReader`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import parse_qs, unquote, urlsplit

from . import errors

_DIGITS_RE = re.compile(r"\A[0-9]{1,12}\Z")


def seg(raw: str) -> str:
    """Decode one raw path segment (``%2F`` becomes ``/``); 400 when it is not valid UTF-8."""
    try:
        return unquote(raw, errors="strict")
    except UnicodeDecodeError:
        raise errors.bad_request(f"Invalid percent-encoding in URL segment {raw!r}") from None


MAX_JSON_ITEMS = 200_000  # strings, objects and arrays in one JSON document


def load_json(raw: bytes | str, what: str) -> Any:
    """Parse JSON; 400 when it is malformed, nested too deeply, holds text that is not valid UTF-8, or has more
    than ``MAX_JSON_ITEMS`` strings, objects and arrays. That count is taken on the raw text before parsing: those
    items are what costs memory (a two-byte ``{}`` becomes a 64-byte dict), so the parsed document stays within
    a small multiple of the body's size."""
    data_bytes = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    items = data_bytes.count(b'"') // 2 + data_bytes.count(b"{") + data_bytes.count(b"[")
    if items > MAX_JSON_ITEMS:
        raise errors.too_large(f"{what[:1].upper()}{what[1:]} too large: about {items} strings, objects and arrays "
                               f"(at most {MAX_JSON_ITEMS})")
    try:
        data = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise errors.bad_request(f"Malformed {what}: {exc}") from None
    except RecursionError:
        raise errors.bad_request(f"Malformed {what}: nested too deeply") from None
    check_json_text(data, what)
    return data


_TYPE_NAMES = {str: "a string", bool: "a boolean", int: "an integer", list: "a list", dict: "an object"}


def check_types(body: dict[str, Any], expected: dict[str, type | tuple[type, ...]]) -> None:
    """400 naming the first field of a JSON ``body`` whose value (when given and not null) has the wrong type
    (``true`` is not an integer)."""
    for key, kinds in expected.items():
        value = body.get(key)
        if value is None:
            continue
        kinds = kinds if isinstance(kinds, tuple) else (kinds,)
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds):
            wanted = " or ".join(_TYPE_NAMES[k] for k in kinds)
            raise errors.bad_request(f"Invalid field '{key}': expected {wanted}, got {type(value).__name__}")


def check_json_text(data: Any, what: str) -> None:
    """400 when a string (or key) anywhere in ``data`` is not valid UTF-8, e.g. a lone ``"\\ud800"``; iterative,
    so a deep structure costs no recursion."""
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            _check_str(item, what)
        elif isinstance(item, dict):
            for key, value in item.items():
                _check_str(key, what)
                stack.append(value)
        elif isinstance(item, list):
            stack.extend(item)


def _check_str(text: str, what: str) -> None:
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            raise errors.bad_request(f"Invalid {what}: text is not valid UTF-8 (lone surrogate)") from None


def header_safe(text: str, limit: int = 1000) -> str:
    """Text fit for a header value: latin-1, no control characters, bounded length."""
    text = "".join(c if 32 <= ord(c) != 127 else " " for c in text)
    return text.encode("latin-1", "replace").decode("latin-1")[:limit].strip()  # h11: no edge whitespace


def parse_range(header: str, size: int) -> tuple[int | None, int | None]:
    """A single ``bytes=a-b`` / ``a-`` / ``-n`` range of ``size`` bytes as (first, last), both included;
    (None, None) means serve the whole thing (no range, several, or malformed); 416 when it is outside."""
    match = re.fullmatch(r"\s*bytes=(\d*)-(\d*)\s*", header)
    if not match or (not match.group(1) and not match.group(2)):
        return None, None
    first, last = match.group(1), match.group(2)
    if first:
        start, end = int(first), min(int(last), size - 1) if last else size - 1
        outside = start >= size or (last and int(last) < start)
    else:
        start, end = max(0, size - int(last)), size - 1
        outside = int(last) == 0 or size == 0
    if outside:
        err = errors.HubError(416, "RangeNotSatisfiable", f"Range {header!r} outside of 0-{size}")
        err.headers["Content-Range"] = f"bytes */{size}"
        raise err
    return start, end


class BodyGone(Exception):
    """The client left (or stalled past the body timeout) while its body was being read."""

    def __init__(self, error: errors.HubError) -> None:
        super().__init__(error.message)
        self.error = error


class BodyReader:
    """A request body pulled chunk by chunk from the server (``pull() -> (bytes, more)``), at most ``limit``
    bytes per reader; the ASGI layer supplies ``pull`` and enforces the idle timeout between chunks.

    ``first``/``more``: what the server already read (a small body arrives whole, with no hand-over between
    threads). ``broken`` is set when the connection must be closed after the answer (body left unread past the
    drain limit, client gone, body timeout)."""

    def __init__(self, pull: Callable[[], tuple[bytes, bool]] | None, declared_length: int | None,
                 drain_limit: int, first: bytes = b"", more: bool = True) -> None:
        self.pull = pull
        self.first, self.more = first, more
        self.length = declared_length
        self.drain_limit = drain_limit
        self.consumed = pull is None
        self._gen: Iterator[bytes] | None = None
        self.broken = False

    @classmethod
    def empty(cls) -> "BodyReader":
        return cls(None, 0, 0)

    def iter_chunks(self, limit: int) -> Iterator[bytes]:
        """Yield the body in chunks; 413 once more than ``limit`` bytes arrive (the rest is drained later)."""
        if self.consumed:
            return
        if self.length is not None and self.length > limit:
            raise errors.too_large(f"Request body too large: {self.length} bytes (limit {limit})")
        total = 0
        for chunk in self._source():
            total += len(chunk)
            if total > limit:
                raise errors.too_large(f"Request body too large: more than {limit} bytes")
            yield chunk

    def read(self, limit: int) -> bytes:
        return b"".join(self.iter_chunks(limit))

    def _source(self) -> Iterator[bytes]:
        if self._gen is None:
            self._gen = self._raw_chunks()
        return self._gen

    def _raw_chunks(self) -> Iterator[bytes]:
        if self.first:
            yield self.first
        while self.more:
            try:
                data, more = self.pull()
            except BodyGone as gone:
                self.broken = True
                raise gone.error from None
            if data:
                yield data
            self.more = more
        self.consumed = True

    def drain(self) -> None:
        """Read and discard what is left (up to ``drain_limit``), so the answer reaches the client cleanly."""
        if self.consumed or self.broken:
            return
        if self.length is not None and self.length > self.drain_limit:
            self.broken = True
            return
        total = 0
        try:
            for chunk in self._source():
                total += len(chunk)
                if total > self.drain_limit:
                    self.broken = True
                    return
        except errors.HubError:
            self.broken = True
        self.consumed = True


@dataclass
class Request:
    """One HTTP request, as the API sees it."""

    method: str
    raw_path: str
    query: dict[str, list[str]]
    headers: Any
    body: BodyReader
    base_url: str
    max_request_bytes: int
    identity: Any = None

    @classmethod
    def build(cls, method: str, target: str, headers, body: BodyReader, base_url: str, max_request_bytes: int):
        parts = urlsplit(target)
        return cls(method, parts.path, parse_qs(parts.query, keep_blank_values=True), headers, body, base_url,
                   max_request_bytes)

    @property
    def segments(self) -> list[str]:
        return [s for s in self.raw_path.split("/")][1:]

    def q(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def int_q(self, name: str, default: int) -> int:
        """A non-negative integer query parameter in ASCII digits (``?limit=²`` is a 400, not a crash)."""
        value = self.q(name)
        if value is None or value == "":
            return default
        if not _DIGITS_RE.match(value):
            raise errors.bad_request(f"Invalid query parameter {name}={value[:40]!r}: expected an integer")
        return int(value)

    def flag(self, name: str) -> bool:
        return (self.q(name) or "").lower() in ("1", "true", "yes")

    def read_body(self) -> bytes:
        return self.body.read(self.max_request_bytes)

    def json(self, default: Any = None) -> Any:
        raw = self.read_body()
        if not raw.strip():
            if default is not None:
                return default
            raise errors.bad_request("Expected a JSON body")
        return load_json(raw, "JSON body")

    def json_object(self, default: dict | None = None) -> dict:
        data = self.json(default)
        if not isinstance(data, dict):
            raise errors.bad_request("Expected a JSON object")
        return data

    def form(self) -> dict[str, list[str]]:
        raw = self.read_body()
        if raw.count(b"&") >= MAX_JSON_ITEMS:
            raise errors.too_large(f"Form body too large: more than {MAX_JSON_ITEMS} fields")
        try:
            return parse_qs(raw.decode("utf-8"), keep_blank_values=True, strict_parsing=False,
                            max_num_fields=MAX_JSON_ITEMS)
        except UnicodeDecodeError:
            raise errors.bad_request("Malformed form body") from None


@dataclass
class Response:
    """A response: JSON/bytes body, or a file slice sent with sendfile."""

    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    file: Path | None = None
    offset: int = 0
    length: int = 0

    @classmethod
    def json(cls, data: Any, status: int = 200, headers: dict | None = None,
             content_type: str = "application/json") -> "Response":
        try:
            body = json.dumps(data, ensure_ascii=False).encode()
        except UnicodeEncodeError:  # a lone surrogate stored before such text was refused: escape it, never 500
            body = json.dumps(data).encode()
        return cls(status, body, {"Content-Type": f"{content_type}; charset=utf-8", **(headers or {})})

    @classmethod
    def error(cls, err: errors.HubError) -> "Response":
        body = {"error": err.message, **err.extra}
        headers = {"X-Error-Code": err.code, "X-Error-Message": header_safe(err.message), **err.headers}
        return cls.json(body, err.status, headers)
