"""One Hub Collection per release: every repo of the manifest, in the manifest's order, the Space included.

    collection = sync_release_collection(api, manifest)     # create or update; returns the Collection

Titled with the project and version ("Gaokerena v1.0"), owned by the release namespace. Re-running writes
nothing when the collection is already right: it is looked up (``list_collections``) before
``create_collection(exists_ok=True)``, items already there are kept (``add_collection_item(exists_ok=True)`` for
the rest), items that are not repos of the release are removed, and the order is made the manifest's.
"""

from __future__ import annotations

import logging

from huggingface_hub import Collection, HfApi

from hub_tools.release.manifest import Manifest


logger = logging.getLogger(__name__)


def collection_title(manifest: Manifest) -> str:
    return f"{manifest.title} {manifest.version}"


def collection_description(manifest: Manifest) -> str:
    """The Hub caps descriptions at 150 characters."""
    return f"Release {manifest.version} of {manifest.title}: datasets, adapters, merged model, GGUF, results, Space."[:150]


def sync_release_collection(api: HfApi, manifest: Manifest) -> Collection:
    """Create or update the release's Collection so that it holds exactly the release's repos, in order."""
    title = collection_title(manifest)
    found = next((c for c in api.list_collections(owner=manifest.namespace) if c.title == title), None)
    if found is not None:  # read first: an unchanged release makes no write
        collection = api.get_collection(found.slug)
    else:
        collection = api.create_collection(
            title, namespace=manifest.namespace, description=collection_description(manifest), exists_ok=True
        )
    wanted = [(artifact.repo_id, artifact.repo_type) for artifact in manifest.artifacts]
    for item in collection.items:
        if (item.item_id, item.item_type) not in wanted:
            api.delete_collection_item(collection.slug, item.item_object_id, missing_ok=True)
    present = {(item.item_id, item.item_type) for item in collection.items}
    for repo_id, repo_type in wanted:
        if (repo_id, repo_type) not in present:
            api.add_collection_item(collection.slug, repo_id, repo_type, exists_ok=True)
    collection = api.get_collection(collection.slug)
    by_key = {(item.item_id, item.item_type): item for item in collection.items}
    for position, key in enumerate(wanted):
        current = [(item.item_id, item.item_type) for item in sorted(collection.items, key=lambda i: i.position)]
        if current.index(key) != position:
            api.update_collection_item(collection.slug, by_key[key].item_object_id, position=position)
            collection = api.get_collection(collection.slug)
    logger.info("  collection %s: %d repos", collection.slug, len(collection.items))
    return collection
