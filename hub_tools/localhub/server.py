"""The HTTP server of the local Hub, in a thread (:class:`LocalHub`) or a child process (:class:`LocalHubProcess`).

The transport is uvicorn (its h11 protocol) under a one-route Starlette app: a maintained HTTP/1.1
implementation parses requests, chunked bodies and keep-alive, while :class:`~.api.HubApp` keeps answering
:class:`~.http.Request` objects in a worker thread. Limits, each a 4xx or a closed connection and never a hang:

* **headers** must arrive within ``header_timeout`` of the connection opening (or of the previous answer on a
  kept-alive connection): a client trickling bytes is cut off (h11 bounds their size: 64 KiB, then 400);
* **bodies** arrive chunk by chunk with at most ``body_timeout`` between chunks, at an average of at least
  ``min_body_rate`` bytes/s once ``body_grace`` seconds have passed, and (all but file uploads) whole within
  ``body_deadline`` (else 408 and close). Time spent waiting for the client is what counts, so a request queued
  behind others is not cut off for the server's own delay. A ``Content-Length`` above the route's cap is refused
  with 413 before a byte is read (file uploads ``max_file_bytes``, commits ``max_request_bytes``, any other JSON
  body ``max_json_bytes``); bodies are streamed to the handler, never held whole unless they are below the cap;
* **workers**: a body that has not arrived whole in its first megabyte (read on the event loop, holding no
  thread) is handled by a small pool of ``stream_workers`` threads, so slow uploaders can hold at most that
  share of threads while health checks and reads keep the other ``worker_threads``;
* **connections** are bounded (``max_connections``; beyond it uvicorn answers 503), idle ones are closed after
  ``keep_alive_timeout``;
* a client that leaves stops its body read (the handler sees a 400 and writes nothing) and its download.

Each answer carries an ``X-Request-Id``. Known errors become 4xx answers with ``X-Error-Code``; anything
unexpected is logged with its traceback and answered 500.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Mapping

import uvicorn
from starlette.applications import Starlette
from starlette.datastructures import Headers
from starlette.routing import Route
from uvicorn.protocols.http.h11_impl import H11Protocol

from . import errors
from .api import DEFAULT_MAX_JSON_BYTES, BodyRule, HubApp, HubConfig
from .auth import TokenStore
from .http import BodyGone, BodyReader, Request, Response, header_safe
from .storage import DEFAULT_LFS_THRESHOLD, Storage

logger = logging.getLogger(__name__)

DEFAULT_MAX_REQUEST_BYTES = 512 * 1024 * 1024
DEFAULT_MAX_FILE_BYTES = 50 * 1024 * 1024 * 1024
DEFAULT_HEADER_TIMEOUT = 20.0
DEFAULT_BODY_TIMEOUT = 60.0
DEFAULT_BODY_DEADLINE = 120.0  # a whole non-upload body (JSON, NDJSON commit), in seconds of waiting for it
DEFAULT_MIN_BODY_RATE = 16 * 1024  # bytes/s averaged over the time spent waiting for the body...
DEFAULT_BODY_GRACE = 10.0  # ...checked once this many seconds have been spent waiting
DEFAULT_WORKER_THREADS = 32
DEFAULT_STREAM_WORKERS = 8
DEFAULT_KEEP_ALIVE_TIMEOUT = 15.0
DEFAULT_MAX_CONNECTIONS = 8192
MAX_HEADER_BYTES = 64 * 1024
PULL_BYTES = 1024 * 1024  # body bytes gathered per hand-over to the handler thread
SEND_BYTES = 1024 * 1024


class _HeaderDeadlineProtocol(H11Protocol):
    """uvicorn's h11 protocol, plus a deadline for a request's headers (uvicorn has none: a client sending one
    byte every few seconds would hold its connection forever)."""

    header_timeout = DEFAULT_HEADER_TIMEOUT

    def connection_made(self, transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_timer = None
        self._arm_header_deadline()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing():
            self._arm_header_deadline()

    def connection_lost(self, exc) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
        super().connection_lost(exc)

    def _arm_header_deadline(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
        waiting_after = self.scope
        self._header_timer = self.loop.call_later(self.header_timeout, self._header_deadline, waiting_after)

    def _header_deadline(self, waiting_after) -> None:
        self._header_timer = None
        if self.scope is waiting_after and not self.transport.is_closing():  # no new request since: cut it off
            self.transport.close()


async def _disconnected(receive) -> None:
    """Return once the client has gone (messages left of the request body are skipped)."""
    while (await receive())["type"] != "http.disconnect":
        pass


class _BodyClock:
    """The time limits of one request body, counted in seconds spent waiting for the client: at most
    ``body_timeout`` between two chunks, an average of ``min_body_rate`` bytes/s once ``body_grace`` seconds have
    been waited, and the whole body within ``body_deadline`` (not for file uploads: their size varies too much,
    the rate floor bounds them)."""

    def __init__(self, hub: "LocalHub", rule: BodyRule) -> None:
        self.idle = hub.body_timeout
        self.rate, self.grace = hub.min_body_rate, hub.body_grace
        self.deadline = None if rule.upload else hub.body_deadline
        self.received = 0
        self.waited = 0.0

    async def receive(self, receive) -> dict:
        floor = max(self.grace, self.received / self.rate) - self.waited if self.rate else self.idle
        limits = [(self.idle, f"Request body stalled for more than {self.idle:g} s"),
                  (floor, f"Request body too slow: {self.received} bytes in {self.waited:.0f} s (at least "
                          f"{self.rate} bytes/s are expected)")]
        if self.deadline is not None:
            limits.append((self.deadline - self.waited, f"Request body not received within {self.deadline:g} s"))
        wait, reason = min(limits, key=lambda item: item[0])
        loop = asyncio.get_running_loop()
        started = loop.time()
        try:
            async with asyncio.timeout(max(wait, 0.0)):
                return await receive()
        except TimeoutError:
            raise BodyGone(errors.HubError(408, "RequestTimeout", reason)) from None
        finally:
            self.waited += loop.time() - started


class _Transport:
    """The ASGI side: turns a Starlette request into a :class:`Request`, runs the handler in a worker thread,
    and sends its :class:`Response`."""

    def __init__(self, hub: "LocalHub", workers: ThreadPoolExecutor, stream_workers: ThreadPoolExecutor) -> None:
        self.hub = hub
        self.workers = workers  # handlers block on disk (fsync): they run here, never on the event loop
        self.stream_workers = stream_workers  # handlers that still pull their body from the client

    async def _in_thread(self, fn, *args, pool: ThreadPoolExecutor | None = None):
        return await asyncio.get_running_loop().run_in_executor(pool or self.workers, fn, *args)

    async def __call__(self, scope, receive, send) -> None:
        hub = self.hub
        started = time.perf_counter()
        request_id = uuid.uuid4().hex
        headers = Headers(scope=scope)
        method = scope["method"]
        target = scope.get("raw_path", scope["path"].encode()).decode("latin-1")
        if scope.get("query_string"):
            target += "?" + scope["query_string"].decode("latin-1")
        rule = hub.app.body_rule(method, target.split("?", 1)[0])
        body, response = await self._body_reader(headers, receive, rule)
        streaming = not body.consumed and body.more  # the rest of the body is still with the client
        if response is None:
            host = headers.get("host") or f"{hub.host}:{hub.port}"
            req = Request.build(method, target, headers, body, f"http://{host}", rule.limit)
            response = await self._in_thread(self._handle, req, pool=self.stream_workers if streaming else None)
        if not body.consumed and not body.broken:
            await self._in_thread(body.drain, pool=self.stream_workers if body.more else None)
        hub._record(method, target, response.status, time.perf_counter() - started)
        await self._send(scope, receive, send, response, body, request_id)

    async def _body_reader(self, headers: Headers, receive, rule: BodyRule) -> tuple[BodyReader, Response | None]:
        hub = self.hub
        drain_limit = max(4 * hub.config.max_request_bytes, 64 << 20)
        length_text = headers.get("content-length")
        chunked = "chunked" in (headers.get("transfer-encoding") or "").lower()
        if length_text is not None and not chunked and not (length_text.isascii() and length_text.isdigit()):
            return BodyReader.empty(), Response.error(errors.bad_request("Invalid Content-Length"))
        length = int(length_text) if length_text is not None and not chunked else None
        if length == 0 or (length is None and not chunked):
            return BodyReader.empty(), None
        if length is not None and length > rule.limit:  # refused before a byte is read; the connection closes
            refused = BodyReader.empty()
            refused.broken = True
            return refused, Response.error(errors.too_large(
                f"Request body too large: Content-Length {length} is above the limit of this route "
                f"({rule.limit} bytes)"))
        clock = _BodyClock(hub, rule)

        async def pull() -> tuple[bytes, bool]:
            parts, size = [], 0
            while True:
                message = await clock.receive(receive)
                if message["type"] == "http.disconnect":
                    raise BodyGone(errors.bad_request("Client disconnected before the end of its body"))
                parts.append(message.get("body", b""))
                size += len(parts[-1])
                clock.received += len(parts[-1])
                more = message.get("more_body", False)
                if not more or size >= PULL_BYTES:
                    return b"".join(parts), more

        try:  # the first megabyte now, on the event loop: most bodies then reach the handler whole
            first, more = await pull()
        except BodyGone as gone:
            reader = BodyReader.empty()
            reader.broken = True
            return reader, Response.error(gone.error)
        loop = asyncio.get_running_loop()

        def pull_from_thread() -> tuple[bytes, bool]:
            return asyncio.run_coroutine_threadsafe(pull(), loop).result()

        return BodyReader(pull_from_thread, length, drain_limit, first, more), None

    def _handle(self, req: Request) -> Response:
        hub = self.hub
        try:
            return hub.app.handle(req)
        except errors.HubError as err:
            if err.status >= 500:
                logger.error("%s %s -> %s %s", req.method, req.raw_path, err.status, err.message)
            return Response.error(err)
        except Exception:  # a genuine bug: log it with its traceback, answer 500
            logger.exception("internal error on %s %s", req.method, req.raw_path)
            req.body.broken = True
            return Response.error(errors.HubError(500, "InternalError", "Internal server error (see server log)"))

    async def _send(self, scope, receive, send, resp: Response, body: BodyReader, request_id: str) -> None:
        length = resp.length if resp.file is not None else len(resp.body)
        headers = [(k.lower().encode("ascii"), header_safe(v, 8000).encode("latin-1")) for k, v in resp.headers.items()]
        headers += [(b"content-length", str(length).encode()), (b"x-request-id", request_id.encode())]
        if body.broken:
            headers.append((b"connection", b"close"))
        await send({"type": "http.response.start", "status": resp.status, "headers": headers})
        if scope["method"] == "HEAD" or resp.status in (204, 304) or resp.file is None:
            await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else resp.body})
            return
        await self._send_file(receive, send, resp)

    async def _send_file(self, receive, send, resp: Response) -> None:
        """Stream a file slice; stop as soon as the client has gone."""
        gone = asyncio.ensure_future(_disconnected(receive))
        try:
            with open(resp.file, "rb") as fh:
                await self._in_thread(fh.seek, resp.offset)
                remaining = resp.length
                while remaining > 0 and not gone.done():
                    chunk = await self._in_thread(fh.read, min(SEND_BYTES, remaining))
                    if not chunk:
                        break
                    remaining -= len(chunk)
                    await send({"type": "http.response.body", "body": chunk, "more_body": remaining > 0})
                if remaining > 0 and not gone.done():
                    await send({"type": "http.response.body", "body": b"", "more_body": False})
        finally:
            gone.cancel()


class LocalHub:
    """A local Hugging Face Hub server running in a background thread of this process.

    >>> with LocalHub("/tmp/hub", tokens={"hf_x": {"user": "alice", "orgs": ["org"]}}) as hub:
    ...     HfApi(endpoint=hub.url, token="hf_x").create_repo("alice/m")

    ``xet=True`` (the default) serves the Xet token endpoints and CAS (:mod:`.xet`), so clients upload and download
    as they do with huggingface.co; clients with ``HF_HUB_DISABLE_XET=1`` use the LFS endpoints, which stay.
    ``regular_only=True`` answers "regular" to every preupload, so clients never need Xet or LFS: content then
    travels base64 inside the commit.
    ``request_log`` records ``{"method", "path", "status", "duration_s"}`` for every request (newest last;
    written before the response is sent, ``duration_s`` is the handling time without the body transfer);
    :meth:`count_requests` filters it.
    """

    def __init__(self, root: str | os.PathLike, host: str = "127.0.0.1", port: int = 0,
                 tokens: Mapping[str, Mapping] | None = None, token_file: str | os.PathLike | None = None,
                 max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
                 lfs_threshold_bytes: int = DEFAULT_LFS_THRESHOLD, tree_page_size: int = 50,
                 commits_page_size: int = 50, regular_only: bool = False,
                 header_timeout: float = DEFAULT_HEADER_TIMEOUT, body_timeout: float = DEFAULT_BODY_TIMEOUT,
                 keep_alive_timeout: float = DEFAULT_KEEP_ALIVE_TIMEOUT,
                 max_connections: int = DEFAULT_MAX_CONNECTIONS, body_deadline: float = DEFAULT_BODY_DEADLINE,
                 min_body_rate: int = DEFAULT_MIN_BODY_RATE, body_grace: float = DEFAULT_BODY_GRACE,
                 max_json_bytes: int = DEFAULT_MAX_JSON_BYTES, worker_threads: int = DEFAULT_WORKER_THREADS,
                 stream_workers: int = DEFAULT_STREAM_WORKERS, xet: bool = True,
                 before_ref_move: Callable[[str], None] | None = None) -> None:
        self.root = Path(root)
        self.host = host
        self.port = port
        self.config = HubConfig(max_request_bytes=max_request_bytes, max_file_bytes=max_file_bytes,
                                tree_page_size=tree_page_size, commits_page_size=commits_page_size,
                                max_json_bytes=max_json_bytes)
        self.tokens = TokenStore(tokens, token_file)
        self.storage = Storage(self.root, lfs_threshold=lfs_threshold_bytes, regular_only=regular_only,
                               before_ref_move=before_ref_move)
        self.app = HubApp(self.storage, self.tokens, self.config, xet=xet)
        self.header_timeout = header_timeout
        self.body_timeout = body_timeout
        self.keep_alive_timeout = keep_alive_timeout
        self.max_connections = max_connections
        self.body_deadline = body_deadline
        self.min_body_rate = min_body_rate
        self.body_grace = body_grace
        self.worker_threads = worker_threads  # handlers running at once; more queue (the connections stay open)
        self.stream_workers = stream_workers  # of which handlers still reading a body from the client
        self.request_log: list[dict] = []
        self._log_lock = threading.Lock()
        self._server: uvicorn.Server | None = None
        self._workers: ThreadPoolExecutor | None = None
        self._stream_workers: ThreadPoolExecutor | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _asgi_app(self) -> Starlette:
        transport = _Transport(self, self._workers, self._stream_workers)
        # One route for every method: unknown ones reach the Hub app too (404 with X-Error-Code, X-Request-Id).
        return Starlette(routes=[Route("/{path:path}", transport)])

    def _uvicorn_config(self) -> uvicorn.Config:
        protocol = type("HubProtocol", (_HeaderDeadlineProtocol,), {"header_timeout": self.header_timeout})
        return uvicorn.Config(
            self._asgi_app(), http=protocol, loop="asyncio", lifespan="off", log_config=None, access_log=False,
            server_header=False, date_header=True, timeout_keep_alive=max(1, round(self.keep_alive_timeout)),
            limit_concurrency=self.max_connections, backlog=4096, h11_max_incomplete_event_size=MAX_HEADER_BYTES,
            timeout_graceful_shutdown=1)

    def start(self) -> "LocalHub":
        if self._server is not None:
            return self
        # proto=IPPROTO_TCP: asyncio then sets TCP_NODELAY on accepted sockets (headers and body go out in separate
        # writes; with Nagle and delayed ACKs every answer would wait ~40 ms).
        sock = socket.socket(socket.AF_INET6 if ":" in self.host else socket.AF_INET, socket.SOCK_STREAM,
                             socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        sock.listen(4096)
        self.port = sock.getsockname()[1]
        self._workers = ThreadPoolExecutor(max_workers=self.worker_threads, thread_name_prefix=f"localhub-{self.port}")
        self._stream_workers = ThreadPoolExecutor(max_workers=self.stream_workers,
                                                  thread_name_prefix=f"localhub-{self.port}-body")
        server = uvicorn.Server(self._uvicorn_config())
        failure: list[BaseException] = []

        def run() -> None:
            try:
                asyncio.run(server.serve(sockets=[sock]))
            except BaseException as exc:  # noqa: BLE001 (reported to start() below, then re-raised there)
                failure.append(exc)

        self._server = server
        self._thread = threading.Thread(target=run, name=f"localhub-{self.port}", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 30
        while not server.started and self._thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        if not server.started:
            self._server, self._thread = None, None
            sock.close()
            raise RuntimeError(f"local Hub did not start at {self.url}: {failure[0] if failure else 'timeout'}")
        logger.info("local Hub serving %s at %s (%d tokens)", self.root, self.url, len(self.tokens))
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.should_exit = True
        self._server.force_exit = True
        if self._thread is not None:
            self._thread.join(timeout=15)
        for pool in (self._workers, self._stream_workers):
            if pool is not None:
                pool.shutdown(wait=False, cancel_futures=True)
        self._server, self._thread, self._workers, self._stream_workers = None, None, None, None
        logger.info("local Hub at %s stopped", self.url)

    def serve_forever(self) -> None:
        """Run in the calling thread until interrupted (used by the CLI)."""
        self.start()
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(0.5)
        finally:
            self.stop()

    def __enter__(self) -> "LocalHub":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ------------------------------------------------------------------------------------------ request log
    def _record(self, method: str, target: str, status: int, duration: float) -> None:
        path = target.split("?", 1)[0]  # the query may carry an upload signature: never log it
        entry = {"method": method, "path": path, "status": status, "duration_s": round(duration, 6)}
        with self._log_lock:
            self.request_log.append(entry)
            if len(self.request_log) > 200_000:
                del self.request_log[:100_000]
        logger.debug("%s %s -> %d (%.1f ms)", method, path, status, duration * 1000)

    def count_requests(self, method: str | None = None, path_contains: str | None = None) -> int:
        """How many logged requests match ``method`` and contain ``path_contains`` in their path."""
        with self._log_lock:
            entries = list(self.request_log)
        return sum(1 for e in entries if (method is None or e["method"] == method)
                   and (path_contains is None or path_contains in e["path"]))

    def clear_request_log(self) -> None:
        with self._log_lock:
            self.request_log.clear()


class LocalHubProcess:
    """The same server in a child process (``python -m hub_tools.localhub serve``), for crash tests and CLIs.

    ``start()`` returns once the server answers; ``stop()`` sends SIGTERM, ``kill()`` SIGKILL. Tokens are passed
    in a 0600 temporary file, never on the command line. ``env`` adds environment variables for the child;
    ``launcher`` replaces ``["-m", "hub_tools.localhub"]`` (a crash test runs a module wrapping the same CLI).
    """

    def __init__(self, root: str | os.PathLike, host: str = "127.0.0.1", port: int = 0,
                 tokens: Mapping[str, Mapping] | None = None, token_file: str | os.PathLike | None = None,
                 max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
                 env: Mapping[str, str] | None = None, startup_timeout: float = 60.0,
                 extra_args: list[str] | None = None, xet: bool = True,
                 launcher: list[str] | None = None) -> None:
        self.root = Path(root)
        self.host = host
        self.port = port
        self.tokens = dict(tokens or {})
        self.token_file = token_file
        self.max_request_bytes = max_request_bytes
        self.max_file_bytes = max_file_bytes
        self.env = dict(env or {})
        self.startup_timeout = startup_timeout
        self.extra_args = list(extra_args or [])  # more ``serve`` options, e.g. ["--body-timeout", "2"]
        self.xet = xet
        # What runs the server, after the interpreter: a test may name its own module wrapping the same CLI.
        self.launcher = list(launcher or ["-m", "hub_tools.localhub"])
        self.proc: subprocess.Popen | None = None
        self.log_path = self.root / "server.log"  # the child's stdout/stderr (appended across restarts)
        self._tmpdir: tempfile.TemporaryDirectory | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _command(self, ready_file: Path) -> list[str]:
        cmd = [sys.executable, *self.launcher, "serve", "--root", str(self.root), "--host", self.host,
               "--port", str(self.port), "--max-request-bytes", str(self.max_request_bytes),
               "--max-file-bytes", str(self.max_file_bytes), "--ready-file", str(ready_file)]
        if self.tokens:
            path = Path(self._tmpdir.name) / "tokens.json"
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as fh:
                json.dump({"tokens": self.tokens}, fh)
            cmd += ["--token-file", str(path)]
        if self.token_file:
            cmd += ["--token-file", str(self.token_file)]
        return cmd + ([] if self.xet else ["--no-xet"]) + self.extra_args

    def start(self) -> "LocalHubProcess":
        self.root.mkdir(parents=True, exist_ok=True)
        self._tmpdir = tempfile.TemporaryDirectory(prefix="localhub-proc-")
        ready = Path(self._tmpdir.name) / "ready"
        env = {**os.environ, **self.env}
        src_root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = src_root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(self._command(ready), stdout=log, stderr=subprocess.STDOUT, env=env)
        self._wait_ready(ready)
        return self

    def _wait_ready(self, ready: Path) -> None:
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"local Hub exited with {self.proc.returncode}; see {self.log_path}")
            if ready.exists() and ready.read_text().strip():
                self.port = int(json.loads(ready.read_text())["port"])
                if self._answers():
                    return
            time.sleep(0.05)
        self.kill()
        raise TimeoutError(f"local Hub did not answer within {self.startup_timeout} s; see {self.log_path}")

    def _answers(self) -> bool:
        try:
            with urllib.request.urlopen(f"{self.url}/api/health", timeout=2) as resp:
                return resp.status == 200
        except OSError:
            return False

    def stop(self, timeout: float = 10.0) -> None:
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self._cleanup()

    def kill(self) -> None:
        """SIGKILL the server (no clean-up on its side: for crash tests)."""
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()
        self._cleanup()

    def _cleanup(self) -> None:
        self.proc = None
        if self._tmpdir is not None:
            self._tmpdir.cleanup()
            self._tmpdir = None

    def __enter__(self) -> "LocalHubProcess":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
