"""`tellonce import`: the community health trust sends its SystmOne feed. Good rows land
with where they came from, bad rows are named by row, field and reason and skipped,
and sending the same file again changes nothing."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import yaml
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from tellonce.audit.models import Action, AuditEvent, Channel
from tellonce.feeds.models import FeedImport, FeedRowProblem, ImportStatus, ReportedInvolvement
from tellonce.feeds.services import reported_involvements_materialise
from tellonce.involvements.models import Capacity, Confirmation, Involvement
from tellonce.people.models import AgencyRecord, LinkMethod

pytestmark = pytest.mark.django_db

MAPPING = {
    "agency": "RNB",
    "system": "SystmOne",
    "required": ["family_name", "date_of_birth"],
    "record_id": "Patient ID",
    "given_name": "First Name",
    "family_name": "Surname",
    "date_of_birth": {"column": "DOB", "format": "%d/%m/%Y"},
    "sex": {"column": "Gender", "codes": {"1": "M", "2": "F", "0": "U"}},
    "nhs_number": "NHS Number",
    "postcode": "Postcode",
    "team": "Unit",
    "capacity": {"column": "Service", "codes": {"HV": "health_visiting", "SN": "school_nursing"}},
    "started_on": {"column": "Referral In", "format": "%d/%m/%Y"},
    "ended_on": {"column": "Discharged", "format": "%d/%m/%Y"},
    "practitioner": "Caseload Holder",
    "lead_professional": "Lead",
}
HEADER = list(
    "Patient ID,First Name,Surname,DOB,Gender,NHS Number,Postcode,Unit,Service,"
    "Referral In,Discharged,Caseload Holder,Lead".split(",")
)
AISHA = ["P1", "Aisha", "Khan", "27/03/2025", "2", "9434765919", "NB1 4QT", "Health visiting",
         "HV", "02/04/2025", "", "Priya Shah", "N"]  # fmt: skip
LEO = ["P2", "Leo", "Brown", "14/07/2024", "1", "", "NB2 5RS", "", "", "", "", "", ""]
MAYA = ["P3", "Maya", "Begum", "09/11/2023", "2", "", "", "Health visiting", "HV",
        "20/11/2023", "01/09/2025", "", "N"]  # fmt: skip


def feed(tmp_path: Path, rows: list[list[str]], name: str = "systmone.csv", **changes) -> Path:
    """A feed file with its mapping beside it."""
    path = tmp_path / name
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    path.with_suffix(".yaml").write_text(yaml.safe_dump(MAPPING | changes), encoding="utf-8")
    return path


def run_import(path: Path, *args: str, agency: str = "RNB") -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import", str(path), "--agency", agency, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def counts() -> dict[str, int]:
    labels = ["people.AgencyRecord", "people.Person", "feeds.ReportedInvolvement",
              "involvements.Involvement", "feeds.FeedRowProblem"]  # fmt: skip
    return {label: apps.get_model(label).objects.count() for label in labels}


def test_good_rows_land_unlinked_with_their_provenance(world, tmp_path):
    out, _ = run_import(feed(tmp_path, [AISHA, LEO, MAYA]))

    imported = FeedImport.objects.get()
    assert "read 3 rows: 3 new, 0 updated, 0 unchanged, 0 skipped" in out
    assert (imported.agency, imported.system, imported.file_name) == (
        world.health,
        "SystmOne",
        "systmone.csv",
    )
    assert imported.status == ImportStatus.COMPLETED and len(imported.file_sha256) == 64
    aisha = AgencyRecord.objects.get(agency=world.health, system="SystmOne", local_id="P1")
    assert (aisha.given_name, aisha.family_name, aisha.sex) == ("Aisha", "Khan", "F")
    assert (aisha.nhs_number, aisha.postcode) == ("9434765919", "NB1 4QT")
    assert aisha.person is None and aisha.link_method == LinkMethod.UNLINKED
    assert (aisha.feed, aisha.feed_row, aisha.received_on) == (imported, 2, imported.started_on)
    visiting = ReportedInvolvement.objects.get(agency_record=aisha)
    assert visiting.team == world.health_visiting
    assert visiting.capacity == Capacity.HEALTH_VISITING
    assert visiting.practitioner_name == "Priya Shah"
    assert (visiting.feed, visiting.feed_row) == (imported, 2)
    leo = AgencyRecord.objects.get(local_id="P2")
    assert not leo.reported_involvements.exists() and leo.feed_row == 3
    # Unlinked records are not yet anyone's involvement.
    assert not Involvement.objects.filter(source_record__in=[aisha, leo]).exists()


def test_bad_rows_are_named_by_row_field_and_reason_and_the_good_ones_land(world, tmp_path):
    bad_date = [*AISHA[:3], "31/02/2025", *AISHA[4:]]
    bad_date[0] = "P4"
    bad_nhs = [*LEO[:5], "9434765918", *LEO[6:]]
    bad_nhs[0] = "P5"
    no_surname = ["P6", "Sam", "", "01/01/2020", "1", "", "", "", "", "", "", "", ""]
    unknown_team = [*MAYA[:7], "Baby clinic", *MAYA[8:]]
    unknown_team[0] = "P7"
    path = feed(tmp_path, [AISHA, bad_date, LEO, bad_nhs, no_surname, unknown_team, MAYA])

    out, _ = run_import(path)

    assert out.splitlines()[:4] == [
        "Row 3: date_of_birth: is not a date like 27/03/2015",
        "Row 5: nhs_number: This is not a valid NHS number: its check digit does not match."
        " Check each digit",
        "Row 6: family_name: is missing",
        "Row 7: team: is not a team of Northbrook Community Health NHS Trust",
    ]
    assert "read 7 rows: 3 new, 0 updated, 0 unchanged, 4 skipped" in out
    problems = FeedRowProblem.objects.values_list("row_number", "field")
    assert list(problems) == [(3, "date_of_birth"), (5, "nhs_number"), (6, "family_name"),
                              (7, "team")]  # fmt: skip
    assert set(AgencyRecord.objects.values_list("local_id", flat=True)) == {"P1", "P2", "P3"}
    kept = " ".join(FeedRowProblem.objects.values_list("reason", flat=True)) + out
    for value in ("31/02/2025", "9434765918", "Baby clinic", "Sam"):
        assert value not in kept


def test_importing_the_same_file_again_changes_nothing(world, tmp_path):
    path = feed(tmp_path, [AISHA, LEO, MAYA])
    run_import(path)
    before = counts()
    stamps = dict(AgencyRecord.objects.values_list("local_id", "modified_on"))

    out, _ = run_import(path)

    assert "read 3 rows: 0 new, 0 updated, 3 unchanged, 0 skipped" in out
    assert counts() == before
    assert dict(AgencyRecord.objects.values_list("local_id", "modified_on")) == stamps
    first, second = FeedImport.objects.order_by("started_on")
    assert second.rows_unchanged == 3 and second.file_sha256 == first.file_sha256
    assert set(AgencyRecord.objects.values_list("feed", flat=True)) == {first.pk}


def test_a_changed_row_updates_the_record_and_records_the_new_provenance(world, tmp_path):
    run_import(feed(tmp_path, [AISHA, LEO, MAYA]))
    moved = [*LEO[:6], "NB9 9ZZ", *LEO[7:]]
    discharged = [*AISHA[:10], "01/10/2025", *AISHA[11:]]

    out, _ = run_import(feed(tmp_path, [discharged, moved, MAYA], name="next.csv"))

    assert "read 3 rows: 0 new, 2 updated, 1 unchanged, 0 skipped" in out
    first, second = FeedImport.objects.order_by("started_on")
    leo = AgencyRecord.objects.get(local_id="P2")
    assert leo.postcode == "NB9 9ZZ"
    assert (leo.feed, leo.feed_row, leo.received_on) == (second, 3, second.started_on)
    visiting = ReportedInvolvement.objects.get(agency_record__local_id="P1")
    assert str(visiting.ended_on) == "2025-10-01" and visiting.feed == second
    maya = AgencyRecord.objects.get(local_id="P3")
    assert maya.feed == first


def test_a_field_the_mapping_leaves_out_is_left_as_it_was(world, tmp_path):
    run_import(feed(tmp_path, [AISHA]))
    without_nhs = {k: v for k, v in MAPPING.items() if k != "nhs_number"}
    path = tmp_path / "no-nhs.csv"
    path.write_text(feed(tmp_path, [AISHA], name="tmp.csv").read_text())
    path.with_suffix(".yaml").write_text(yaml.safe_dump(without_nhs))

    out, _ = run_import(path)

    assert "1 unchanged" in out
    assert AgencyRecord.objects.get(local_id="P1").nhs_number == "9434765919"


def test_rows_repeating_a_record_with_its_details_bring_each_involvement(world, tmp_path):
    second_visit = [*AISHA[:9], "01/06/2025", *AISHA[10:]]

    out, _ = run_import(feed(tmp_path, [AISHA, second_visit]))

    assert "read 2 rows: 2 new, 0 updated, 0 unchanged, 0 skipped" in out
    assert ReportedInvolvement.objects.filter(agency_record__local_id="P1").count() == 2


def test_a_record_repeated_with_other_details_is_reported_on_each_of_its_rows(world, tmp_path):
    second_visit = [*AISHA[:9], "01/06/2025", *AISHA[10:]]
    other_surname = [*AISHA[:2], "Khan-Ali", *AISHA[3:]]

    out, _ = run_import(feed(tmp_path, [AISHA, second_visit, LEO, other_surname]))

    # Which surname is right cannot be told, so neither lands (the first no longer wins).
    taken = "with other details: none of these rows was taken"
    assert f"Row 2: record_id: is repeated on rows 3 and 5 {taken}" in out
    assert f"Row 3: record_id: is repeated on rows 2 and 5 {taken}" in out
    assert f"Row 5: record_id: is repeated on rows 2 and 3 {taken}" in out
    assert "read 4 rows: 1 new, 0 updated, 0 unchanged, 3 skipped" in out
    assert list(AgencyRecord.objects.values_list("local_id", flat=True)) == ["P2"]
    problems = FeedRowProblem.objects.values_list("row_number", "field")
    assert list(problems) == [(2, "record_id"), (3, "record_id"), (5, "record_id")]


def test_a_mapping_for_another_agency_is_refused(world, tmp_path):
    path = feed(tmp_path, [AISHA], agency="NBP")

    with pytest.raises(CommandError, match="is for agency NBP, not RNB"):
        run_import(path)
    assert not FeedImport.objects.exists()


def test_an_unknown_agency_code_says_how_to_find_the_codes(world, tmp_path):
    with pytest.raises(CommandError, match="--list-agencies"):
        run_import(feed(tmp_path, [AISHA]), agency="NOPE")

    out = io.StringIO()
    call_command("import", "--list-agencies", stdout=out)
    assert "RNB" in out.getvalue() and "Northbrook Police" in out.getvalue()


def test_the_mapping_is_found_beside_the_file_or_must_be_given(world, tmp_path):
    path = feed(tmp_path, [AISHA])
    elsewhere = tmp_path / "mappings" / "systmone.yaml"
    elsewhere.parent.mkdir()
    path.with_suffix(".yaml").rename(elsewhere)

    with pytest.raises(CommandError, match=r"No mapping for systmone\.csv"):
        run_import(path)
    out, _ = run_import(path, "--mapping", str(elsewhere))
    assert "1 new" in out


def test_a_file_missing_a_mapped_column_is_refused_whole_and_the_attempt_logged(world, tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("Patient ID,First Name\nP1,Aisha\n")
    path.with_suffix(".yaml").write_text(yaml.safe_dump(MAPPING))

    with pytest.raises(CommandError, match="has no column"):
        run_import(path)
    assert FeedImport.objects.get().status == ImportStatus.REFUSED
    assert not AgencyRecord.objects.exists()


def test_each_import_is_audited_once_with_counts_only(world, tmp_path):
    run_import(feed(tmp_path, [AISHA, LEO]))

    event = AuditEvent.objects.get(action=Action.CHANGE)
    assert event.channel == Channel.COMMAND
    assert event.object_type == "feeds.FeedImport"
    assert event.detail["new"] == 2 and event.detail["agency"] == "RNB"
    assert "command line" in event.actor_label
    assert "Aisha" not in str(event.detail) and "9434765919" not in str(event.detail)


def test_the_progress_bar_goes_to_stderr_when_asked(world, tmp_path):
    path = feed(tmp_path, [AISHA, LEO])

    _, quiet = run_import(path)
    _, shown = run_import(path, "--progress")

    assert quiet == ""
    assert "2/2" in shown and "rows" in shown


def test_a_linked_record_keeps_its_link_and_its_involvements_reach_the_register(world, tmp_path):
    # Lily's trust record, linked when the borough was set up.
    lily = AgencyRecord.objects.create(
        agency=world.health, system="SystmOne", local_id="P9", given_name="Lily",
        family_name="Taylor", date_of_birth=world.lily.date_of_birth, sex="F",
        person=world.lily, link_method=LinkMethod.SEED_TRUTH,
    )  # fmt: skip
    row = ["P9", "Lily", "Taylor", f"{world.lily.date_of_birth:%d/%m/%Y}", "2", "", "",
           "Health visiting", "HV", "01/10/2025", "", "Priya Shah", "Y"]  # fmt: skip
    path = feed(tmp_path, [row])

    out, _ = run_import(path)

    lily.refresh_from_db()
    assert lily.person == world.lily and lily.link_method == LinkMethod.SEED_TRUTH
    assert "1 new" in out
    entry = Involvement.objects.get(source_record=lily)
    assert (entry.person, entry.team, entry.practitioner) == (
        world.lily,
        world.health_visiting,
        world.priya,
    )
    assert entry.is_lead_professional and entry.source_system == "SystmOne"
    assert ReportedInvolvement.objects.get(agency_record=lily).involvement == entry
    before = counts()
    assert reported_involvements_materialise(agency_record=lily) == [entry]
    assert "1 unchanged" in run_import(path)[0]
    assert counts() == before


def test_a_register_entry_read_from_the_record_is_not_reported_twice(world, tmp_path):
    lily = AgencyRecord.objects.create(
        agency=world.health, system="SystmOne", local_id="P9", family_name="Taylor",
        given_name="Lily", date_of_birth=world.lily.date_of_birth, sex="F",
        person=world.lily, link_method=LinkMethod.SEED_TRUTH,
    )  # fmt: skip
    entry = Involvement.objects.create(
        confirmation=Confirmation.SYSTEM_OF_RECORD,
        person=world.lily, team=world.health_visiting, capacity=Capacity.HEALTH_VISITING,
        started_on="2025-10-01", practitioner=world.priya, source_agency=world.health,
        source_system="SystmOne", source_record=lily,
    )  # fmt: skip
    row = ["P9", "Lily", "Taylor", f"{world.lily.date_of_birth:%d/%m/%Y}", "2", "", "",
           "Health visiting", "HV", "01/10/2025", "", "Priya Shah", "N"]  # fmt: skip

    assert "1 unchanged" in run_import(feed(tmp_path, [row]))[0]
    assert not ReportedInvolvement.objects.exists()

    row[10] = "15/10/2025"  # discharged
    assert "1 updated" in run_import(feed(tmp_path, [row], name="next.csv"))[0]
    entry.refresh_from_db()
    assert str(entry.ended_on) == "2025-10-15"
    assert ReportedInvolvement.objects.get().involvement == entry
    assert Involvement.objects.filter(source_record=lily).count() == 1


def test_the_output_holds_no_names_dates_of_birth_or_identifiers(world, tmp_path):
    bad = [*AISHA[:5], "9434765918", *AISHA[6:]]
    bad[0] = "P8"
    out, err = run_import(feed(tmp_path, [AISHA, LEO, bad]), "--progress")

    for value in ("Aisha", "Khan", "27/03/2025", "9434765919", "9434765918", "P1", "NB1"):
        assert value not in out + err


def test_a_stored_record_differing_only_in_spacing_is_unchanged(world, tmp_path):
    # As seeded: no digest yet, and a doubled space in the surname.
    AgencyRecord.objects.create(
        agency=world.health, system="SystmOne", local_id="P2", given_name="Leo",
        family_name="Al  Hassan", date_of_birth="2024-07-14", sex="M", postcode="NB2 5RS",
    )  # fmt: skip
    row = ["P2", "Leo", "Al Hassan", *LEO[3:]]

    out, _ = run_import(feed(tmp_path, [row]))

    assert "1 unchanged" in out
    assert AgencyRecord.objects.get(local_id="P2").family_name == "Al  Hassan"


def test_adam_reads_the_import_log_in_the_admin_but_cannot_change_it(world, tmp_path, signed_in):
    from django.urls import reverse

    bad = [*AISHA[:3], "31/02/2025", *AISHA[4:]]
    run_import(feed(tmp_path, [LEO, bad]))
    imported = FeedImport.objects.get()
    world.adam.is_superuser = True
    world.adam.save()
    client = signed_in(world.adam)

    page = client.get(reverse("admin:feeds_feedimport_change", args=[imported.pk]))

    assert page.status_code == 200
    assert "is not a date like 27/03/2015" in page.content.decode()
    assert "Aisha" not in page.content.decode()
    assert client.get(reverse("admin:feeds_feedimport_add")).status_code == 403
    delete = reverse("admin:feeds_feedimport_delete", args=[imported.pk])
    assert client.get(delete).status_code == 403
