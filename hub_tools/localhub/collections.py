"""Collections on the local Hub: the endpoints ``huggingface_hub`` (2.4.0) calls for them.

    POST   /api/collections                         create ({title, namespace, private, description}); 409 + slug
    GET    /api/collections?owner=&item=&limit=     list (items truncated to 4, like the Hub)
    GET    /api/collections/{slug}                  one collection
    PATCH  /api/collections/{slug}                  title, description, private, theme, position -> {"data": ...}
    DELETE /api/collections/{slug}
    POST   /api/collections/{slug}/items            add {item: {id, type}, note}; 404 unknown repo, 409 already in
    PATCH  /api/collections/{slug}/items/{item_id}  note, position
    DELETE /api/collections/{slug}/items/{item_id}

A slug is ``owner/<title-slug>-<24 hex id>``; like the Hub, a collection is found by its id whatever the title
part says (renaming changes the title part only). Everything lives in one JSON file, ``collections.json`` at the
storage root, written atomically under a lock.
"""

from __future__ import annotations

import json
import os
import re
import threading
from pathlib import Path
from typing import Any

from . import errors
from .http import Request, Response, check_types, seg
from .storage import REPO_TYPES, RepoRef, Storage, atomic_write, now_iso


ITEM_TYPES = {"model", "dataset", "space", "paper", "collection"}
LISTED_ITEMS = 4
_SLUG_ID = re.compile(r"-([0-9a-f]{24})$")


def _title_slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "collection"


class Collections:
    """The collection endpoints over one :class:`Storage`."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage
        self.path = Path(storage.root) / "collections.json"
        self._lock = threading.Lock()

    # -------------------------------------------------------------------------------------------- routing
    def route(self, req: Request, segs: list[str]) -> Response:
        """``segs`` are the path segments after ``/api/collections``."""
        m = req.method
        if not segs:
            if m == "POST":
                return self.create(req)
            if m == "GET":
                return self.list(req)
        elif len(segs) >= 2:
            slug_id = self._slug_id(segs[0], segs[1])
            rest = segs[2:]
            if not rest:
                handler = {"GET": self.get, "PATCH": self.update, "DELETE": self.delete}.get(m)
                if handler:
                    return handler(req, slug_id)
            elif rest == ["items"] and m == "POST":
                return self.add_item(req, slug_id)
            elif len(rest) == 2 and rest[0] == "items" and m in ("PATCH", "DELETE"):
                return (self.update_item if m == "PATCH" else self.delete_item)(req, slug_id, seg(rest[1]))
        raise errors.HubError(404, "NotFound", f"Unknown API route: {m} {req.raw_path}")

    @staticmethod
    def _slug_id(namespace: str, name: str) -> str:
        match = _SLUG_ID.search(seg(name))
        if not match:
            raise errors.HubError(404, "CollectionNotFound", f"Collection not found: {seg(namespace)}/{seg(name)}")
        return match.group(1)

    # ------------------------------------------------------------------------------------------- storage
    def _load(self) -> dict[str, dict[str, Any]]:
        if not self.path.exists():
            return {}
        return json.loads(self.path.read_bytes())

    def _save(self, data: dict[str, dict[str, Any]]) -> None:
        atomic_write(self.path, json.dumps(data, ensure_ascii=False, indent=1).encode())

    def _find(self, req: Request, data: dict, slug_id: str) -> dict[str, Any]:
        collection = data.get(slug_id)
        if collection is None or (collection["private"] and not req.identity.can_write(collection["owner"])):
            raise errors.HubError(404, "CollectionNotFound", f"Collection not found: {slug_id}")
        return collection

    @staticmethod
    def _require_write(req: Request, owner: str) -> None:
        if req.identity.is_anonymous:
            raise errors.HubError(401, "Unauthorized", "You must be authenticated (a write token) to do this")
        if not req.identity.can_write(owner):
            raise errors.forbidden(f"You don't have the rights to write to the namespace {owner!r}")

    def _public(self, req: Request, collection: dict[str, Any], items: int | None = None) -> dict[str, Any]:
        """The collection as ``req``'s caller may see it: only the items they can read (a private or deleted
        repo, or a private collection, is left out with its note), numbered among themselves."""
        out = {k: v for k, v in collection.items() if k != "items"}
        visible = self._visible_items(req, collection)
        if len(visible) < len(collection["items"]):
            visible = [{**entry, "position": index} for index, entry in enumerate(visible)]
        out["items"] = visible[:items] if items is not None else visible
        return out

    def _visible_items(self, req: Request, collection: dict[str, Any]) -> list[dict[str, Any]]:
        return [entry for entry in collection["items"] if self._readable(req, entry)]

    def _readable(self, req: Request, entry: dict[str, Any]) -> bool:
        if entry["type"] in REPO_TYPES:
            namespace, _, name = entry["id"].partition("/")
            state = self.storage.load(RepoRef(entry["type"], namespace, name)) if namespace and name else None
            return state is not None and (not state.meta.get("private")
                                          or req.identity.can_write(state.ref.namespace))
        if entry["type"] == "collection":
            match = _SLUG_ID.search(entry["id"])
            other = self._load().get(match.group(1)) if match else None
            return other is not None and (not other["private"] or req.identity.can_write(other["owner"]))
        return True

    # ------------------------------------------------------------------------------------------ handlers
    def create(self, req: Request) -> Response:
        body = req.json_object()
        title, namespace = body.get("title"), body.get("namespace")
        if not isinstance(title, str) or not title.strip():
            raise errors.bad_request("A collection needs a non-empty 'title'")
        if not isinstance(namespace, str) or not namespace:
            raise errors.bad_request("A collection needs a 'namespace'")
        check_types(body, {"description": str, "private": bool})
        self._require_write(req, namespace)
        with self._lock:
            data = self._load()
            for existing in data.values():
                if existing["owner"] == namespace and existing["title"] == title:
                    raise errors.conflict(f"You already have a collection named {title!r}", slug=existing["slug"])
            slug_id = os.urandom(12).hex()
            collection = {
                "slug": f"{namespace}/{_title_slug(title)}-{slug_id}",
                "title": title,
                "description": body.get("description"),
                "owner": namespace,
                "private": bool(body.get("private", False)),
                "theme": "blue",
                "upvotes": 0,
                "position": sum(c["owner"] == namespace for c in data.values()),
                "lastUpdated": now_iso(),
                "items": [],
            }
            data[slug_id] = collection
            self._save(data)
        return Response.json(self._public(req, collection))

    def list(self, req: Request) -> Response:
        owner, item = req.q("owner"), req.q("item")
        limit = req.int_q("limit", 0) or None
        found = []
        for collection in self._load().values():
            if collection["private"] and not req.identity.can_write(collection["owner"]):
                continue
            if owner and collection["owner"] != owner:
                continue
            if item and not any(f"{i['type']}s/{i['id']}" == item for i in self._visible_items(req, collection)):
                continue  # a private repo's membership is never revealed
            listed = self._public(req, collection, items=LISTED_ITEMS)
            del listed["position"]  # the client numbers listed collections itself
            found.append(listed)
        found.sort(key=lambda c: c["lastUpdated"], reverse=True)
        return Response.json(found[:limit] if limit else found)

    def get(self, req: Request, slug_id: str) -> Response:
        return Response.json(self._public(req, self._find(req, self._load(), slug_id)))

    def update(self, req: Request, slug_id: str) -> Response:
        body = req.json_object()
        check_types(body, {"title": str, "description": str, "private": bool, "theme": str, "position": int})
        if isinstance(body.get("title"), str) and not body["title"].strip():
            raise errors.bad_request("'title' must not be empty")
        if isinstance(body.get("position"), int) and body["position"] < 0:
            raise errors.bad_request("'position' must be a non-negative integer")
        with self._lock:
            data = self._load()
            collection = self._find(req, data, slug_id)
            self._require_write(req, collection["owner"])
            for key in ("title", "description", "private", "theme", "position"):
                if key in body and body[key] is not None:
                    collection[key] = body[key]
            collection["slug"] = f"{collection['owner']}/{_title_slug(collection['title'])}-{slug_id}"
            collection["lastUpdated"] = now_iso()
            self._save(data)
        return Response.json({"success": True, "data": self._public(req, collection)})

    def delete(self, req: Request, slug_id: str) -> Response:
        with self._lock:
            data = self._load()
            collection = self._find(req, data, slug_id)
            self._require_write(req, collection["owner"])
            del data[slug_id]
            self._save(data)
        return Response.json({"success": True})

    def add_item(self, req: Request, slug_id: str) -> Response:
        body = req.json_object()
        item = body.get("item")
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or item.get("type") not in ITEM_TYPES:
            raise errors.bad_request(f"'item' must be {{id, type}} with type one of {sorted(ITEM_TYPES)}")
        check_types(body, {"note": str})
        item_id, item_type = item["id"], item["type"]
        if item_type in REPO_TYPES:
            self._check_repo(req, item_type, item_id)
        with self._lock:
            data = self._load()
            collection = self._find(req, data, slug_id)
            self._require_write(req, collection["owner"])
            if any(i["id"] == item_id and i["type"] == item_type for i in collection["items"]):
                raise errors.conflict(f"{item_type} {item_id} is already in the collection")
            entry: dict[str, Any] = {"_id": os.urandom(12).hex(), "id": item_id, "type": item_type,
                                     "position": len(collection["items"])}  # fmt: skip
            if body.get("note"):
                entry["note"] = {"text": str(body["note"])}
            collection["items"].append(entry)
            collection["lastUpdated"] = now_iso()
            self._save(data)
        return Response.json(self._public(req, collection))

    def _check_repo(self, req: Request, repo_type: str, repo_id: str) -> None:
        namespace, _, name = repo_id.partition("/")
        state = self.storage.load(RepoRef(repo_type, namespace, name)) if namespace and name else None
        if state is None or (state.meta.get("private") and not req.identity.can_write(state.ref.namespace)):
            raise errors.repo_not_found(repo_id)

    def update_item(self, req: Request, slug_id: str, item_object_id: str) -> Response:
        body = req.json_object()
        check_types(body, {"note": str, "position": int})
        with self._lock:
            data = self._load()
            collection = self._find(req, data, slug_id)
            self._require_write(req, collection["owner"])
            items = collection["items"]
            entry = self._item(items, item_object_id)
            if body.get("note") is not None:
                entry["note"] = {"text": str(body["note"])}
            if body.get("position") is not None:
                position = body["position"]
                items.remove(entry)
                items.insert(max(0, min(position, len(items))), entry)
                for index, other in enumerate(items):
                    other["position"] = index
            collection["lastUpdated"] = now_iso()
            self._save(data)
        return Response.json({"success": True, "data": self._public(req, collection)})

    def delete_item(self, req: Request, slug_id: str, item_object_id: str) -> Response:
        with self._lock:
            data = self._load()
            collection = self._find(req, data, slug_id)
            self._require_write(req, collection["owner"])
            items = collection["items"]
            items.remove(self._item(items, item_object_id))
            for index, other in enumerate(items):
                other["position"] = index
            collection["lastUpdated"] = now_iso()
            self._save(data)
        return Response.json({"success": True})

    @staticmethod
    def _item(items: list[dict[str, Any]], item_object_id: str) -> dict[str, Any]:
        for entry in items:
            if entry["_id"] == item_object_id:
                return entry
        raise errors.HubError(404, "NotFound", f"No item {item_object_id} in this collection")
