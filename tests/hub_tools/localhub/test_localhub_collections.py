"""Collections on the local Hub, driven by the real huggingface_hub client (create, get, list, items, order)."""

from __future__ import annotations

import uuid

import pytest
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError


@pytest.fixture()
def title() -> str:
    return f"Collection {uuid.uuid4().hex[:8]}"


def test_create_get_and_exists_ok(hf_api, title):
    created = hf_api.create_collection(title, namespace="gaokerena", description="release repos")
    assert created.slug.startswith("gaokerena/collection-") and created.title == title
    assert created.owner == "gaokerena" and created.items == [] and not created.private
    assert hf_api.get_collection(created.slug).description == "release repos"
    with pytest.raises(HfHubHTTPError) as exc:
        hf_api.create_collection(title, namespace="gaokerena")
    assert exc.value.response.status_code == 409
    assert hf_api.create_collection(title, namespace="gaokerena", exists_ok=True).slug == created.slug
    assert created.slug in {c.slug for c in hf_api.list_collections(owner="gaokerena")}


def test_items_add_order_note_and_delete(hf_api, repo_name, title):
    hf_api.create_repo(repo_name)
    hf_api.create_repo(repo_name + "-data", repo_type="dataset")
    slug = hf_api.create_collection(title, namespace="tester").slug
    hf_api.add_collection_item(slug, repo_name, "model")
    collection = hf_api.add_collection_item(slug, repo_name + "-data", "dataset", note="the data")
    assert [(i.item_id, i.item_type, i.position) for i in collection.items] == [
        (repo_name, "model", 0), (repo_name + "-data", "dataset", 1)]
    assert collection.items[1].note == "the data"
    with pytest.raises(HfHubHTTPError) as exc:
        hf_api.add_collection_item(slug, repo_name, "model")
    assert exc.value.response.status_code == 409
    assert len(hf_api.add_collection_item(slug, repo_name, "model", exists_ok=True).items) == 2
    with pytest.raises(HfHubHTTPError) as exc:
        hf_api.add_collection_item(slug, "tester/no-such-repo", "model")
    assert exc.value.response.status_code == 404

    hf_api.update_collection_item(slug, collection.items[1].item_object_id, position=0)
    assert [i.item_type for i in hf_api.get_collection(slug).items] == ["dataset", "model"]
    hf_api.delete_collection_item(slug, collection.items[0].item_object_id)
    assert [i.item_id for i in hf_api.get_collection(slug).items] == [repo_name + "-data"]
    assert hf_api.list_collections(item=f"datasets/{repo_name}-data")


def test_rename_keeps_the_id_and_delete(hf_api, title):
    slug = hf_api.create_collection(title, namespace="tester").slug
    renamed = hf_api.update_collection_metadata(slug, title=title + " v2", private=True)
    assert renamed.slug.endswith(slug.rsplit("-", 1)[1]) and renamed.slug != slug and renamed.private
    assert hf_api.get_collection(slug).title == title + " v2"  # found by its id, like the Hub
    hf_api.delete_collection(slug)
    with pytest.raises(HfHubHTTPError) as exc:
        hf_api.get_collection(slug)
    assert exc.value.response.status_code == 404
    hf_api.delete_collection(slug, missing_ok=True)


def test_writes_need_the_namespace(hf_api, local_hub, other_token, title):
    slug = hf_api.create_collection(title, namespace="tester", private=True).slug
    other = HfApi(endpoint=local_hub.url, token=other_token)
    with pytest.raises(HfHubHTTPError) as exc:
        other.create_collection(title, namespace="gaokerena")
    assert exc.value.response.status_code == 403
    with pytest.raises(HfHubHTTPError) as exc:
        other.get_collection(slug)  # private: invisible to others
    assert exc.value.response.status_code == 404
