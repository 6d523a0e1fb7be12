"""The catalogue of prevention steps round-trips with the /steps/ CSV download: the
secretariat's reference data, matched by code, written by ``step_save`` (history, not the
ledger), refused to focal points and delegates."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from commitments.imports.template import write_workbook
from commitments.models import ImportRun, LedgerEntry, PreventionStep, RiskFactor
from tests.commitments.import_helpers import apply, check, edit_csv, report
from tests.factories import CommitmentFactory, PreventionStepFactory, ScrutinyChannelFactory

S = ImportRun.Kind.STEPS


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def catalogue(state_a):
    upr = ScrutinyChannelFactory(code="upr", name="Universal Periodic Review")
    ScrutinyChannelFactory(code="parliament", name="Parliament")
    conflict = RiskFactor.objects.create(number=1, name="Armed conflict", kind="common")
    RiskFactor.objects.create(number=2, name="Record of violations", kind="common")
    first = PreventionStepFactory(
        code="N1",
        title="Appoint a national R2P focal point",
        title_fr="Nommer un coordonnateur national",
        title_ar="تعيين منسق وطني للمسؤولية عن الحماية",
        description="Appoint and empower a senior focal point.",
        description_ar="تعيين منسق وطني رفيع المستوى وتمكينه.",
        basis="political",
        source_url="https://www.un.org/en/genocideprevention/",
        in_2017_report="yes",
        para_2017="para. 41",
    )
    first.channels.set([upr])
    first.risk_factors.set([conflict])
    second = PreventionStepFactory(
        code="I1", title="=Support regional early warning", level="intergovernmental"
    )
    CommitmentFactory(state=state_a, step=first)
    return first, second


def steps_csv(language: str = "en") -> bytes:
    response = Client().get("/steps/", {"format": "csv"}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def errors_of(run) -> dict[int, list[tuple]]:
    return {number: errors for number, (action, _c, errors) in report(run).items() if errors}


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_page_download_imports_unchanged(catalogue, secretariat, language):
    run = check(secretariat, S, steps_csv(language))
    assert run.state == ImportRun.State.CHECKED
    assert (run.unchanged, run.to_change, run.to_create, run.rejected) == (2, 0, 0, 0)
    assert run.unknown_columns == []
    # What the page shows for reading (its language, figures, address) is never written.
    assert run.ignored_columns == [
        "title",
        "description",
        "updated_at",
        "commitments",
        "states",
        "complete",
        "overdue_reviews",
        "url",
    ]


@pytest.mark.django_db
def test_the_export_has_every_public_field_of_a_step(catalogue):
    text = steps_csv().decode("utf-8-sig")
    header = text.splitlines()[0].split(",")
    for name in PreventionStep.PUBLIC_FIELDS:
        assert {"title": "title_en", "description": "description_en"}.get(name, name) in header
    row = dict(zip(header, text.splitlines()[1].split(","), strict=False))
    assert (row["code"], row["channels"], row["risk_factors"], row["is_active"]) == (
        "N1",
        "upr",
        "1",
        "true",
    )


@pytest.mark.django_db
def test_edited_cells_become_exactly_those_changes_and_the_apply_matches(catalogue, secretariat):
    first, second = catalogue
    ledger_before = LedgerEntry.objects.count()

    def edit(rows):
        rows[0]["title_es"] = "Nombrar un coordinador nacional"
        rows[0]["description_ar"] = ""
        rows[0]["channels"] = "upr parliament"
        rows[0]["risk_factors"] = "1 2"
        rows[0]["title"] = "ignored: the reader's language"
        rows[1]["is_active"] = "false"
        rows[1]["basis"] = "legal"
        rows.append(
            dict(
                rows[1],
                id="",
                code="U9",
                title_en="Brief the Security Council",
                description_en="The Secretary-General briefs the Council.",
                level="un-system",
                channels="",
                risk_factors="",
                is_active="true",
            )
        )

    run = check(secretariat, S, edit_csv(steps_csv(), edit), name="steps.csv")
    assert (run.to_change, run.to_create, run.unchanged, run.rejected) == (2, 1, 0, 0)
    rows = report(run)
    assert rows[2] == (
        "change",
        [
            ("title_es", "", "Nombrar un coordinador nacional"),
            ("description_ar", "تعيين منسق وطني رفيع المستوى وتمكينه.", ""),
            ("channels", "upr", "upr parliament"),
            ("risk_factors", "1", "1 2"),
        ],
        [],
    )
    assert rows[3] == (
        "change",
        [("basis", "political", "legal"), ("is_active", "true", "false")],
        [],
    )
    assert rows[4][0] == "create"
    assert PreventionStep.objects.count() == 2  # the dry run wrote nothing

    run = apply(run)
    assert run.state == ImportRun.State.APPLIED
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.title_es == "Nombrar un coordinador nacional"
    assert first.title == "Appoint a national R2P focal point"
    assert first.description_ar == ""
    assert sorted(first.channels.values_list("code", flat=True)) == ["parliament", "upr"]
    assert sorted(first.risk_factors.values_list("number", flat=True)) == [1, 2]
    assert (second.is_active, second.basis) == (False, "legal")
    created = PreventionStep.objects.get(code="U9")
    assert (created.level, created.title, created.source_document) == (
        "un-system",
        "Brief the Security Council",
        second.source_document,
    )
    reason = f"imported from steps.csv by {secretariat.username}"
    assert first.history.filter(history_change_reason=reason).exists()
    assert created.history.get().history_change_reason == reason
    # Reference data: history, not the ledger (D-11-1, D-14-10).
    assert LedgerEntry.objects.count() == ledger_before
    # Exported again and imported: nothing left to change.
    again = check(secretariat, S, steps_csv())
    assert (again.unchanged, again.to_change, again.to_create) == (3, 0, 0)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("level", "regional", "regional is not one of: national, intergovernmental, un-system"),
        ("basis", "", '"" is not one of: legal, political, moral'),
        ("channels", "upr senate", "senate is not a known scrutiny channel"),
        ("risk_factors", "1 99", "99 is not a known risk factor number"),
        ("is_active", "yes", "yes is not one of: true, false"),
        ("source_url", "www.un.org", "www.un.org is not a web address (http:// or https://)"),
        ("title_en", "", "this column cannot be empty"),
        ("title_fr", "x" * 201, "201 characters, at most 200"),
        (
            "in_2017_report",
            "maybe",
            "maybe is not one of: yes, heading-only, per-secondary, not-seen, other-document",
        ),
        ("id", "999999", "there is no step 999999"),
    ],
)
def test_a_bad_cell_is_rejected_with_its_row_and_column(
    catalogue, secretariat, column, value, message
):
    def edit(rows):
        rows[1][column] = value

    run = check(secretariat, S, edit_csv(steps_csv(), edit))
    assert errors_of(run) == {3: [(column, message)]}
    assert not run.may_apply


@pytest.mark.django_db
def test_the_code_is_the_key_and_never_changes(catalogue, secretariat):
    first, _second = catalogue

    def edit(rows):
        rows[0]["code"] = "N9"  # id says N1: refused, not renamed
        rows[1]["id"] = ""
        rows.append(dict(rows[1], title_en="The same step twice"))
        rows.append(dict(rows[1], id="", code="not a slug!", title_en="Bad code"))

    run = check(secretariat, S, edit_csv(steps_csv(), edit))
    assert errors_of(run) == {
        2: [
            (
                "code",
                f"step {first.pk} has the code N1: a step's code cannot change (commitments "
                "and addresses use it)",
            )
        ],
        4: [("", "this row is the same record as row 3")],
        5: [
            (
                "code",
                "Enter a valid “slug” consisting of letters, numbers, underscores or hyphens.",
            )
        ],
    }
    assert run.unchanged == 1  # row 3, matched by its code alone


@pytest.mark.django_db
def test_a_new_step_needs_its_required_columns(catalogue, secretariat):
    data = b"code,title_en,level\nN7,A step without a source,national\n"
    run = check(secretariat, S, data)
    assert errors_of(run) == {
        2: [
            ("description_en", "This field cannot be blank."),
            ("source_document", "This field cannot be blank."),
        ]
    }


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["focal_point_a", "delegate_a"])
def test_focal_points_and_delegates_are_refused_every_row(catalogue, request, who):
    run = check(request.getfixturevalue(who), S, steps_csv())
    assert run.rejected == 2
    assert errors_of(run)[2] == [("", "Only the secretariat curates the catalogue of steps.")]
    assert not run.may_apply


@pytest.mark.django_db
def test_the_workspace_offers_steps_to_the_secretariat_only(client, catalogue, focal_point_a):
    client.force_login(focal_point_a)
    page = client.get("/my/imports/").content.decode()
    assert 'value="steps"' not in page
    upload = SimpleUploadedFile("steps.csv", steps_csv(), "text/csv")
    response = client.post("/my/imports/", {"kind": "steps", "file": upload})
    assert response.status_code == 400
    assert not ImportRun.objects.exists()


@pytest.mark.django_db
def test_the_secretariat_uploads_checks_and_confirms_on_the_page(client, catalogue, secretariat):
    def edit(rows):
        rows[0]["title_fr"] = "Désigner un coordonnateur national"

    client.force_login(secretariat)
    assert 'value="steps"' in client.get("/my/imports/").content.decode()
    upload = SimpleUploadedFile("steps.csv", edit_csv(steps_csv(), edit), "text/csv")
    response = client.post("/my/imports/", {"kind": "steps", "file": upload})
    run = ImportRun.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "Nommer un coordonnateur national" in page and "Désigner" in page
    client.post(f"/my/imports/{run.pk}/confirm/")
    assert PreventionStep.objects.get(code="N1").title_fr == "Désigner un coordonnateur national"


@pytest.mark.django_db
@pytest.mark.parametrize("failure", [ValueError("disk full"), None])
def test_a_failure_at_row_n_of_the_apply_leaves_every_row_unchanged(
    catalogue, secretariat, monkeypatch, failure
):
    from django.core.exceptions import ValidationError

    from commitments.imports import kinds

    first, second = catalogue

    def edit(rows):
        rows[0]["actor"] = "Government"
        rows[1]["actor"] = "Regional organisations"

    run = check(secretariat, S, edit_csv(steps_csv(), edit))
    assert run.to_change == 2
    real = kinds.services.step_save

    def failing_on_second(*, step, **kwargs):
        if step is not None and step.pk == second.pk:
            raise failure or ValidationError({"actor": "refused"})
        return real(step=step, **kwargs)

    monkeypatch.setattr(kinds.services, "step_save", failing_on_second)
    run = apply(run)
    assert run.state == ImportRun.State.FAILED
    assert "nothing was applied" in run.error
    first.refresh_from_db()
    assert first.actor == ""
    assert not first.history.filter(history_change_reason__startswith="imported").exists()


@pytest.mark.django_db
def test_the_apply_is_refused_when_the_catalogue_changed_after_the_check(catalogue, secretariat):
    first, second = catalogue

    def edit(rows):
        rows[0]["actor"] = "Government"

    run = check(secretariat, S, edit_csv(steps_csv(), edit))
    second.para_2017 = "para. 12"  # changed meanwhile: the file's row 3 is now a change
    second.save()
    run = apply(run)
    assert run.state == ImportRun.State.FAILED
    first.refresh_from_db()
    assert first.actor == ""


@pytest.mark.django_db
def test_the_template_and_the_xlsx_export_round_trip(catalogue, secretariat):
    buffer = io.BytesIO()
    write_workbook(S, buffer, PreventionStep.objects.prefetch_related("channels", "risk_factors"))
    workbook = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    header = [c.value for c in workbook["records"][1]]
    assert header == steps_csv().decode("utf-8-sig").splitlines()[0].split(",")
    listed = {c.value for c in workbook["lists"][1]}
    assert {"level", "basis", "in_2017_report", "verification", "is_active"} <= listed
    assert len(workbook["records"].data_validations.dataValidation) == len(listed)
    run = check(secretariat, S, buffer.getvalue(), "steps.xlsx")
    assert (run.unchanged, run.to_change, run.rejected, run.unknown_columns) == (2, 0, 0, [])


@pytest.mark.django_db
def test_the_command_imports_steps(catalogue, secretariat, tmp_path, capsys):
    def edit(rows):
        rows[1]["title_ar"] = "دعم الإنذار المبكر الإقليمي"

    path = tmp_path / "steps.csv"
    path.write_bytes(edit_csv(steps_csv(), edit))
    call_command("import_records", str(path), "--kind", "steps", "--user", secretariat.username)
    out = capsys.readouterr().out
    assert "1 to change" in out and "title_ar:  → دعم الإنذار المبكر الإقليمي" in out
    assert PreventionStep.objects.get(code="I1").title_ar == "دعم الإنذار المبكر الإقليمي"
