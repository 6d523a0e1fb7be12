"""No private field — a focal point's name, e-mail, telephone, internal notes, or an account's
e-mail or name — appears in any public page, CSV, the open-data zip or a feed."""

import datetime
import io
import zipfile

import pytest

from commitments.models import Evidence, ProgressUpdate, Status
from focalpoints.models import FocalPoint
from tests.factories import (
    CommitmentFactory,
    FocalPointFactory,
    PreventionStepFactory,
    ResolutionFactory,
)
from tracker import exports

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(state_a, state_b, focal_point_a, secretariat, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    current = FocalPointFactory(state=state_a, reference_key="internal-key-current")
    ended = FocalPointFactory(
        state=state_b,
        reference_key="internal-key-former",
        appointed_on=datetime.date(2015, 1, 1),
        ended_on=datetime.date(2020, 1, 1),
        person_name="Former Secret-Person",
        email="former.secret@ministry.example",
        phone="+000 555 0199",
        internal_notes="SECRET NOTE about the former focal point",
    )
    step = PreventionStepFactory(code="N1")
    resolution = ResolutionFactory()
    resolution.states.add(state_a)
    commitment = CommitmentFactory(state=state_a, step=step, created_by=focal_point_a)
    commitment.resolutions.add(resolution)
    update = ProgressUpdate.objects.create(
        commitment=commitment,
        reported_on=datetime.date(2025, 1, 1),
        status=Status.LIMITED,
        narrative="Published narrative.",
        author=focal_point_a,
    )
    Evidence.objects.create(update=update, kind="link", title="Decree", url="https://e.org/d")
    ProgressUpdate.objects.create(
        commitment=commitment,
        reported_on=datetime.date(2025, 1, 2),
        status=Status.SUBSTANTIAL,
        narrative="Correction narrative.",
        corrects=update,
        author=secretariat,
    )
    from commitments.services import commitment_refresh_derived

    commitment_refresh_derived(commitment)
    secrets = []
    for appointment in (current, ended):
        secrets += [getattr(appointment, field) for field in FocalPoint.PRIVATE_FIELDS]
    for user in (focal_point_a, secretariat):
        secrets += [user.email, user.get_full_name()]
    assert all(secrets)
    return {"commitment": commitment, "resolution": resolution, "secrets": secrets}


def public_urls(world):
    c = world["commitment"]
    r = world["resolution"]
    return [
        "/",
        "/states/",
        "/states/GHA/",
        "/states/DNK/",
        "/regions/african/",
        "/regions/western-european-others/",
        "/commitments/",
        c.get_absolute_url(),
        "/resolutions/",
        r.get_absolute_url(),
        "/steps/",
        "/steps/N1/",
        "/data/",
        "/states/?format=csv",
        "/states/GHA/?format=csv",
        "/commitments/?format=csv",
        c.get_absolute_url() + "?format=csv",
        "/resolutions/?format=csv",
        r.get_absolute_url() + "?format=csv",
        "/steps/?format=csv",
        "/steps/N1/?format=csv",
        "/updates.atom",
        "/states/GHA/updates.atom",
        f"/commitments/{c.pk}/updates.atom",
    ]


def body(response) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode("utf-8")
    return response.content.decode("utf-8")


def assert_clean(text: str, secrets: list[str], where: str) -> None:
    for secret in secrets:
        assert secret not in text, f"{secret!r} leaked in {where}"


def test_no_private_field_in_any_public_page_csv_or_feed(client, world):
    for url in public_urls(world):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_clean(body(response), world["secrets"], url)


def test_no_private_field_in_the_open_data_zip(client, world):
    from tracker import opendata

    opendata.refresh()  # what the worker does after a change
    response = client.get("/data/r2p-tracker-open-data.zip")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    for name in archive.namelist():
        assert_clean(archive.read(name).decode("utf-8"), world["secrets"], name)


def test_the_zip_names_no_private_column():
    private = set(FocalPoint.PRIVATE_FIELDS) | {"author", "author_id", "created_by", "email"}
    for table in exports.TABLES:
        assert not private & set(table.fields), table.name
