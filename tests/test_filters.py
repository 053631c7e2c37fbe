"""The list pages' filters, sorting and pagination, tested through their URLs on the seed data.

The query-string parameters are a public contract (README, "Incident filters"): bookmarks and
exports depend on them. Expected results are computed here independently of the FilterSets: from
fixtures/data/*.csv (the seed's source), or from the stored records with plain Python.
"""

import calendar
import csv
import datetime
from itertools import pairwise
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.db.models.functions import Lower

from claims.models import (
    Claim,
    ClaimKind,
    ClaimStatus,
    Incident,
    Location,
    PublicationStatus,
)
from groups.models import Affiliation, AffiliationStatus, Brand, Group
from kb.dates import DatePrecision
from sources.models import Source

pytestmark = pytest.mark.django_db

D = datetime.date
DATA = Path(settings.BASE_DIR) / "fixtures" / "data"

KH = "kataib-hezbollah"
TASHKIL = "tashkil-al-waritheen"
IRI = "islamic-resistance-in-iraq"
AAH = "asaib-ahl-al-haq"

HARIR = "2023-10-18-harir-drone"  # dated 17-18 Oct 2023 (sources disagree)
AIN_AL_ASAD_WEEK = "2023-10-21-ain-al-asad-drones"  # week precision: 15-21 Oct 2023
AIN_AL_ASAD_18_OCT = "2023-10-18-ain-al-asad-drones"
ERBIL_CHRISTMAS = "2023-12-25-erbil-air-base-drone"
TOWER_22 = "2024-01-28-tower-22-drone"  # injured 34-47
AL_OMAR_SDF = "2024-02-04-al-omar-drone-sdf"  # killed 6-7
JURF_STRIKES = "2023-11-22-jurf-al-sakhar-us-strikes"  # killed 5-8
CRBM = "2023-11-20-ain-al-asad-crbm"
HARIR_FIRE = "2023-11-09-harir-drone-fire"
HARIR_11_NOV = "2023-11-11-harir-drone"
ERBIL_AIRPORT_24_JAN = "2024-01-24-erbil-airport-base-attack"


# --- Reading the seed's source files ------------------------------------------------------------


def csv_rows(name):
    with open(DATA / f"{name}.csv", newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


INCIDENT_ROWS = csv_rows("incidents")
CLAIM_ROWS = csv_rows("claims")
ALL_CODES = {row["key"] for row in INCIDENT_ROWS}
COUNTRY_CODE = {"Iraq": "IQ", "Syria": "SY", "Jordan": "JO"}


def retracted_pairs():
    """(incident, claimant) pairs whose claim the claimant took down (claims.csv 'retracted')."""
    return {(r["incident_key"], r["claimant"]) for r in CLAIM_ROWS if r["status"] == "retracted"}


def csv_naming(claimant):
    """Incidents the claimant currently claims or is blamed for, per claims.csv: its 'claimed',
    'amended' and 'attributed' rows, less claims it later retracted."""
    taken_down = retracted_pairs()
    return {
        r["incident_key"]
        for r in CLAIM_ROWS
        if r["claimant"] == claimant
        and r["status"] in {"claimed", "amended", "attributed"}
        and (r["incident_key"], r["claimant"]) not in taken_down
    }


def csv_claimed():
    """Incidents with a current claim of responsibility (anyone's), per claims.csv."""
    taken_down = retracted_pairs()
    return {
        r["incident_key"]
        for r in CLAIM_ROWS
        if r["status"] in {"claimed", "amended"}
        and (r["incident_key"], r["claimant"]) not in taken_down
    }


def csv_with_status(*statuses):
    return {r["incident_key"] for r in CLAIM_ROWS if r["status"] in statuses}


# --- Independent date arithmetic --------------------------------------------------------------


def possible_days(incident):
    """First and last day the incident may have happened on, from its stored date fields."""
    first = incident.date
    if incident.date_precision == DatePrecision.WEEK:
        first = incident.date - datetime.timedelta(days=6)
    if incident.date_end:
        return first, incident.date_end
    if incident.date_precision == DatePrecision.MONTH:
        last_day = calendar.monthrange(incident.date.year, incident.date.month)[1]
        return first, incident.date.replace(day=last_day)
    if incident.date_precision == DatePrecision.YEAR:
        return first, incident.date.replace(month=12, day=31)
    return first, incident.date


def overlaps(incident, start, end):
    first, last = possible_days(incident)
    return (start is None or last >= start) and (end is None or first <= end)


# --- Talking to the pages ---------------------------------------------------------------------


def get(client, path, params=None):
    query = urlencode(params or {}, doseq=True)
    return client.get(f"{path}?{query}" if query else path)


def page_records(response):
    return [row.record for row in response.context["table"].paginated_rows]


def listing(client, path, params=None):
    """Every row of a list, asking for one page of 200 (the largest page size)."""
    response = get(client, path, {**(params or {}), "per_page": 200})
    assert response.status_code == 200, response.context["filterset"].errors
    records = page_records(response)
    assert response.context["table"].paginator.count == len(records)
    return records


def codes(client, params=None, path="/incidents/"):
    return {incident.code for incident in listing(client, path, params)}


def assert_rejected(client, path, params, parameter):
    """A bad value is an HTTP 400 naming the parameter, with no rows (never a 500)."""
    response = get(client, path, params)
    assert response.status_code == 400
    assert parameter in response.context["filterset"].errors
    assert response.context["table"].paginator.count == 0


def make_incident(code, **fields):
    defaults = {
        "title": f"Synthetic incident {code}",
        "date": D(2023, 9, 15),
        "date_precision": DatePrecision.DAY,
        "country": "IQ",
        "status": PublicationStatus.PUBLISHED,
    }
    incident = Incident(code=code, **{**defaults, **fields})
    incident.full_clean()  # as the admin saves it: month/year dates are normalised
    incident.save()
    return incident


def add_responsibility_claim(code, group=None, brand=None, status=ClaimStatus.CURRENT):
    return Claim.objects.create(
        incident=Incident.objects.get(code=code),
        kind=ClaimKind.RESPONSIBILITY,
        group=Group.objects.get(slug=group) if group else None,
        brand=Brand.objects.get(slug=brand) if brand else None,
        status=status,
    )


# --- Dates: overlap with the possible dates ----------------------------------------------------


def test_seed_incidents_cover_the_date_cases_under_test():
    harir = Incident.objects.get(code=HARIR)
    assert (harir.date, harir.date_end) == (D(2023, 10, 17), D(2023, 10, 18))
    week = Incident.objects.get(code=AIN_AL_ASAD_WEEK)
    assert (week.date, week.date_precision, week.date_end) == (D(2023, 10, 21), "week", None)


def test_date_from_keeps_an_incident_whose_date_range_ends_on_that_day(client):
    assert HARIR in codes(client, {"date_from": "2023-10-18"})
    assert HARIR not in codes(client, {"date_from": "2023-10-19"})


def test_date_to_keeps_an_incident_whose_date_range_starts_on_that_day(client):
    assert HARIR in codes(client, {"date_to": "2023-10-17"})
    assert HARIR not in codes(client, {"date_to": "2023-10-16"})


def test_a_one_day_range_inside_an_incidents_date_range_finds_it(client):
    found = codes(client, {"date_from": "2023-10-17", "date_to": "2023-10-17"})
    assert HARIR in found
    assert AIN_AL_ASAD_18_OCT not in found  # dated 18 Oct exactly


def test_a_week_precision_incident_covers_the_seven_days_ending_on_its_date(client):
    # The week to 21 Oct starts on 15 Oct: nothing else in the seed is that early.
    assert codes(client, {"date_to": "2023-10-15"}) == {AIN_AL_ASAD_WEEK}
    assert codes(client, {"date_to": "2023-10-14"}) == set()
    assert AIN_AL_ASAD_WEEK in codes(client, {"date_from": "2023-10-21"})
    assert AIN_AL_ASAD_WEEK not in codes(client, {"date_from": "2023-10-22"})
    inside = codes(client, {"date_from": "2023-10-16", "date_to": "2023-10-16"})
    assert inside == {AIN_AL_ASAD_WEEK}


def test_a_month_precision_incident_covers_its_whole_month(client):
    september = make_incident(
        "2023-09-synthetic-month", date=D(2023, 9, 15), date_precision="month"
    )
    assert september.date == D(2023, 9, 1)  # stored as the month's first day
    code = september.code
    assert code in codes(client, {"date_from": "2023-09-30"})
    assert code in codes(client, {"date_to": "2023-09-01"})
    assert code in codes(client, {"date_from": "2023-09-10", "date_to": "2023-09-20"})
    assert code in codes(client, {"date_from": "2023-08-01", "date_to": "2023-09-01"})
    assert code not in codes(client, {"date_from": "2023-10-01"})
    assert code not in codes(client, {"date_to": "2023-08-31"})
    assert code not in codes(client, {"date_from": "2023-08-01", "date_to": "2023-08-31"})


def test_a_day_precision_incident_is_not_widened(client):
    single = make_incident("2023-09-15-synthetic-day", date=D(2023, 9, 15))
    assert single.code in codes(client, {"date_from": "2023-09-15", "date_to": "2023-09-15"})
    assert single.code not in codes(client, {"date_from": "2023-09-16"})
    assert single.code not in codes(client, {"date_to": "2023-09-14"})


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (D(2023, 10, 17), D(2023, 10, 17)),
        (None, D(2023, 10, 20)),
        (D(2023, 10, 15), None),
        (D(2023, 11, 16), D(2023, 11, 18)),
        (D(2023, 12, 27), D(2023, 12, 31)),
        (D(2024, 1, 20), D(2024, 1, 22)),
        (D(2024, 2, 5), None),
    ],
)
def test_date_range_selects_exactly_the_incidents_whose_possible_dates_overlap_it(
    client, start, end
):
    params = {}
    if start:
        params["date_from"] = start.isoformat()
    if end:
        params["date_to"] = end.isoformat()
    expected = {i.code for i in Incident.objects.all() if overlaps(i, start, end)}
    assert expected  # every range here selects something
    assert codes(client, params) == expected


@pytest.mark.parametrize(
    "params",
    [
        {"date_from": "2024-01-01", "date_to": "2023-12-31"},
        {"date_from": "18/10/2023"},
        {"date_to": "2023-02-30"},
    ],
)
def test_a_bad_or_reversed_date_range_is_refused(client, params):
    response = get(client, "/incidents/", params)
    assert response.status_code == 400
    assert response.context["filterset"].errors
    assert response.context["table"].paginator.count == 0


# --- Place -------------------------------------------------------------------------------------


def test_country_filter(client):
    assert codes(client, {"country": "JO"}) == {TOWER_22}
    iraq = {r["key"] for r in INCIDENT_ROWS if r["country"] == "Iraq"}
    assert codes(client, {"country": "IQ"}) == iraq
    assert codes(client, {"country": "IR"}) == set()  # a valid code without incidents


def test_country_is_repeatable(client):
    iraq_or_syria = {r["key"] for r in INCIDENT_ROWS if r["country"] in {"Iraq", "Syria"}}
    assert codes(client, {"country": ["IQ", "SY"]}) == iraq_or_syria
    assert TOWER_22 not in iraq_or_syria
    assert codes(client, {"country": ["IQ", "SY", "JO"]}) == ALL_CODES


def test_unknown_country_code_is_refused(client):
    assert_rejected(client, "/incidents/", {"country": "XX"}, "country")


def test_admin1_matches_the_whole_name_in_any_case(client):
    assert codes(client, {"admin1": "mafraq governorate"}) == {TOWER_22}
    erbil = {i.code for i in Incident.objects.all() if i.admin1 == "Erbil Governorate"}
    assert len(erbil) > 1
    assert codes(client, {"admin1": "ERBIL GOVERNORATE"}) == erbil
    assert codes(client, {"admin1": "Erbil"}) == set()  # not a substring match


def test_location_filter_takes_a_slug(client):
    assert codes(client, {"location": "tower-22"}) == {TOWER_22}
    harir = {
        i.code
        for i in Incident.objects.select_related("location")
        if i.location and i.location.name == "Harir Air Base"
    }
    assert HARIR in harir
    assert codes(client, {"location": "harir-air-base"}) == harir
    assert codes(client, {"location": "rukban-camp"}) == set()  # a site without incidents


def test_unknown_location_slug_is_refused(client):
    assert_rejected(client, "/incidents/", {"location": "atlantis"}, "location")


# --- Who: group, brand, claim kind and status --------------------------------------------------


def test_group_gives_incidents_the_group_claimed_or_is_blamed_for(client):
    assert codes(client, {"group": KH}) == {ERBIL_CHRISTMAS, TOWER_22}
    assert codes(client, {"group": KH}) == csv_naming("Kata'ib Hezbollah")


def test_group_counts_only_current_claims_so_a_superseded_claim_is_left_out(client):
    assert codes(client, {"group": TASHKIL}) == set()
    assert codes(client, {"group": TASHKIL, "claim_status": "superseded"}) == {HARIR}
    assert codes(client, {"group": TASHKIL, "claim_status": "retracted"}) == set()


def test_group_does_not_count_a_denial_unless_asked(client):
    assert codes(client, {"group": "iran"}) == set()
    assert codes(client, {"group": "iran", "claim_kind": "denial"}) == {TOWER_22}


def test_group_does_not_count_attributions_the_group_made_about_others(client):
    # The United States attributed Tower 22 to KH, the IRI and HAAA; it claimed its own strikes.
    us = codes(client, {"group": "united-states"})
    assert us == csv_naming("United States")
    assert TOWER_22 not in us


def test_claim_kind_narrows_what_the_group_filter_counts(client):
    assert codes(client, {"group": KH, "claim_kind": "responsibility"}) == {ERBIL_CHRISTMAS}
    assert codes(client, {"group": KH, "claim_kind": "attribution"}) == {ERBIL_CHRISTMAS, TOWER_22}
    assert codes(client, {"group": KH, "claim_kind": "denial"}) == set()


def test_unknown_group_slug_is_refused(client):
    assert_rejected(client, "/incidents/", {"group": "no-such-group"}, "group")


def test_group_via_brand_adds_incidents_claimed_under_the_groups_brands(client):
    iri = csv_naming("Islamic Resistance in Iraq")
    assert codes(client, {"group": AAH}) == set()
    assert codes(client, {"group": AAH, "group_via_brand": "1"}) == iri
    kh_or_iri = csv_naming("Kata'ib Hezbollah") | iri
    assert codes(client, {"group": KH, "group_via_brand": "1"}) == kh_or_iri
    assert codes(client, {"group": KH, "group_via_brand": "0"}) == {ERBIL_CHRISTMAS, TOWER_22}
    # A group in no brand gains nothing.
    assert codes(client, {"group": "united-states", "group_via_brand": "1"}) == csv_naming(
        "United States"
    )


@pytest.mark.parametrize(
    ("status", "widened"),
    [
        (AffiliationStatus.SUSPECTED, True),
        (AffiliationStatus.ANNOUNCED, True),
        (AffiliationStatus.DENIED, False),
        (AffiliationStatus.ENDED, False),
    ],
)
def test_group_via_brand_follows_only_live_affiliations(client, status, widened):
    group = Group.objects.create(
        status="published", name="Synthetic Brigade", slug="synthetic-brigade"
    )
    Affiliation.objects.create(group=group, brand=Brand.objects.get(slug=IRI), status=status)
    found = codes(client, {"group": group.slug, "group_via_brand": "1"})
    assert found == (csv_naming("Islamic Resistance in Iraq") if widened else set())


def test_group_via_brand_without_a_group_changes_nothing(client):
    assert codes(client, {"group_via_brand": "1"}) == ALL_CODES


def test_brand_gives_incidents_claimed_under_or_attributed_to_it(client):
    iri = csv_naming("Islamic Resistance in Iraq")
    assert len(iri) > 30
    assert codes(client, {"brand": IRI}) == iri
    assert codes(client, {"brand": IRI, "claim_kind": "attribution"}) == {CRBM, TOWER_22}
    assert codes(client, {"brand": IRI, "claim_kind": "denial"}) == set()


def test_brand_without_claims_gives_nothing_and_unknown_brand_is_refused(client):
    Brand.objects.create(status="published", name="Synthetic Front", slug="synthetic-front")
    assert codes(client, {"brand": "synthetic-front"}) == set()
    assert_rejected(client, "/incidents/", {"brand": "no-such-brand"}, "brand")


def test_claim_kind_alone_selects_incidents_with_such_a_claim(client):
    assert codes(client, {"claim_kind": "denial"}) == csv_with_status("denied") == {TOWER_22}
    attributed = csv_with_status("attributed")
    assert codes(client, {"claim_kind": "attribution"}) == attributed
    assert codes(client, {"claim_kind": "responsibility"}) == csv_with_status("claimed", "amended")
    both = codes(client, {"claim_kind": ["denial", "attribution"]})
    assert both == attributed | {TOWER_22}
    assert_rejected(client, "/incidents/", {"claim_kind": "rumour"}, "claim_kind")


def test_claim_status_alone_selects_incidents_with_such_a_claim(client):
    assert codes(client, {"claim_status": "superseded"}) == {HARIR}
    assert codes(client, {"claim_status": "retracted"}) == set()
    assert codes(client, {"claim_status": "current"}) == {r["incident_key"] for r in CLAIM_ROWS}
    assert_rejected(client, "/incidents/", {"claim_status": "deleted"}, "claim_status")


# --- What: weapon, target, casualties, confirmation --------------------------------------------


def stored(predicate):
    return {i.code for i in Incident.objects.all() if predicate(i)}


def test_weapon_filter_is_repeatable(client):
    rockets = stored(lambda i: i.weapon == "rocket")
    assert rockets
    assert codes(client, {"weapon": "rocket"}) == rockets
    either = stored(lambda i: i.weapon in {"rocket", "ballistic_missile"})
    assert either == rockets | {CRBM}
    assert codes(client, {"weapon": ["rocket", "ballistic_missile"]}) == either
    assert codes(client, {"weapon": "cruise_missile"}) == set()
    assert_rejected(client, "/incidents/", {"weapon": "laser"}, "weapon")


def test_target_filter(client):
    leaders = codes(client, {"target": "armed_group_leader"})
    assert leaders == {
        "2024-01-04-baghdad-us-strike-nujaba",
        "2024-02-07-baghdad-mashtal-us-strike",
    }
    assert codes(client, {"target": "partner_forces"}) == {AL_OMAR_SDF}
    assert codes(client, {"target": ["partner_forces", "armed_group_leader"]}) == leaders | {
        AL_OMAR_SDF
    }
    assert codes(client, {"target": "civilians"}) == set()


def test_killed_min_compares_with_the_low_figure(client):
    assert codes(client, {"killed_min": "6"}) == {AL_OMAR_SDF}  # 6-7
    # 7 is within the ranges of al-Omar (6-7), Jurf al-Sakhar (5-8) and others, but no low is 7.
    assert codes(client, {"killed_min": "7"}) == set()
    assert codes(client, {"killed_min": "5"}) == {AL_OMAR_SDF, JURF_STRIKES}


def test_injured_min_compares_with_the_low_figure(client):
    assert codes(client, {"injured_min": "34"}) == {TOWER_22}  # 34-47
    assert codes(client, {"injured_min": "35"}) == set()


def test_zero_minimum_keeps_known_figures_and_drops_unknown_ones(client):
    known_killed = stored(lambda i: i.killed_low is not None)
    assert known_killed and known_killed != ALL_CODES
    assert codes(client, {"killed_min": "0"}) == known_killed
    assert codes(client, {"injured_min": "0"}) == stored(lambda i: i.injured_low is not None)


@pytest.mark.parametrize("value", ["-1", "abc", "1.5", "1000001"])
def test_bad_casualty_minimum_is_refused(client, value):
    assert_rejected(client, "/incidents/", {"killed_min": value}, "killed_min")


def test_confirmation_filter_is_repeatable(client):
    assert codes(client, {"confirmation": "no_comment"}) == {ERBIL_AIRPORT_24_JAN}
    assert codes(client, {"confirmation": "denied"}) == set()
    confirmed = stored(lambda i: i.confirmation == "confirmed")
    assert TOWER_22 in confirmed
    assert codes(client, {"confirmation": "confirmed"}) == confirmed
    assert codes(client, {"confirmation": ["confirmed", "unknown"]}) == ALL_CODES - {
        ERBIL_AIRPORT_24_JAN
    }


# --- Competing and unclaimed ------------------------------------------------------------------


def test_seed_has_no_competing_claims(client):
    # Harir's superseded claim and Tower 22's attributions do not compete with the IRI's claim.
    assert codes(client, {"competing": "1"}) == set()
    assert codes(client, {"competing": "0"}) == ALL_CODES


def test_competing_finds_two_current_claims_by_different_claimants(client):
    add_responsibility_claim(HARIR_FIRE, group=KH)  # the IRI claimed it too
    assert codes(client, {"competing": "1"}) == {HARIR_FIRE}
    assert codes(client, {"competing": "0"}) == ALL_CODES - {HARIR_FIRE}


def test_claims_under_two_different_brands_compete(client):
    Brand.objects.create(status="published", name="Synthetic Front", slug="synthetic-front")
    add_responsibility_claim(HARIR_FIRE, brand="synthetic-front")  # the IRI claimed it too
    assert codes(client, {"competing": "1"}) == {HARIR_FIRE}


def test_a_second_claim_by_the_same_claimant_does_not_compete(client):
    add_responsibility_claim(HARIR_FIRE, brand=IRI)
    assert codes(client, {"competing": "1"}) == set()


def test_a_superseded_rival_claim_does_not_compete(client):
    add_responsibility_claim(HARIR_FIRE, group=KH, status=ClaimStatus.SUPERSEDED)
    assert codes(client, {"competing": "1"}) == set()


def test_unclaimed_means_no_current_claim_of_responsibility(client):
    unclaimed = ALL_CODES - csv_claimed()
    assert CRBM in unclaimed  # attributed to the IRI, but nobody claimed it
    assert HARIR not in unclaimed  # the IRI's superseding claim is current
    assert codes(client, {"unclaimed": "1"}) == unclaimed
    assert codes(client, {"unclaimed": "0"}) == ALL_CODES - unclaimed


def test_a_superseded_or_retracted_claim_leaves_an_incident_unclaimed(client):
    add_responsibility_claim(HARIR_11_NOV, brand=IRI, status=ClaimStatus.RETRACTED)
    add_responsibility_claim(CRBM, group=KH, status=ClaimStatus.SUPERSEDED)
    assert {HARIR_11_NOV, CRBM} <= codes(client, {"unclaimed": "1"})


def test_a_new_claim_of_responsibility_takes_an_incident_off_the_unclaimed_list(client):
    assert HARIR_11_NOV in codes(client, {"unclaimed": "1"})
    add_responsibility_claim(HARIR_11_NOV, brand=IRI)
    assert HARIR_11_NOV not in codes(client, {"unclaimed": "1"})


@pytest.mark.parametrize("parameter", ["competing", "unclaimed", "group_via_brand"])
def test_a_flag_refuses_anything_but_yes_or_no(client, parameter):
    assert_rejected(client, "/incidents/", {parameter: "maybe"}, parameter)


# --- Free text --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Barracks", {"2023-10-26-erbil-air-base-drone"}),  # title
        ("Christmas", {ERBIL_CHRISTMAS}),  # summary
        ("Trebil", {"2024-01-24-us-strikes-kh-three-facilities"}),  # place
        ("Qasef", {HARIR}),  # weapon detail
        ("Tower 22", {TOWER_22}),
        ("drone Christmas", {ERBIL_CHRISTMAS}),  # every word
    ],
)
def test_q_finds_incidents_by_their_text(client, query, expected):
    assert codes(client, {"q": query}) == expected


def test_q_finds_incidents_by_a_location_alternate_name(client):
    harir = {
        i.code
        for i in Incident.objects.select_related("location")
        if i.location and "Bashur Airfield" in i.location.alternate_names
    }
    assert len(harir) > 1
    assert codes(client, {"q": "Bashur"}) == harir


def test_q_finds_incidents_claimed_by_or_attributed_to_the_group_it_names(client):
    # No incident's text says "Hizballah"; it is one of Kata'ib Hezbollah's aliases. It finds the
    # incidents claimed by or attributed to the group, and those whose text names it (or a word
    # of its name) in another spelling: the same as "Hezbollah" (tests/test_search_spellings.py).
    assert not stored(lambda i: "hizballah" in f"{i.title} {i.summary} {i.place}".lower())
    found = codes(client, {"q": "Hizballah"})
    assert {ERBIL_CHRISTMAS, TOWER_22} <= found
    assert found == codes(client, {"q": "Hezbollah"})
    assert {ERBIL_CHRISTMAS, TOWER_22} <= codes(client, {"q": "Hizballah Brigades"})


def test_q_with_no_match_finds_nothing(client):
    assert codes(client, {"q": "zebra"}) == set()


def test_overlong_q_is_refused(client):
    assert_rejected(client, "/incidents/", {"q": "x" * 201}, "q")


# --- Combinations ------------------------------------------------------------------------------


def test_analyst_question_syria_from_17_october_to_end_2023_under_the_brand(client):
    """Which attacks in Syria between 17 Oct and 31 Dec 2023 were claimed under (or blamed on) the
    Islamic Resistance in Iraq? Counted from the CSV files, with week-precision rows covering the
    seven days ending on their date (so the two week-long 2 January rows count)."""
    start, end = D(2023, 10, 17), D(2023, 12, 31)

    def in_range(row):
        day = D.fromisoformat(row["date"])
        first = day - datetime.timedelta(days=6) if row["date_precision"] == "week" else day
        return first <= end and day >= start

    iri = csv_naming("Islamic Resistance in Iraq")
    expected = {r["key"] for r in INCIDENT_ROWS if r["country"] == "Syria" and in_range(r)} & iri
    assert "2024-01-02-shaddadi-base" in expected  # week to 2 Jan: 27 Dec - 2 Jan
    params = {"country": "SY", "date_from": "2023-10-17", "date_to": "2023-12-31", "brand": IRI}
    response = get(client, "/incidents/", params)
    assert response.status_code == 200
    assert response.context["table"].paginator.count == len(expected) == 12
    assert codes(client, params) == expected


def test_filters_combine_with_and(client):
    params = {"country": "IQ", "weapon": "one_way_drone", "confirmation": "confirmed", "brand": IRI}
    expected = {
        i.code
        for i in Incident.objects.all()
        if i.country == "IQ" and i.weapon == "one_way_drone" and i.confirmation == "confirmed"
    } & csv_naming("Islamic Resistance in Iraq")
    assert expected
    assert codes(client, params) == expected


def test_q_combines_with_other_filters(client):
    assert codes(client, {"q": "Hizballah", "country": "JO"}) == {TOWER_22}
    assert codes(client, {"q": "Bashur", "date_to": "2023-10-31"}) == {HARIR}


# --- Sorting ----------------------------------------------------------------------------------


def db_rank(model, field):
    """Each value's position in the order lists promise for text: the database's collation,
    ignoring case; empty text is unknown (None), which sorts last."""
    rank, positions = {"": None}, {}
    for value in model.objects.order_by(Lower(field)).values_list(field, flat=True):
        if value:
            rank[value] = positions.setdefault(value.lower(), len(positions))
    return rank


def assert_sorted(records, keys, descending):
    """Consecutive rows are in order by the keys (the first that differs decides), with unknown
    (None) values after every known one in both directions."""
    for before, after in pairwise(records):
        for key in keys:
            a, b = key(before), key(after)
            if a == b:
                continue
            assert a is not None, f"unknown value sorted before a known one: {before} / {after}"
            if b is not None:
                assert (a > b) if descending else (a < b), f"{before} / {after}"
            break


def incident_sort_keys():
    titles, countries, admin1s = (db_rank(Incident, f) for f in ("title", "country", "admin1"))
    weapons, confirmations = db_rank(Incident, "weapon"), db_rank(Incident, "confirmation")
    names = db_rank(Location, "name")

    def location(i):
        return names[i.location.name] if i.location else None

    return {
        "date": [lambda i: i.date],
        "title": [lambda i: titles[i.title]],
        "country": [lambda i: countries[i.country], lambda i: admin1s[i.admin1]],
        "location": [location],
        "weapon": [lambda i: weapons[i.weapon]],
        "killed": [lambda i: i.killed_low, lambda i: i.killed_high],
        "injured": [lambda i: i.injured_low, lambda i: i.injured_high],
        "confirmation": [lambda i: confirmations[i.confirmation]],
    }


INCIDENT_SORTS = ["date", "title", "country", "location", "weapon", "killed", "injured"]
INCIDENT_SORTS += ["confirmation"]


@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
@pytest.mark.parametrize("sort", INCIDENT_SORTS)
def test_incident_sort_orders_rows_with_unknown_values_last(client, sort, descending):
    records = listing(client, "/incidents/", {"sort": f"-{sort}" if descending else sort})
    assert {i.code for i in records} == ALL_CODES
    keys = incident_sort_keys()[sort]
    assert_sorted(records, keys, descending)
    first_values = [keys[0](i) for i in records]
    assert first_values[0] != first_values[-1]  # the order is not trivially true
    if None in first_values:  # unknown figures and places: last in both directions
        assert first_values[-1] is None
        assert first_values.index(None) == len(first_values) - first_values.count(None)


def test_unknown_figures_exist_for_the_sorts_that_must_put_them_last():
    assert Incident.objects.filter(killed_low__isnull=True).exists()
    assert Incident.objects.filter(injured_low__isnull=True).exists()
    assert Incident.objects.filter(location__isnull=True).exists()


def test_killed_sort_descending_starts_with_the_highest_low_figure(client):
    records = listing(client, "/incidents/", {"sort": "-killed"})
    assert [i.code for i in records[:2]] == [AL_OMAR_SDF, JURF_STRIKES]  # 6-7, then 5-8
    assert records[-1].killed_low is None


def test_default_order_is_newest_first(client):
    records = listing(client, "/incidents/")
    codes_rank = db_rank(Incident, "code")
    assert_sorted(records, [lambda i: i.date], descending=True)
    for before, after in pairwise(records):
        if before.date == after.date:
            assert codes_rank[before.code] < codes_rank[after.code]
    assert records[0].code == "2024-02-07-baghdad-mashtal-us-strike"
    assert records[-1].code == HARIR  # 17 Oct 2023


def test_sort_keeps_the_filtered_rows(client):
    records = listing(client, "/incidents/", {"sort": "-injured", "country": "SY"})
    assert {i.code for i in records} == {r["key"] for r in INCIDENT_ROWS if r["country"] == "Syria"}
    assert records[0].code == AL_OMAR_SDF  # 18 injured


def test_sort_applies_to_text_search_results(client):
    records = listing(client, "/incidents/", {"q": "Bashur", "sort": "date"})
    assert records[0].code == HARIR
    assert_sorted(records, [lambda i: i.date], descending=False)


def test_unknown_sort_value_is_refused(client):
    assert_rejected(client, "/incidents/", {"sort": "casualties"}, "sort")


# --- Pagination -------------------------------------------------------------------------------


def test_first_page_has_25_rows_and_the_full_count(client):
    everything = [i.code for i in listing(client, "/incidents/")]
    response = get(client, "/incidents/")
    assert response.status_code == 200
    assert response.context["table"].paginator.count == len(ALL_CODES) == 46
    assert [i.code for i in page_records(response)] == everything[:25]


@pytest.mark.parametrize("per_page", [25, 50])
def test_page_two_continues_where_page_one_ends(client, per_page):
    everything = [i.code for i in listing(client, "/incidents/")]
    first = get(client, "/incidents/", {"per_page": per_page})
    assert [i.code for i in page_records(first)] == everything[:per_page]
    assert first.context["table"].paginator.count == 46
    second = get(client, "/incidents/", {"per_page": per_page, "page": 2})
    if per_page < 46:
        assert second.status_code == 200
        assert [i.code for i in page_records(second)] == everything[per_page : 2 * per_page]
        assert second.context["table"].paginator.count == 46
    else:  # everything fits on page 1: there is no page 2
        assert second.status_code == 400
        assert "page" in second.context["pages"].errors


def test_pagination_counts_the_filtered_rows(client):
    response = get(client, "/incidents/", {"brand": IRI, "per_page": 25, "page": 2})
    assert response.status_code == 200
    total = len(csv_naming("Islamic Resistance in Iraq"))
    assert response.context["table"].paginator.count == total
    assert len(page_records(response)) == total - 25


@pytest.mark.parametrize("params", [{"per_page": 30}, {"page": 0}, {"page": "two"}])
def test_bad_paging_parameters_are_refused(client, params):
    response = get(client, "/incidents/", params)
    assert response.status_code == 400
    assert response.context["pages"].errors


# --- The claims list --------------------------------------------------------------------------


def claims(client, params=None):
    return listing(client, "/claims/", params)


def test_claims_list_shows_every_claim(client):
    assert len(claims(client)) == Claim.objects.count() == len(CLAIM_ROWS) - 1


def test_claims_claim_kind_filter(client):
    denials = claims(client, {"claim_kind": "denial"})
    assert [(c.group.slug, c.incident.code) for c in denials] == [("iran", TOWER_22)]
    attributions = claims(client, {"claim_kind": "attribution"})
    assert len(attributions) == len([r for r in CLAIM_ROWS if r["status"] == "attributed"])
    assert {c.kind for c in attributions} == {"attribution"}
    two = claims(client, {"claim_kind": ["denial", "attribution"]})
    assert len(two) == len(attributions) + 1


def test_claims_claim_status_filter(client):
    superseded = claims(client, {"claim_status": "superseded"})
    assert [(c.group.slug, c.incident.code) for c in superseded] == [(TASHKIL, HARIR)]
    assert claims(client, {"claim_status": "retracted"}) == []
    assert len(claims(client, {"claim_status": "current"})) == Claim.objects.count() - 1


def test_claims_group_filter_includes_attributions_made_by_the_group(client):
    us = Group.objects.get(slug="united-states")
    by_us = set(Claim.objects.filter(group=us).values_list("pk", flat=True))
    made_by_us = set(Claim.objects.filter(attributed_by=us).values_list("pk", flat=True))
    assert made_by_us - by_us  # e.g. the attribution of Tower 22 to Kata'ib Hezbollah
    found = claims(client, {"group": "united-states"})
    assert {c.pk for c in found} == by_us | made_by_us
    kh_blamed_by_us = [c for c in found if c.group and c.group.slug == KH]
    assert {c.incident.code for c in kh_blamed_by_us} == {ERBIL_CHRISTMAS, TOWER_22}


def test_claims_group_filter_includes_superseded_claims(client):
    found = claims(client, {"group": TASHKIL})
    assert [(c.status, c.incident.code) for c in found] == [("superseded", HARIR)]
    assert claims(client, {"group": AAH}) == []


def test_claims_brand_and_country_filters(client):
    iri = claims(client, {"brand": IRI})
    assert len(iri) == len([r for r in CLAIM_ROWS if r["claimant"] == "Islamic Resistance in Iraq"])
    jordan = claims(client, {"country": "JO"})
    assert {c.incident.code for c in jordan} == {TOWER_22}
    assert len(jordan) == len([r for r in CLAIM_ROWS if r["incident_key"] == TOWER_22])
    both = claims(client, {"brand": IRI, "country": "JO"})
    assert sorted(c.kind for c in both) == ["attribution", "responsibility"]
    assert claims(client, {"country": "IR"}) == []


def test_claims_date_range_uses_the_incidents_possible_dates(client):
    found = claims(client, {"date_from": "2023-10-18", "date_to": "2023-10-18"})
    # Harir (17-18 Oct, two claims), Ain al-Asad on 18 Oct, and the week to 21 Oct.
    assert sorted(c.incident.code for c in found) == sorted(
        [HARIR, HARIR, AIN_AL_ASAD_18_OCT, AIN_AL_ASAD_WEEK]
    )
    later = claims(client, {"date_from": "2024-02-01"})
    assert {c.incident.code for c in later} == {AL_OMAR_SDF, "2024-02-07-baghdad-mashtal-us-strike"}
    assert claims(client, {"date_to": "2023-10-14"}) == []


def test_claims_q_searches_claim_text_and_claimant_names(client):
    singh = claims(client, {"q": "Singh"})  # who attributed Tower 22 to Kata'ib Hezbollah
    assert [(c.kind, c.group.slug, c.incident.code) for c in singh] == [
        ("attribution", KH, TOWER_22)
    ]
    kh = claims(client, {"q": "Hizballah"})  # an alias of Kata'ib Hezbollah
    assert {c.pk for c in kh} >= set(
        Claim.objects.filter(group__slug=KH).values_list("pk", flat=True)
    )
    # and the claims whose text names Hezbollah in another spelling
    assert {c.pk for c in kh} == {c.pk for c in claims(client, {"q": "Hezbollah"})}
    assert claims(client, {"q": "zebra"}) == []


CLAIM_SORTS = ["incident_date", "date", "kind", "status"]


@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
@pytest.mark.parametrize("sort", CLAIM_SORTS)
def test_claims_sort(client, sort, descending):
    kinds, statuses = db_rank(Claim, "kind"), db_rank(Claim, "status")
    keys = {
        "incident_date": [lambda c: c.incident.date],
        "date": [lambda c: c.date],
        "kind": [lambda c: kinds[c.kind]],
        "status": [lambda c: statuses[c.status]],
    }[sort]
    records = claims(client, {"sort": f"-{sort}" if descending else sort})
    assert len(records) == Claim.objects.count()
    assert_sorted(records, keys, descending)
    values = [keys[0](c) for c in records]
    assert values[0] != values[-1]
    if sort == "date":  # claims without a date come last both ways
        assert values[-1] is None
        assert values.index(None) == len(values) - values.count(None)


def test_claims_default_order_is_by_incident_newest_first(client):
    records = claims(client)
    assert_sorted(records, [lambda c: c.incident.date], descending=True)


def test_claims_bad_parameters_are_refused(client):
    assert_rejected(client, "/claims/", {"group": "nobody"}, "group")
    assert_rejected(client, "/claims/", {"claim_kind": "rumour"}, "claim_kind")
    assert_rejected(client, "/claims/", {"sort": "claimant"}, "sort")


# --- Groups and brands ------------------------------------------------------------------------


def names(records):
    return {r.name for r in records}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Hizballah Brigades", {"Kata'ib Hezbollah"}),
        ("League of the Righteous", {"Asa'ib Ahl al-Haq"}),
        ("عصائب أهل الحق", {"Asa'ib Ahl al-Haq"}),
        ("Teshkil al-Warithin", {"Tashkil al-Waritheen"}),
        ("Master of Martyrs Battalions", {"Kata'ib Sayyid al-Shuhada"}),
        ("zebra", set()),
    ],
)
def test_groups_q_finds_a_group_by_any_alias(client, query, expected):
    assert names(listing(client, "/groups/", {"q": query})) == expected


def test_groups_kind_and_country_filters(client):
    assert names(listing(client, "/groups/", {"kind": "state"})) == {"Iran", "United States"}
    assert names(listing(client, "/groups/", {"kind": "facade_group"})) == {"Tashkil al-Waritheen"}
    assert names(listing(client, "/groups/", {"country": "IR"})) == {"Iran", "IRGC Quds Force"}
    iraqi = {g.name for g in Group.objects.all() if g.country == "IQ"}
    assert len(iraqi) == 5
    assert names(listing(client, "/groups/", {"country": "IQ"})) == iraqi
    both = names(listing(client, "/groups/", {"country": ["IQ", "US"]}))
    assert both == iraqi | {"United States"}
    assert_rejected(client, "/groups/", {"kind": "army"}, "kind")


def test_groups_brand_filter_lists_the_brands_member_groups(client):
    members = {a.group.name for a in Affiliation.objects.select_related("group")}
    assert "Kata'ib Hezbollah" in members
    found = listing(client, "/groups/", {"brand": IRI})
    assert names(found) == members
    assert len(found) == len(members)  # once each, though most have several assessments
    Brand.objects.create(status="published", name="Synthetic Front", slug="synthetic-front")
    assert listing(client, "/groups/", {"brand": "synthetic-front"}) == []


def csv_incident_counts():
    """Incidents each group currently claims or is blamed for, by claims.csv, keyed by name."""
    return {r["claimant"].lower(): len(csv_naming(r["claimant"])) for r in CLAIM_ROWS}


@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
def test_groups_sort_by_incident_count(client, descending):
    records = listing(
        client, "/groups/", {"sort": "-incident_count" if descending else "incident_count"}
    )
    expected = csv_incident_counts()
    counts = [expected.get(g.name.lower(), 0) for g in records]
    assert [g.incident_count for g in records] == counts
    assert counts == sorted(counts, reverse=descending)
    assert max(counts) == counts[0 if descending else -1] == len(csv_naming("United States"))


def test_groups_incident_count_is_what_the_group_page_lists(client):
    for group in listing(client, "/groups/"):
        response = get(client, f"/groups/{group.slug}/")
        assert response.context["table"].paginator.count == group.incident_count, group.slug


def test_brands_list_q_and_counts(client):
    assert names(listing(client, "/brands/", {"q": "IRI"})) == {"Islamic Resistance in Iraq"}
    arabic = "المقاومة الإسلامية في العراق"
    assert names(listing(client, "/brands/", {"q": arabic})) == {"Islamic Resistance in Iraq"}
    assert listing(client, "/brands/", {"q": "zebra"}) == []
    [iri] = listing(client, "/brands/")
    assert iri.incident_count == len(csv_naming("Islamic Resistance in Iraq"))
    assert iri.member_count == 5


@pytest.mark.parametrize("sort", ["incident_count", "member_count", "launched"])
def test_brands_sort(client, sort):
    Brand.objects.create(
        status="published", name="Synthetic Front", slug="synthetic-front"
    )  # no claims, members, date
    ascending = [b.slug for b in listing(client, "/brands/", {"sort": sort})]
    descending = [b.slug for b in listing(client, "/brands/", {"sort": f"-{sort}"})]
    if sort == "launched":  # an unknown launch date comes last both ways
        assert ascending == descending == [IRI, "synthetic-front"]
    else:
        assert ascending == ["synthetic-front", IRI]
        assert descending == [IRI, "synthetic-front"]


# --- Locations --------------------------------------------------------------------------------


def test_locations_q_finds_alternate_names(client):
    assert names(listing(client, "/locations/", {"q": "Bashur"})) == {"Harir Air Base"}
    assert names(listing(client, "/locations/", {"q": "Al Asad"})) == {"Ain al-Asad Air Base"}
    assert listing(client, "/locations/", {"q": "zebra"}) == []


def test_locations_country_and_kind_filters(client):
    rows = csv_rows("locations")
    assert names(listing(client, "/locations/", {"country": "JO"})) == {"Tower 22"}
    syria = {r["name"] for r in rows if r["country"] == "SY"}
    assert names(listing(client, "/locations/", {"country": "SY"})) == syria
    air_bases = {r["name"] for r in rows if r["kind"] == "air_base"}
    assert len(air_bases) == 4
    assert names(listing(client, "/locations/", {"kind": "air_base"})) == air_bases
    towns = {r["name"] for r in rows if r["kind"] in {"town", "city"}}
    assert names(listing(client, "/locations/", {"kind": ["town", "city"]})) == towns
    both = {r["name"] for r in rows if r["kind"] == "air_base" and r["country"] == "SY"}
    assert names(listing(client, "/locations/", {"kind": "air_base", "country": "SY"})) == both
    assert_rejected(client, "/locations/", {"kind": "castle"}, "kind")


@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
def test_locations_sort_by_incident_count(client, descending):
    records = listing(
        client, "/locations/", {"sort": "-incident_count" if descending else "incident_count"}
    )
    per_site = {}
    for incident in Incident.objects.select_related("location"):
        if incident.location:
            per_site[incident.location.name] = per_site.get(incident.location.name, 0) + 1
    counts = [per_site.get(location.name, 0) for location in records]
    assert [location.incident_count for location in records] == counts
    assert counts == sorted(counts, reverse=descending)
    assert len(records) == len(csv_rows("locations"))


@pytest.mark.parametrize("sort", ["name", "kind", "country"])
@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
def test_locations_sort_by_text(client, sort, descending):
    rank = db_rank(Location, sort)
    records = listing(client, "/locations/", {"sort": f"-{sort}" if descending else sort})
    assert_sorted(records, [lambda location: rank[getattr(location, sort)]], descending)


# --- Sources ----------------------------------------------------------------------------------


def source_ids(client, params):
    return {s.pk for s in listing(client, "/sources/", params)}


def sources_where(predicate):
    return {s.pk for s in Source.objects.all() if predicate(s)}


def test_sources_q_finds_title_and_publisher_words(client):
    winep = sources_where(lambda s: s.publisher == "The Washington Institute for Near East Policy")
    assert len(winep) >= 3
    found = source_ids(client, {"q": "Washington Institute"})
    assert winep <= found
    for source in Source.objects.filter(pk__in=found):
        text = f"{source.title} {source.publisher} {source.url} {source.author} {source.notes}"
        assert "washington" in text.lower()
    title = "Designation of Kata'ib Hizballah"
    assert sources_where(lambda s: s.title == title) <= source_ids(client, {"q": "Designation"})
    assert source_ids(client, {"q": "zebra"}) == set()


def test_sources_kind_reliability_language_and_publisher_filters(client):
    think_tanks = sources_where(lambda s: s.kind == "think_tank")
    assert think_tanks
    assert source_ids(client, {"kind": "think_tank"}) == think_tanks
    state_or_tank = sources_where(lambda s: s.kind in {"think_tank", "state_media"})
    assert source_ids(client, {"kind": ["think_tank", "state_media"]}) == state_or_tank
    unreliable = sources_where(lambda s: s.reliability == "E")
    assert len(unreliable) == 1
    assert source_ids(client, {"reliability": "E"}) == unreliable
    assert source_ids(client, {"reliability": "A"}) == set()
    german = sources_where(lambda s: s.language == "de")
    assert german
    assert source_ids(client, {"language": "DE"}) == german  # any case, whole code
    assert source_ids(client, {"language": "d"}) == set()
    shafaq = sources_where(lambda s: "shafaq" in s.publisher.lower())
    assert len(shafaq) > 1
    assert source_ids(client, {"publisher": "SHAFAQ"}) == shafaq  # any part, any case
    assert_rejected(client, "/sources/", {"reliability": "Z"}, "reliability")


@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
def test_sources_sort_by_publication_date(client, descending):
    records = listing(client, "/sources/", {"sort": "-published" if descending else "published"})
    assert len(records) == Source.objects.count()
    assert_sorted(records, [lambda s: s.published], descending)
    assert records[-1].published is None


@pytest.mark.parametrize("sort", ["publisher", "reliability", "kind"])
@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
def test_sources_sort_by_text(client, sort, descending):
    rank = db_rank(Source, sort)
    records = listing(client, "/sources/", {"sort": f"-{sort}" if descending else sort})
    assert_sorted(records, [lambda s: rank[getattr(s, sort)]], descending)


@pytest.mark.parametrize(
    ("path", "sort", "model", "field"),
    [
        ("/sources/", "title", Source, "title"),
        ("/groups/", "country", Group, "country"),
        ("/locations/", "admin1", Location, "admin1"),
    ],
)
@pytest.mark.parametrize("descending", [False, True], ids=["ascending", "descending"])
def test_empty_text_values_sort_last_both_ways(client, path, sort, model, field, descending):
    """README: 'unknown values sort last'. A title, country or admin area that was not recorded is
    stored as '' (not NULL) and must still come after every known value."""
    assert model.objects.filter(**{field: ""}).exists()
    records = listing(client, path, {"sort": f"-{sort}" if descending else sort})
    values = [getattr(r, field) for r in records]
    blanks = values.count("")
    assert values[len(values) - blanks :] == [""] * blanks


# --- Group, brand and location pages take the incident filters ---------------------------------


def test_brand_page_takes_the_incident_filters(client):
    assert codes(client, path=f"/brands/{IRI}/") == csv_naming("Islamic Resistance in Iraq")
    assert codes(client, {"country": "JO"}, path=f"/brands/{IRI}/") == {TOWER_22}
    syria_late_2023 = {"country": "SY", "date_from": "2023-10-17", "date_to": "2023-12-31"}
    on_page = codes(client, syria_late_2023, path=f"/brands/{IRI}/")
    assert on_page == codes(client, {**syria_late_2023, "brand": IRI})


def test_group_page_takes_the_incident_filters(client):
    assert codes(client, path=f"/groups/{KH}/") == {ERBIL_CHRISTMAS, TOWER_22}
    assert codes(client, {"country": "IQ"}, path=f"/groups/{KH}/") == {ERBIL_CHRISTMAS}
    assert codes(client, {"injured_min": "34"}, path=f"/groups/{KH}/") == {TOWER_22}
    assert codes(client, path=f"/groups/{TASHKIL}/") == set()


@pytest.mark.parametrize("value", ["1", "on", "true"])
def test_group_page_brands_checkbox_widens_the_table(client, value):
    expected = csv_naming("Kata'ib Hezbollah") | csv_naming("Islamic Resistance in Iraq")
    assert codes(client, {"group_via_brand": value}, path=f"/groups/{KH}/") == expected


def test_group_page_claim_kind_describes_the_groups_own_claim(client):
    """On Kata'ib Hezbollah's page, 'claim of responsibility' means incidents KH claimed, as on
    /incidents/?group=kataib-hezbollah&claim_kind=responsibility. KH only is blamed for Tower 22
    (the IRI claimed it), so Tower 22 does not belong in that table."""
    expected = codes(client, {"group": KH, "claim_kind": "responsibility"})
    assert expected == {ERBIL_CHRISTMAS}
    assert codes(client, {"claim_kind": "responsibility"}, path=f"/groups/{KH}/") == expected


def test_location_page_takes_the_incident_filters(client):
    assert codes(client, {"date_to": "2023-10-31"}, path="/locations/harir-air-base/") == {HARIR}
    assert codes(client, {"country": "SY"}, path="/locations/harir-air-base/") == set()
    assert codes(client, path="/locations/tower-22/") == {TOWER_22}


@pytest.mark.parametrize("path", [f"/groups/{KH}/", f"/brands/{IRI}/", "/locations/tower-22/"])
def test_detail_pages_refuse_bad_filters(client, path):
    assert_rejected(client, path, {"country": "XX"}, "country")
    assert_rejected(client, path, {"date_from": "yesterday"}, "date_from")
