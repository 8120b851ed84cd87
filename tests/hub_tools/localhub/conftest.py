"""Helpers for the local Hub tests: unique repo names, the test users' tokens, isolated servers."""

from __future__ import annotations

import uuid

import pytest


@pytest.fixture(scope="session")
def tester_token(hub_tokens) -> str:
    return next(tok for tok, who in hub_tokens.items() if who["user"] == "tester")


@pytest.fixture(scope="session")
def other_token(hub_tokens) -> str:
    return next(tok for tok, who in hub_tokens.items() if who["user"] != "tester")


@pytest.fixture()
def repo_name(request) -> str:
    """A repo id in the tester's namespace, unique per test."""
    base = request.node.name.replace("[", "-").replace("]", "").replace("_", "-")[:40].strip("-")
    return f"tester/{base}-{uuid.uuid4().hex[:6]}"



@pytest.fixture(autouse=True)
def _no_server_errors(request):
    """Fail a test whose requests made the session's local Hub answer 5xx (retries would hide them)."""
    if "local_hub" not in request.fixturenames:
        yield
        return
    hub = request.getfixturevalue("local_hub")
    start = len(hub.request_log)
    yield
    bad = [e for e in hub.request_log[start:] if e["status"] >= 500]
    assert not bad, f"local Hub answered 5xx: {bad}"
