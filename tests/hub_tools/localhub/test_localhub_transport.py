"""The HTTP layer under hostile clients: each probe gets a prompt 4xx or a closed connection, never a hang.

A server with 1-second header and body timeouts, driven through raw sockets (every socket has a timeout, so a
hang fails the test rather than waiting).
"""

from __future__ import annotations

import os
import resource
import socket
import time

import httpx
import pytest

from hub_tools.localhub import LocalHub

pytestmark = pytest.mark.timeout(90)
TOKENS = {"hf_transport_token_0123456789": {"user": "tester", "orgs": []}}
WAIT = 15  # seconds a socket waits for an answer: far above the 1 s timeouts under test


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    with LocalHub(tmp_path_factory.mktemp("transport") / "hub", tokens=TOKENS, header_timeout=1.0, body_timeout=1.0,
                  max_request_bytes=1 << 20) as hub:
        yield hub


def _exchange(hub: LocalHub, data: bytes) -> bytes:
    """Send ``data``, then read until the server closes or answers a complete status line + headers."""
    with socket.create_connection((hub.host, hub.port), timeout=WAIT) as sock:
        sock.sendall(data)
        received = b""
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            received += chunk
            if b"\r\n\r\n" in received and b"connection: close" not in received.lower():
                break
        return received


def _status(answer: bytes) -> int | None:
    return int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else None


def _post(path: str, extra: bytes) -> bytes:
    return f"POST {path} HTTP/1.1\r\nHost: x\r\n".encode() + extra


def test_huge_chunk_size_is_capped(hub):
    answer = _exchange(hub, _post("/api/validate-yaml", b"Transfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFF\r\n"
                                  + b"a" * 10_000))
    assert _status(answer) in (400, 408, 413, None)  # a 4xx or a closed connection, promptly


def test_over_long_chunk_line_is_400(hub):
    answer = _exchange(hub, _post("/api/validate-yaml", b"Transfer-Encoding: chunked\r\n\r\n1" + b"0" * 100_000))
    assert _status(answer) in (400, None)


def test_short_body_times_out_with_408(hub):
    answer = _exchange(hub, _post("/api/validate-yaml", b"Content-Type: application/json\r\n"
                                  b"Content-Length: 100\r\n\r\n{\"content\":"))  # the socket's timeout bounds it
    assert _status(answer) == 408


def test_trickled_headers_are_cut_off(hub):
    with socket.create_connection((hub.host, hub.port), timeout=WAIT) as sock:
        sock.sendall(b"GET /api/health HTTP/1.1\r\n")
        closed = False
        for _ in range(20):  # one header byte every 0.3 s: the 1 s header deadline must close the connection
            try:
                sock.sendall(b"X")
                time.sleep(0.3)
                if sock.recv(1024, socket.MSG_DONTWAIT) == b"":
                    closed = True
                    break
            except BlockingIOError:
                continue
            except (BrokenPipeError, ConnectionResetError):
                closed = True
                break
        assert closed  # within the 20 bytes, 6 s: the loop bounds the wait


def half_open_connections() -> int:
    """3,000, or fewer where the open-file soft limit is lower (``ulimit -n 1024``): the server runs in this
    process, so each connection holds two descriptors, and the ones open now plus a margin stay free."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    open_now = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else 64
    return max(1, min(3000, (soft - open_now - 128) // 2))


def test_many_half_open_connections_closed_at_once(hub):
    socks = []
    for _ in range(half_open_connections()):
        s = socket.create_connection((hub.host, hub.port), timeout=WAIT)
        s.sendall(b"POST /api/validate-yaml HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n")
        socks.append(s)
    for s in socks:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # RST on close
        s.close()
    r = httpx.get(f"{hub.url}/api/health", timeout=WAIT)  # a hang fails on the timeout
    assert r.status_code == 200
    assert r.headers["X-Request-Id"]


def test_request_id_and_error_code_on_every_answer(hub):
    for method, path in (("GET", "/api/health"), ("GET", "/api/nope"), ("POST", "/api/validate-yaml")):
        r = httpx.request(method, f"{hub.url}{path}", timeout=WAIT)
        assert len(r.headers["X-Request-Id"]) == 32
        if r.status_code >= 400:
            assert r.headers["X-Error-Code"]


def test_client_leaving_mid_body_applies_nothing(hub):
    token = next(iter(TOKENS))
    auth = {"authorization": f"Bearer {token}"}
    assert httpx.post(f"{hub.url}/api/repos/create", json={"name": "tester/leaver"}, headers=auth,
                      timeout=WAIT).status_code == 200
    head = httpx.get(f"{hub.url}/api/models/tester/leaver", timeout=WAIT).json()["sha"]
    body = (b'{"key":"header","value":{"summary":"half"}}\n'
            b'{"key":"file","value":{"path":"a.txt","content":"YQ==","encoding":"base64"}}\n')
    with socket.create_connection((hub.host, hub.port), timeout=WAIT) as sock:
        sock.sendall(f"POST /api/models/tester/leaver/commit/main HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}"
                     f"\r\nContent-Length: {len(body) + 5_000_000}\r\n\r\n".encode() + body)
    deadline = time.monotonic() + WAIT  # until the server has finished with the request (it logs it then)
    while hub.count_requests("POST", "/api/models/tester/leaver/commit/main") == 0:
        assert time.monotonic() < deadline, "the server never finished the abandoned commit request"
        time.sleep(0.02)
    r = httpx.get(f"{hub.url}/api/models/tester/leaver", timeout=WAIT)
    assert r.status_code == 200 and r.json()["sha"] == head  # the half-sent commit was not applied
