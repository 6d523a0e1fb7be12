"""Evidence documents are served by one view that checks the document is published and sets
the headers: images and PDF inline, anything else as an attachment, never sniffed, in a CSP
sandbox. It works the same on the file system and on S3-compatible storage (moto's in-memory
S3), and with the proxy's X-Accel-Redirect. No document is reachable under MEDIA_URL."""

import datetime

import boto3
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from moto import mock_aws

from commitments.evidence import DOCUMENT_CSP
from commitments.models import Evidence
from commitments.services import progress_update_create
from tests.commitments.upload_samples import TINY_PNG, tiny_pdf

pytestmark = pytest.mark.django_db

# A legacy Word document: the OLE2 compound-file signature is what the sniffer checks.
WORD_DOC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def publish(user, commitment, *files):
    return progress_update_create(
        user=user,
        commitment=commitment,
        reported_on=datetime.date.today(),
        status="limited",
        narrative="Evidence attached.",
        files=[SimpleUploadedFile(name, content) for name, content in files],
    )


def documents(update):
    return {e.file.name.rsplit(".", 1)[-1]: e for e in update.evidence.all()}


def test_a_pdf_is_shown_inline_with_nosniff_and_a_sandbox(
    client, media, focal_point_a, commitment_a
):
    update = publish(focal_point_a, commitment_a, ("Decree 12.pdf", tiny_pdf()))
    evidence = update.evidence.get()
    response = client.get(evidence.get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == tiny_pdf()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="decree-12.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == DOCUMENT_CSP
    assert response["Content-Security-Policy"].startswith("sandbox;")
    assert "public" in response["Cache-Control"]


def test_an_image_is_inline_and_a_word_document_is_an_attachment(
    client, media, focal_point_a, commitment_a
):
    update = publish(focal_point_a, commitment_a, ("photo.png", TINY_PNG), ("plan.doc", WORD_DOC))
    found = documents(update)
    image = client.get(found["png"].get_absolute_url())
    assert image["Content-Type"] == "image/png"
    assert image["Content-Disposition"].startswith("inline;")
    word = client.get(found["doc"].get_absolute_url())
    assert word.status_code == 200
    assert word["Content-Disposition"] == 'attachment; filename="plan.doc"'
    assert word["Content-Security-Policy"] == DOCUMENT_CSP


def test_the_name_in_the_url_is_cosmetic_and_links_are_not_documents(
    client, media, focal_point_a, commitment_a
):
    update = publish(focal_point_a, commitment_a, ("Decree.pdf", tiny_pdf()))
    evidence = update.evidence.get()
    assert client.get(f"/evidence/{evidence.pk}/anything.exe")["Content-Type"] == (
        "application/pdf"
    )
    link = Evidence.objects.create(update=update, kind="link", title="L", url="https://e.org/")
    assert client.get(f"/evidence/{link.pk}/x").status_code == 404
    assert link.get_absolute_url() == "https://e.org/"
    assert client.get("/evidence/999999/x.pdf").status_code == 404


def test_documents_are_never_served_under_the_media_url(client, media, focal_point_a, commitment_a):
    update = publish(focal_point_a, commitment_a, ("Decree.pdf", tiny_pdf()))
    stored = update.evidence.get().file.name
    assert (media / stored).exists()
    assert client.get(f"/media/{stored}").status_code == 404


def test_pages_api_and_csv_link_to_the_serving_view(client, media, focal_point_a, commitment_a):
    update = publish(focal_point_a, commitment_a, ("Decree.pdf", tiny_pdf()))
    evidence = update.evidence.get()
    url = evidence.get_absolute_url()
    assert url == f"/evidence/{evidence.pk}/decree.pdf"
    assert url in client.get(commitment_a.get_absolute_url()).content.decode()
    api = client.get(f"/api/v1/progress-updates/{update.pk}/").json()
    assert api["evidence"][0]["file"] == "http://testserver" + url
    csv_text = b"".join(client.get(commitment_a.get_absolute_url() + "?format=csv")).decode()
    assert url in csv_text


@override_settings(EVIDENCE_ACCEL_REDIRECT="/_protected/documents/")
def test_behind_the_proxy_the_body_is_handed_over_with_x_accel_redirect(
    client, media, focal_point_a, commitment_a
):
    update = publish(focal_point_a, commitment_a, ("Decree.pdf", tiny_pdf()))
    evidence = update.evidence.get()
    response = client.get(evidence.get_absolute_url())
    assert response["X-Accel-Redirect"] == "/_protected/documents/" + evidence.file.name
    assert response.content == b""
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"


S3_STORAGES = {
    "default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "r2p-test-evidence",
            "region_name": "us-east-1",
            "default_acl": "private",
            "querystring_auth": True,
            "file_overwrite": False,
        },
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}


@pytest.fixture
def s3(monkeypatch):
    """moto's in-memory S3 with an empty private bucket, and the default storage pointed at it."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="r2p-test-evidence")
        with override_settings(STORAGES=S3_STORAGES):
            yield client


def test_documents_on_s3_compatible_storage_are_served_the_same_way(
    client, s3, focal_point_a, commitment_a
):
    update = publish(focal_point_a, commitment_a, ("Decree.pdf", tiny_pdf()), ("p.png", TINY_PNG))
    found = documents(update)
    keys = {item["Key"] for item in s3.list_objects_v2(Bucket="r2p-test-evidence")["Contents"]}
    assert found["pdf"].file.name in keys and found["png"].file.name in keys
    # Private objects: the bucket itself serves nothing anonymously; the app does.
    acl = s3.get_object_acl(Bucket="r2p-test-evidence", Key=found["pdf"].file.name)
    assert all(g["Grantee"].get("URI", "").endswith("AllUsers") is False for g in acl["Grants"])
    response = client.get(found["pdf"].get_absolute_url())
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == tiny_pdf()
    assert response["Content-Security-Policy"] == DOCUMENT_CSP
    assert response["X-Content-Type-Options"] == "nosniff"


def test_the_open_data_zip_is_published_to_s3_compatible_storage_too(client, s3, commitment_a):
    from tracker import opendata

    result = opendata.refresh()
    assert result["built"] is True
    keys = {item["Key"] for item in s3.list_objects_v2(Bucket="r2p-test-evidence")["Contents"]}
    assert {result["path"], opendata.MANIFEST} <= keys
    response = client.get("/data/r2p-tracker-open-data.zip")
    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body.startswith(b"PK") and len(body) == result["size_bytes"]
