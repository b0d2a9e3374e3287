"""IIIF: manifests for records with scans, validated by iiif-prezi3, and their page images."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from iiif_prezi3 import Manifest
from PIL import Image

from fonds.archive import Archive
from tests.web.open_api_fixture import TestClient, build_archive, make_app

SCANNED = "104-10004-10143"


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Archive]:
    archive = build_archive(tmp_path_factory.mktemp("iiif"))
    yield archive
    archive.close()


@pytest.fixture(scope="module")
def client(archive: Archive) -> TestClient:
    return TestClient(make_app(archive))


@pytest.fixture(scope="module")
def manifest(client: TestClient) -> dict:
    response = client.get(f"/iiif/{SCANNED}/manifest.json")
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == "*"
    return response.json()


def test_manifest_validates_as_presentation_3(manifest: dict) -> None:
    parsed = Manifest(**manifest)
    assert manifest["@context"] == "http://iiif.io/api/presentation/3/context.json"
    assert parsed.type == "Manifest"
    assert manifest["id"].endswith(f"/iiif/{SCANNED}/manifest.json")


def test_manifest_has_one_canvas_per_pdf_page(manifest: dict) -> None:
    canvases = manifest["items"]
    assert [c["label"]["none"][0] for c in canvases] == ["p. 1", "p. 2"]
    for canvas in canvases:
        annotation = canvas["items"][0]["items"][0]
        assert annotation["motivation"] == "painting"
        assert annotation["target"] == canvas["id"]
        assert annotation["body"]["width"] == canvas["width"]


def test_page_images_are_jpegs_of_the_canvas_size(client: TestClient, manifest: dict) -> None:
    body = manifest["items"][0]["items"][0]["items"][0]["body"]
    response = client.get(body["id"])
    assert response.headers["content-type"] == "image/jpeg"
    image = Image.open(io.BytesIO(response.content))
    assert (image.width, image.height) == (body["width"], body["height"])
    assert client.get(f"/iiif/{SCANNED}/pages/2.jpg").status_code == 200
    assert client.get(f"/iiif/{SCANNED}/pages/3.jpg").status_code == 404


def test_level0_image_service_describes_the_image(client: TestClient, manifest: dict) -> None:
    body = manifest["items"][1]["items"][0]["items"][0]["body"]
    service = body["service"][0]
    info = client.get(service["id"] + "/info.json").json()
    assert info["profile"] == "level0" and info["type"] == "ImageService3"
    assert (info["width"], info["height"]) == (body["width"], body["height"])
    tiled = client.get(service["id"] + "/0,0,100,100/max/0/default.jpg")
    assert tiled.status_code == 400


def test_pages_are_rendered_once_into_the_archive(archive: Archive, manifest: dict) -> None:
    scan = archive.get(SCANNED).media_files[0]  # type: ignore[union-attr]
    folder = archive.settings.home / "iiif" / str(scan.sha256)
    assert sorted(p.name for p in folder.glob("*.jpg")) == ["1.jpg", "2.jpg"]


def test_records_without_scans_have_no_manifest(client: TestClient) -> None:
    assert client.get("/iiif/116976/manifest.json").status_code == 404
    assert client.get("/iiif/image/" + "0" * 64 + "-1/info.json").status_code == 404


def test_record_json_links_the_manifest(client: TestClient) -> None:
    links = client.get(f"/api/v1/records/{SCANNED}").json()["links"]
    assert links["iiif_manifest"].endswith(f"/iiif/{SCANNED}/manifest.json")
