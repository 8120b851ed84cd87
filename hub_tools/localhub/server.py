"""The HTTP server of the local Hub, in a thread (:class:`LocalHub`) or a child process (:class:`LocalHubProcess`).

The server is the standard library's ``ThreadingHTTPServer`` speaking HTTP/1.1 with keep-alive: one thread per
connection, no dependency beyond PyYAML, and file bodies sent with ``sendfile``. It is enough for the HF clients
(which use a handful of connections) and keeps the project installable anywhere. Each request is handled in a
``try`` that turns known errors into 4xx answers with ``X-Error-Code``; anything unexpected is logged with its
traceback and answered 500. Request bodies are capped (413) and a body left unread is drained or the connection
closed, so a bad request never leaves a connection out of sync.
"""

from __future__ import annotations

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
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Mapping

from . import errors
from .api import HubApp, HubConfig
from .auth import TokenStore
from .http import BodyReader, Request, Response
from .storage import DEFAULT_LFS_THRESHOLD, Storage

logger = logging.getLogger(__name__)

DEFAULT_MAX_REQUEST_BYTES = 512 * 1024 * 1024
DEFAULT_MAX_FILE_BYTES = 50 * 1024 * 1024 * 1024


class _Handler(BaseHTTPRequestHandler):
    """One connection; every method goes through :meth:`_handle`."""

    protocol_version = "HTTP/1.1"
    server_version = "gaokerena-localhub/0.1"
    timeout = 300  # idle/read timeout of a connection, seconds

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes: without TCP_NODELAY, Nagle + delayed ACKs add ~40 ms.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:  # noqa: N802 (http.server naming)
        self._handle()

    do_HEAD = do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET

    def log_message(self, format: str, *args) -> None:  # noqa: A002 (signature of the base class)
        logger.debug("%s %s", self.address_string(), format % args)

    def _handle(self) -> None:
        hub: LocalHub = self.server.hub  # type: ignore[attr-defined]
        started = time.perf_counter()
        response, body = self._dispatch(hub)
        # Logged before the answer leaves: a client that has its response always finds its request in the log.
        hub._record(self.command, self.path, response.status, time.perf_counter() - started)
        try:
            self._send(response, body)
        except (BrokenPipeError, ConnectionResetError, socket.timeout):
            self.close_connection = True
        finally:
            if not body.consumed:
                body.drain()
            if body.broken:
                self.close_connection = True

    def _dispatch(self, hub: "LocalHub") -> tuple[Response, BodyReader]:
        try:
            body = BodyReader(self.rfile, self.headers, drain_limit=max(4 * hub.config.max_request_bytes, 64 << 20))
        except errors.HubError as err:
            body = BodyReader(self.rfile, {}, 0)
            body.broken = True
            return Response.error(err), body
        host = self.headers.get("Host") or f"{hub.host}:{hub.port}"
        req = Request.build(self.command, self.path, self.headers, body, f"http://{host}",
                            hub.config.max_request_bytes)
        try:
            return hub.app.handle(req), body
        except errors.HubError as err:
            if err.status >= 500:
                logger.error("%s %s -> %s %s", self.command, req.raw_path, err.status, err.message)
            return Response.error(err), body
        except (ConnectionError, socket.timeout) as exc:
            body.broken = True
            return Response.error(errors.HubError(400, "ConnectionError", f"Connection failed: {exc}")), body
        except Exception:  # a genuine bug: log it with its traceback, answer 500
            logger.exception("internal error on %s %s", self.command, req.raw_path)
            body.broken = True
            err = errors.HubError(500, "InternalError", "Internal server error (see server log)")
            return Response.error(err), body

    def _send(self, resp: Response, body: BodyReader) -> None:
        self.send_response(resp.status)
        length = resp.length if resp.file is not None else len(resp.body)
        for key, value in resp.headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(length))
        if self.close_connection or body.broken:
            self.close_connection = True
            self.send_header("Connection", "close")
        self.end_headers()
        if self.command == "HEAD" or resp.status in (204, 304):
            return
        if resp.file is None:
            self.wfile.write(resp.body)
            return
        with open(resp.file, "rb") as fh:
            if resp.length:
                self.connection.sendfile(fh, resp.offset, resp.length)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address, hub: "LocalHub") -> None:
        self.hub = hub
        self._connections: set[socket.socket] = set()
        self._conn_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request, client_address) -> None:
        with self._conn_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request) -> None:
        with self._conn_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_all_connections(self) -> None:
        with self._conn_lock:
            conns = list(self._connections)
            self._connections.clear()
        for conn in conns:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


class LocalHub:
    """A local Hugging Face Hub server running in a background thread of this process.

    >>> with LocalHub("/tmp/hub", tokens={"hf_x": {"user": "alice", "orgs": ["org"]}}) as hub:
    ...     HfApi(endpoint=hub.url, token="hf_x").create_repo("alice/m")

    ``regular_only=True`` answers "regular" to every preupload, so clients that keep Xet on (no
    ``HF_HUB_DISABLE_XET=1``) never need Xet or LFS: content then travels base64 inside the commit.
    ``request_log`` records ``{"method", "path", "status", "duration_s"}`` for every request (newest last;
    written before the response is sent, ``duration_s`` is the handling time without the body transfer);
    :meth:`count_requests` filters it.
    """

    def __init__(self, root: str | os.PathLike, host: str = "127.0.0.1", port: int = 0,
                 tokens: Mapping[str, Mapping] | None = None, token_file: str | os.PathLike | None = None,
                 max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
                 lfs_threshold_bytes: int = DEFAULT_LFS_THRESHOLD, tree_page_size: int = 50,
                 commits_page_size: int = 50, regular_only: bool = False) -> None:
        self.root = Path(root)
        self.host = host
        self.port = port
        self.config = HubConfig(max_request_bytes=max_request_bytes, max_file_bytes=max_file_bytes,
                                tree_page_size=tree_page_size, commits_page_size=commits_page_size)
        self.tokens = TokenStore(tokens, token_file)
        self.storage = Storage(self.root, lfs_threshold=lfs_threshold_bytes, regular_only=regular_only)
        self.app = HubApp(self.storage, self.tokens, self.config)
        self.request_log: list[dict] = []
        self._log_lock = threading.Lock()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> "LocalHub":
        if self._server is not None:
            return self
        self._server = _Server((self.host, self.port), self)
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name=f"localhub-{self.port}", daemon=True)
        self._thread.start()
        logger.info("local Hub serving %s at %s (%d tokens)", self.root, self.url, len(self.tokens))
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._server.shutdown()
        self._server.close_all_connections()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server, self._thread = None, None
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
    in a 0600 temporary file, never on the command line. ``env`` adds environment variables for the child.
    """

    def __init__(self, root: str | os.PathLike, host: str = "127.0.0.1", port: int = 0,
                 tokens: Mapping[str, Mapping] | None = None, token_file: str | os.PathLike | None = None,
                 max_request_bytes: int = DEFAULT_MAX_REQUEST_BYTES, max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
                 env: Mapping[str, str] | None = None, startup_timeout: float = 60.0) -> None:
        self.root = Path(root)
        self.host = host
        self.port = port
        self.tokens = dict(tokens or {})
        self.token_file = token_file
        self.max_request_bytes = max_request_bytes
        self.max_file_bytes = max_file_bytes
        self.env = dict(env or {})
        self.startup_timeout = startup_timeout
        self.proc: subprocess.Popen | None = None
        self.log_path = self.root / "server.log"  # the child's stdout/stderr (appended across restarts)
        self._tmpdir: tempfile.TemporaryDirectory | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def _command(self, ready_file: Path) -> list[str]:
        cmd = [sys.executable, "-m", "hub_tools.localhub", "serve", "--root", str(self.root), "--host", self.host,
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
        return cmd

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
