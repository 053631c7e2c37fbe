"""The seed data holds the seed article's facts and every sourced record, with doubts kept."""

import csv
import datetime
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from claims.models import Claim, ClaimKind, ClaimStatus, Confirmation, Incident
from groups.models import Affiliation, AffiliationStatus, Brand, Channel, Group, Relation
from kb.dates import DatePrecision
from kb.vocab import Confidence
from sources.models import Source

ROOT = Path(settings.BASE_DIR)
DATA = ROOT / "fixtures" / "data"
ARTICLE = "Islamic resistance in Iraq, the new anti-US brand linked to the Pasdaran"

pytestmark = pytest.mark.django_db


def rows(name):
    with open(DATA / f"{name}.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_seed_json_is_what_the_builder_makes_from_the_shared_data(tmp_path):
    out = tmp_path / "seed.json"
    subprocess.run(
        [sys.executable, str(ROOT / "fixtures" / "build_seed.py"), "--out", str(out)],
        check=True,
        capture_output=True,
    )
    assert out.read_bytes() == (ROOT / "fixtures" / "seed.json").read_bytes()


def test_every_sourced_record_is_in_the_seed():
    assert set(Incident.objects.values_list("code", flat=True)) == {
        r["key"] for r in rows("incidents")
    }
    assert set(Source.objects.exclude(url="").values_list("url", flat=True)) >= {
        r["url"] for r in rows("sources")
    }
    group_names = {r["name"] for r in rows("groups") if r["kind"] != "brand"}
    assert group_names <= set(Group.objects.values_list("name", flat=True))
    # 51 rows, of which three describe the Harir sequence's two claims.
    assert Claim.objects.count() == len(rows("claims")) - 1


def test_every_incident_claim_and_affiliation_cites_a_source():
    assert not Incident.objects.filter(citations__isnull=True).exists()
    assert not Claim.objects.filter(citations__isnull=True).exists()
    assert not Affiliation.objects.filter(citations__isnull=True).exists()
    assert not Relation.objects.filter(citations__isnull=True).exists()


def test_the_brand_is_a_brand_launched_in_october_2023():
    iri = Brand.objects.get(slug="islamic-resistance-in-iraq")
    assert (iri.acronym, iri.launched, iri.launched_precision) == (
        "IRI",
        datetime.date(2023, 10, 1),
        DatePrecision.MONTH,
    )
    assert iri.launched_display == "Oct 2023"
    assert iri.arabic_name == "المقاومة الإسلامية في العراق"
    assert not Group.objects.filter(name="Islamic Resistance in Iraq").exists()
    assert iri.sources.filter(title=ARTICLE).exists()


def test_the_brand_publishes_on_its_telegram_channel_elam_al_harbi():
    channel = Channel.objects.get(name__startswith="Elam al-Harbi")
    assert channel.platform == "telegram"
    assert channel.operated_by_brand.acronym == "IRI"


def test_nujaba_announced_its_affiliation_on_30_october_2023():
    affiliation = Affiliation.objects.get(
        group__name="Harakat Hezbollah al-Nujaba", status=AffiliationStatus.ANNOUNCED
    )
    assert affiliation.brand.acronym == "IRI"
    assert (affiliation.start, affiliation.start_precision) == (
        datetime.date(2023, 10, 30),
        DatePrecision.DAY,
    )
    citation = affiliation.citations.get()
    assert citation.source.title == ARTICLE
    assert "30 October publicly announced its affiliation" in citation.quote


@pytest.mark.parametrize(
    "group", ["Kata'ib Hezbollah", "Asa'ib Ahl al-Haq", "Kata'ib Sayyid al-Shuhada"]
)
def test_the_think_tank_assesses_three_groups_as_very_likely_members(group):
    affiliation = Affiliation.objects.get(
        group__name=group, assessed_by__startswith="The Washington Institute"
    )
    assert affiliation.status == AffiliationStatus.ASSESSED
    assert affiliation.confidence == Confidence.VERY_LIKELY


def test_the_quds_force_coordinates_the_brand():
    relation = Relation.objects.get(subject__name="IRGC Quds Force", kind="coordinates")
    assert relation.object_brand.acronym == "IRI"
    assert "coordinating role" in relation.citations.get().quote


def test_harir_claim_by_waritheen_is_superseded_by_the_brand_claim_and_both_are_kept():
    harir = Incident.objects.get(code="2023-10-18-harir-drone")
    first = harir.claims.get(group__name="Tashkil al-Waritheen")
    second = harir.claims.get(brand__acronym="IRI")
    assert first.status == ClaimStatus.SUPERSEDED
    assert first.superseded_by == second
    assert second.supersedes == first
    assert second.status == ClaimStatus.CURRENT
    assert "taken down" in first.status_note
    assert second.channel.name.startswith("Elam al-Harbi")


def test_harir_attack_keeps_the_disputed_date_and_the_qasef_2k():
    harir = Incident.objects.get(code="2023-10-18-harir-drone")
    assert (harir.date, harir.date_end) == (
        datetime.date(2023, 10, 17),
        datetime.date(2023, 10, 18),
    )
    assert harir.date_display == "17 Oct 2023 – 18 Oct 2023"
    assert "Qasef-2K" in harir.weapon_detail
    assert harir.location.name == "Harir Air Base"


def test_tower_22_three_killed_injured_as_a_range_and_attributed_to_kataib_hezbollah():
    tower = Incident.objects.get(code="2024-01-28-tower-22-drone")
    assert (tower.killed_low, tower.killed_high) == (3, 3)
    assert (tower.injured_low, tower.injured_high) == (34, 47)
    assert "dozens" in tower.casualty_note
    assert tower.country == "JO"
    assert tower.claims.filter(kind=ClaimKind.RESPONSIBILITY, brand__acronym="IRI").exists()
    pentagon = tower.claims.get(kind=ClaimKind.ATTRIBUTION, group__name="Kata'ib Hezbollah")
    assert pentagon.attributed_by.name == "United States"
    assert "Pentagon" in pentagon.attributed_by_detail
    assert tower.claims.filter(kind=ClaimKind.DENIAL, group__name="Iran").exists()


def test_unknown_casualties_are_empty_not_zero():
    tanf = Incident.objects.get(code="2023-10-19-al-tanf-drones")
    assert tanf.killed_low is None and tanf.injured_low is None
    assert tanf.killed_display == ""
    harir = Incident.objects.get(code="2023-10-18-harir-drone")
    assert (harir.killed_low, harir.injured_low) == (0, 0)


def test_week_precision_rows_say_only_the_announcement_date_is_known():
    week_keys = {r["key"] for r in rows("incidents") if r["date_precision"] == "week"}
    weeks = Incident.objects.filter(date_precision=DatePrecision.WEEK)
    assert set(weeks.values_list("code", flat=True)) == week_keys
    assert all("announced or reported" in i.date_note for i in weeks)


def test_the_unresolved_claimant_stays_unidentified():
    claim = Claim.objects.get(incident__code="2023-11-10-al-tanf-drone")
    assert claim.group.kind == "unidentified"


def test_the_machine_written_source_is_graded_unreliable():
    assert Source.objects.get(url__contains="3.77.176.231").reliability == "E"


def test_claimed_only_incidents_are_not_marked_confirmed():
    claimed_only = Incident.objects.get(code="2024-01-28-shaddadi-drone-claim")
    assert claimed_only.confirmation == Confirmation.UNKNOWN
