"""The Space management endpoints: runtime, hardware, sleep time, dev mode, secrets, variables."""

from __future__ import annotations

import re

from .. import errors
from ..http import Request, Response, check_types
from ..storage import RepoState, now_iso
from .base import RouteBase


SPACE_SDKS = {"gradio", "streamlit", "docker", "static"}
DEFAULT_RUNTIME_HARDWARE = "cpu-basic"


class SpaceRoutes(RouteBase):
    """The Space endpoints (routed by ``HubApp`` for Spaces only, after a write check)."""

    @staticmethod
    def _space(state: RepoState) -> dict:
        return state.meta.get("space") or {}

    def _runtime_json(self, state: RepoState) -> dict:
        space = self._space(state)
        return {"stage": space.get("stage", "RUNNING"),
                "hardware": {"current": space.get("hardware", DEFAULT_RUNTIME_HARDWARE)
                             if space.get("stage", "RUNNING") == "RUNNING" else None,
                             "requested": space.get("requested", DEFAULT_RUNTIME_HARDWARE)},
                "gcTimeout": space.get("sleepTime"), "storage": None, "devMode": bool(space.get("devMode")),
                "replicas": {"current": 1, "requested": 1}}

    def _runtime_response(self, state: RepoState) -> Response:
        return Response.json(self._runtime_json(state))

    def _mutate_space(self, state: RepoState, fn) -> None:
        self.storage.mutate_meta(state, lambda meta: fn(meta.setdefault("space", {})))

    def _set_stage(self, state: RepoState, stage: str) -> Response:
        self._mutate_space(state, lambda space: space.update({"stage": stage}))
        return self._runtime_response(state)

    def space_hardware(self, req: Request, state: RepoState) -> Response:
        body = req.json_object()
        check_types(body, {"flavor": str, "sleepTimeSeconds": int})
        flavor = body.get("flavor")
        if not isinstance(flavor, str) or not flavor:
            raise errors.bad_request("'flavor' is required")
        updates = {"hardware": flavor, "requested": flavor}
        if "sleepTimeSeconds" in body:
            updates["sleepTime"] = body["sleepTimeSeconds"]
        self._mutate_space(state, lambda space: space.update(updates))
        return self._runtime_response(state)

    def space_sleeptime(self, req: Request, state: RepoState) -> Response:
        seconds = req.json_object().get("seconds")
        if not isinstance(seconds, int) or isinstance(seconds, bool):
            raise errors.bad_request("'seconds' must be an integer")
        self._mutate_space(state, lambda space: space.update({"sleepTime": seconds}))
        return self._runtime_response(state)

    def space_dev_mode(self, req: Request, state: RepoState) -> Response:
        body = req.json_object()
        check_types(body, {"enabled": bool})
        enabled = bool(body.get("enabled"))
        self._mutate_space(state, lambda space: space.update({"devMode": enabled}))
        return self._runtime_response(state)

    def _key_value(self, req: Request, need_value: bool) -> dict:
        body = req.json_object()
        check_types(body, {"key": str, "description": str})
        key = body.get("key")
        if not isinstance(key, str) or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise errors.bad_request(f"Invalid key {key!r}: letters, digits and '_' only")
        if need_value and not isinstance(body.get("value", ""), str):
            raise errors.bad_request("'value' must be a string")
        return body

    def space_get_secrets(self, req: Request, state: RepoState) -> Response:
        return Response.json(self._space(state).get("secrets", {}))

    def space_add_secret(self, req: Request, state: RepoState) -> Response:
        body = self._key_value(req, need_value=True)
        entry = {"key": body["key"], "description": body.get("description"), "updatedAt": now_iso()}
        self._mutate_space(state, lambda space: space.setdefault("secrets", {}).update({body["key"]: entry}))
        return Response.json({})

    def space_delete_secret(self, req: Request, state: RepoState) -> Response:
        body = self._key_value(req, need_value=False)
        self._mutate_space(state, lambda space: space.setdefault("secrets", {}).pop(body["key"], None))
        return Response.json({})

    def space_get_variables(self, req: Request, state: RepoState) -> Response:
        return Response.json(self._space(state).get("variables", {}))

    def space_add_variable(self, req: Request, state: RepoState) -> Response:
        body = self._key_value(req, need_value=True)
        entry = {"key": body["key"], "value": body.get("value", ""), "description": body.get("description"),
                 "updatedAt": now_iso()}
        self._mutate_space(state, lambda space: space.setdefault("variables", {}).update({body["key"]: entry}))
        return Response.json(self._space(state).get("variables", {}))

    def space_delete_variable(self, req: Request, state: RepoState) -> Response:
        body = self._key_value(req, need_value=False)
        self._mutate_space(state, lambda space: space.setdefault("variables", {}).pop(body["key"], None))
        return Response.json(self._space(state).get("variables", {}))
