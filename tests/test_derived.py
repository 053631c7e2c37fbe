"""The incidents' derived fields (claims/derived.py) hold what they are derived from, after every
write path; `manage.py derived` finds stale ones and rebuilds them; and the filters that read them
select what the claims themselves say."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Exists, OuterRef

from claims import derived
from claims.models import (
    Claim,
    ClaimStatus,
    Incident,
    Location,
    competing_claims,
    current_responsibility,
)
from exchange.importer import import_rows
from groups.models import Brand, Group
from kb.dates import possible_range

pytestmark = pytest.mark.django_db

TOWER_22 = "2024-01-28-tower-22-drone"


def test_the_seed_s_derived_fields_are_up_to_date():
    assert derived.verify() == []


def test_the_competing_and_unclaimed_columns_agree_with_the_claims():
    claimed = Incident.objects.filter(claimant_count=1).first()
    rival = Group.objects.exclude(pk=claimed.claimant_group_id).first()
    Claim.objects.create(incident=claimed, group=rival, kind="responsibility")
    by_claims = set(
        Incident.objects.filter(Exists(competing_claims())).values_list("pk", flat=True)
    )
    assert set(Incident.objects.competing().values_list("pk", flat=True)) == by_claims
    assert claimed.pk in by_claims  # so the check above compares something
    has_claim = Exists(current_responsibility().filter(incident=OuterRef("pk")))
    unclaimed = set(Incident.objects.exclude(has_claim).values_list("pk", flat=True))
    assert set(Incident.objects.unclaimed().values_list("pk", flat=True)) == unclaimed


def test_the_possible_days_are_the_dates_precision_range():
    for incident in Incident.objects.all():
        expected = possible_range(incident.date, incident.date_precision, incident.date_end)
        assert (incident.first_day, incident.last_day) == expected, incident.code


def test_a_claim_s_save_move_and_deletion_refresh_its_incidents():
    tower, other = Incident.objects.get(code=TOWER_22), Incident.objects.exclude(code=TOWER_22)[0]
    claim = Claim.objects.create(
        incident=tower, group=Group.objects.order_by("pk").last(), kind="responsibility"
    )
    assert derived.verify() == []
    claim.incident = other
    claim.save()
    assert derived.verify() == []
    claim.status = ClaimStatus.RETRACTED
    claim.save()
    assert derived.verify() == []
    claim.delete()
    assert derived.verify() == []


def test_an_incident_s_date_change_and_a_location_s_rename_refresh_what_they_touch():
    incident = Incident.objects.exclude(location=None).first()
    incident.date_precision, incident.date = "month", incident.date.replace(day=1)
    incident.save()
    location = incident.location
    location.name = "Renamed place"
    location.save()
    assert derived.verify() == []
    assert "renamed place" in Incident.objects.get(pk=incident.pk).search_text  # folded


def test_an_import_keeps_them_up_to_date():
    text = "code,title,date,date_precision,country\n"
    text += "2024-02-02-imported,Imported,2024-02-01,month,IQ\n"
    result = import_rows("incidents", csv.DictReader(io.StringIO(text)), "test import")
    assert result.errors == []
    imported = Incident.objects.get(code="2024-02-02-imported")
    assert (imported.first_day.isoformat(), imported.last_day.isoformat()) == (
        "2024-02-01",
        "2024-02-29",
    )
    assert derived.verify() == []


def test_an_import_that_updates_incidents_writes_their_derived_fields_with_them():
    """A changed date, title and place: the possible days, the search text (the new title and
    place, and still the tokens of the actors its claims name) and the claimants, as the
    definition gives them."""
    tower = Incident.objects.get(code=TOWER_22)
    tokens = [t for t in tower.search_text.split() if t.startswith("actor")]
    assert tokens  # its claims name groups
    other = Location.objects.exclude(pk=tower.location_id).order_by("pk").first()
    text = "code,title,date,date_precision,country,location\n"
    text += f"{TOWER_22},A retitled attack (test),2024-01-01,month,{other.country},{other.slug}\n"
    result = import_rows("incidents", csv.DictReader(io.StringIO(text)), "test import")
    assert result.errors == [] and result.updated == 1
    tower.refresh_from_db()
    assert (tower.first_day.isoformat(), tower.last_day.isoformat()) == ("2024-01-01", "2024-01-31")
    assert "retitled" in tower.search_text.split()
    assert other.name.split()[-1].lower() in tower.search_text.split()
    assert all(token in tower.search_text.split() for token in tokens)
    assert derived.verify() == []


def test_a_write_that_bypasses_the_models_is_found_and_rebuilt():
    tower = Incident.objects.get(code=TOWER_22)
    Incident.objects.filter(pk=tower.pk).update(claimant_count=7, search_text="", first_day=None)
    assert derived.verify() == [f"incident {tower.pk}: first_day, claimant_count, search_text"]
    with pytest.raises(CommandError, match="1 incident"):
        call_command("derived", stdout=io.StringIO(), stderr=io.StringIO())
    out = io.StringIO()
    call_command("derived", "--rebuild", stdout=out)
    assert "up to date" in out.getvalue()
    assert derived.verify() == []


def test_the_search_text_names_every_actor_a_claim_names():
    tower = Incident.objects.get(code=TOWER_22)
    words = tower.search_text.split()
    for claim in tower.claims.all():
        if claim.group_id:
            assert f"actorg{claim.group_id}" in words
        if claim.brand_id:
            assert f"actorb{claim.brand_id}" in words


def test_the_claimant_columns_name_the_single_claimant():
    for incident in Incident.objects.filter(claimant_count=1):
        pair = set(
            current_responsibility().filter(incident=incident).values_list("group_id", "brand_id")
        )
        assert pair == {(incident.claimant_group_id, incident.claimant_brand_id)}
    assert Brand.objects.filter(pk__in=Incident.objects.values("claimant_brand")).exists()


def test_publishing_unpublishing_and_deleting_an_incident_keep_the_counts(pub):
    tower = Incident.objects.get(code=TOWER_22)
    group = tower.claims.exclude(group=None).first().group
    before = Group.objects.get(pk=group.pk)
    tower.status = "draft"
    tower.save()
    after = Group.objects.get(pk=group.pk)
    assert after.published_incidents == before.published_incidents - 1
    assert after.all_incidents == before.all_incidents
    assert derived.verify() == []
    location = tower.location
    tower.delete()
    assert derived.verify() == []
    assert location.incidents.count() == type(location).objects.get(pk=location.pk).all_incidents
