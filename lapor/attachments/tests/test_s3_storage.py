"""Attachments in S3-compatible object storage (django-storages), as on several application
machines (docs/deploy.md): against moto's S3 server on a local port, standing in for MinIO or
a cloud bucket."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import boto3  # type: ignore[import-untyped]
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings
from moto.server import ThreadedMotoServer
from PIL import Image

from lapor.attachments.models import Attachment
from lapor.attachments.tests import files
from tests.factories import Tree, submit
from tests.servers import free_port

BUCKET = "lapor-lampiran"
CREDENTIALS = {"access_key": "lapor-test", "secret_key": "lapor-test-secret",
               "region_name": "us-east-1"}
pytestmark = pytest.mark.django_db


def _storages(endpoint: str) -> dict[str, Any]:
    return {**settings.STORAGES, "attachments": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {"bucket_name": BUCKET, "endpoint_url": endpoint, "default_acl": "private",
                    "file_overwrite": False, **CREDENTIALS},
    }}


@pytest.fixture
def s3() -> Iterator[tuple[str, Any]]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client("s3", endpoint_url=endpoint,
                          aws_access_key_id=CREDENTIALS["access_key"],
                          aws_secret_access_key=CREDENTIALS["secret_key"],
                          region_name=CREDENTIALS["region_name"])
    client.create_bucket(Bucket=BUCKET)
    try:
        yield endpoint, client
    finally:
        server.stop()


def _upload(tracking: str, code: str, data: bytes) -> Any:
    upload = SimpleUploadedFile("foto.jpg", data, content_type="image/jpeg")
    return Client().post(f"/api/v1/track/{tracking}/attachments", {"file": upload},
                         headers={"X-Access-Code": code})


def test_upload_and_download_through_object_storage(tree: Tree, s3: tuple[str, Any]) -> None:
    endpoint, client = s3
    submitted = submit(tree)
    tracking = submitted.report.tracking_number
    with override_settings(STORAGES=_storages(endpoint)):
        response = _upload(tracking, submitted.access_code, files.jpeg_with_gps())
        assert response.status_code == 201, response.content
        row = Attachment.objects.get()
        objects = client.list_objects_v2(Bucket=BUCKET)["Contents"]
        assert [item["Key"] for item in objects] == [row.stored_name]
        stored = client.get_object(Bucket=BUCKET, Key=row.stored_name)["Body"].read()
        # What is in the bucket is the cleaned file: no EXIF (GPS, camera) left.
        assert len(stored) == row.size
        assert dict(Image.open(io.BytesIO(stored)).getexif()) == {}
        download = Client().get(f"/api/v1/track/{tracking}/attachments/{row.pk}",
                                headers={"X-Access-Code": submitted.access_code})
        assert download.status_code == 200
        body = b"".join(download.streaming_content)  # type: ignore[attr-defined]
        assert body == stored


def test_object_storage_down_is_a_clean_503_and_stores_nothing(tree: Tree) -> None:
    submitted = submit(tree)
    dead = f"http://127.0.0.1:{free_port()}"  # nothing listens there
    with override_settings(STORAGES=_storages(dead)):
        response = _upload(submitted.report.tracking_number, submitted.access_code,
                           files.jpeg_with_gps())
    assert response.status_code == 503
    assert response.json()["code"] == "storage_failed"
    assert Attachment.objects.count() == 0
