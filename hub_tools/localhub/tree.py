"""The folder index of one commit: what tree listings and paths-info read, built once per commit.

A commit is a flat map ``path -> entry``. Listing a folder, or giving a folder's oid, from that map alone means a
scan of every file per answer (a page of 50 folders of a 20,000-folder repo cost minutes). :class:`TreeIndex`
turns it into folders with their children and a bottom-up oid per folder in one pass (O(n log n)), kept on the
commit object (commits are immutable and cached by the storage), so that every later page costs the size of the
page. Listings are kept per ``(folder, recursive)`` in a small LRU.

Order of a listing, as before: folders are visited in the order of their path segments and each gives its
sub-folders, then its files, each by name; a non-recursive listing is the children of one folder.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict

MAX_CACHED_LISTINGS = 32


class TreeIndex:
    """Folders, children and folder oids of one commit's files."""

    def __init__(self, files: dict[str, dict]) -> None:
        self.files = files
        subdirs: dict[str, set[str]] = {"": set()}
        children: dict[str, list[str]] = {"": []}
        for path in files:
            parent = _parent(path)
            children.setdefault(parent, []).append(path)
            child, folder = None, parent
            while True:  # register the folder chain up to a folder already known
                known = folder in subdirs
                subdirs.setdefault(folder, set())
                children.setdefault(folder, [])
                if child is not None:
                    subdirs[folder].add(child)
                if known:
                    break
                child, folder = folder, _parent(folder)
        self.subdirs = {d: sorted(s) for d, s in subdirs.items()}
        self.children = {d: sorted(c) for d, c in children.items()}
        self.dir_oids = self._folder_oids()
        self._listings: OrderedDict[tuple[str, bool], list[str]] = OrderedDict()
        self._guard = threading.Lock()

    def _folder_oids(self) -> dict[str, str]:
        """Each folder's oid from its children's names and oids (deepest folders first): it changes exactly when
        something below the folder changes."""
        oids: dict[str, str] = {}
        for folder in sorted(self.subdirs, key=lambda d: -d.count("/") - (1 if d else 0)):
            listing = [(d, oids[d]) for d in self.subdirs[folder]] + [(f, self.files[f]["oid"])
                                                                      for f in self.children[folder]]
            oids[folder] = hashlib.sha1(json.dumps(listing).encode()).hexdigest()
        return oids

    def is_dir(self, path: str) -> bool:
        return path in self.subdirs and path != ""

    def listing(self, folder: str, recursive: bool) -> list[str]:
        """Paths below ``folder`` (``""`` is the root), in listing order; the caller must check it is a folder."""
        key = (folder, recursive)
        with self._guard:
            hit = self._listings.get(key)
            if hit is not None:
                self._listings.move_to_end(key)
                return hit
        if not recursive:
            names = self.subdirs[folder] + self.children[folder]
        else:
            folders, stack = [], [folder]
            while stack:  # every folder below, then sorted by its segments
                current = stack.pop()
                folders.append(current)
                stack.extend(self.subdirs[current])
            folders.sort(key=lambda d: d.split("/") if d else [])
            names = [n for d in folders for n in self.subdirs[d] + self.children[d]]
        with self._guard:
            self._listings[key] = names
            while len(self._listings) > MAX_CACHED_LISTINGS:
                self._listings.popitem(last=False)
        return names

    def entry(self, path: str) -> dict:
        """The tree entry of a file or folder."""
        if path in self.files:
            return file_entry(path, self.files[path])
        return {"type": "directory", "oid": self.dir_oids[path], "size": 0, "path": path}

    def signature(self, path: str) -> str | None:
        """What changes when the file or folder ``path`` changes (None when it does not exist)."""
        entry = self.files.get(path)
        if entry is not None:
            return entry["oid"]
        return self.dir_oids.get(path) if path else None


def file_entry(path: str, entry: dict) -> dict:
    out = {"type": "file", "oid": entry["oid"], "size": entry["size"], "path": path}
    if entry.get("lfs"):
        lfs = entry["lfs"]
        out["lfs"] = {"oid": lfs["sha256"], "size": lfs["size"], "pointerSize": lfs["pointerSize"]}
    return out


def _parent(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""
