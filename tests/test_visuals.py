"""The incident list's timeline and map (issue 6): the JSON endpoints, the page's plain table and
the section's data URLs count exactly the incidents the page's filters select, bucket them by the
first possible day of each incident, stack and colour them by claimant, group or weapon, keep
drafts from the public, refuse bad input with 400, and load nothing from another site."""

import datetime
import html
import itertools
import json
import re
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from django.conf import settings
from django.test import Client

from claims import derived
from claims.models import (
    Claim,
    ClaimKind,
    ClaimStatus,
    Incident,
    Location,
    PublicationStatus,
    Weapon,
)
from groups.models import Group

pytestmark = pytest.mark.django_db

TIMELINE, MAP = "/incidents/timeline.json", "/incidents/map.json"
IRI = "islamic-resistance-in-iraq"
KH = "kataib-hezbollah"
HARIR = "harir-air-base"
NO_COORDINATES = "mission-support-site-euphrates"
TOWER_22 = "2024-01-28-tower-22-drone"
STATIC = Path(settings.BASE_DIR) / "static"
WEAPON_LABELS = dict(Weapon.choices)
COLOURED_AT_MOST = 7
NOT_NAMED = {"(other)", "(unclaimed)", "(competing)", "(brand only)"}  # series keys, not names

FILTERS = {
    "none": {},
    "country": {"country": "SY"},
    "dates": {"date_from": "2023-11-01", "date_to": "2023-12-31"},
    "dates-across-new-year": {"date_from": "2023-12-28", "date_to": "2024-01-03"},
    "brand": {"brand": IRI},
    "group-via-brand": {"group": KH, "group_via_brand": "1"},
    "weapon": {"weapon": "air_strike"},
    "weapons-and-countries": {"weapon": ["rocket", "mixed"], "country": ["IQ", "SY"]},
    "location": {"location": HARIR},
    "location-without-coordinates": {"location": NO_COORDINATES},
    "unclaimed": {"unclaimed": "1"},
    "text": {"q": "drone"},
}


# Helpers ---------------------------------------------------------------------------------------


def get_json(client, url, params=None, status=200):
    response = client.get(url, params or {})
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"] == "application/json"
    return response.json()


def timeline(client, params=None, **options):
    return get_json(client, TIMELINE, {**(params or {}), **options})


def map_data(client, params=None):
    return get_json(client, MAP, params)


def page(client, params=None, path="/incidents/", status=200):
    response = client.get(path, params or {})
    assert response.status_code == status
    return response


def row_count(response):
    return response.context["table"].paginator.count


def records(client, params=None):
    """Every incident the list page shows for the filters."""
    response = page(client, {**(params or {}), "per_page": 200})
    assert row_count(response) <= 200
    return [row.record for row in response.context["table"].page.object_list]


def plain_table(response):
    """The rows of the no-JavaScript timeline table: dates, total and the cells after the label."""
    found = []
    for start, end, total, body in re.findall(
        r'<tr data-start="([^"]+)" data-end="([^"]+)" data-total="(\d+)">(.*?)</tr>',
        response.text,
        flags=re.S,
    ):
        cells = [int(c) for c in re.findall(r"<td>(\d+)</td>", body.split("</th>", 1)[1])]
        found.append({"start": start, "end": end, "total": int(total), "cells": cells})
    return found


def section(response):
    """The data-* attributes of the visuals section, unescaped."""
    tag = re.search(r'<section class="visuals"[^>]*>', response.text)
    assert tag, "no visuals section on the page"
    return {k: html.unescape(v) for k, v in re.findall(r'(data-[a-z-]+)="([^"]*)"', tag[0])}


def query_of(url):
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def as_lists(params):
    return {k: v if isinstance(v, list) else [v] for k, v in params.items()}


def drawn(bucket, series):
    """A bar's height as the chart draws it: each series' count, stacked."""
    return sum(bucket["counts"].get(s["key"], 0) for s in series)


def series_totals(data):
    totals = Counter()
    for bucket in data["buckets"]:
        totals.update({k: n for k, n in bucket["counts"].items() if n})
    return totals


def first_day(incident):
    """The first day an incident may have happened (a week-precision date ends its week)."""
    if incident.date_precision == "week":
        return incident.date - datetime.timedelta(days=6)
    return incident.date  # day, or the 1st of the month or year (dates are normalised)


def last_day(incident):
    if incident.date_end:
        return incident.date_end
    if incident.date_precision == "month":
        following = (incident.date.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return following - datetime.timedelta(days=1)
    if incident.date_precision == "year":
        return incident.date.replace(month=12, day=31)
    return incident.date


def bucket_of(day, interval):
    if interval == "week":
        start = day - datetime.timedelta(days=day.weekday())
        return start, start + datetime.timedelta(days=6)
    following = (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return day.replace(day=1), following - datetime.timedelta(days=1)


def iso(text):
    return datetime.date.fromisoformat(text)


def current_responsibility(incident_ids):
    return Claim.objects.filter(
        incident__in=incident_ids, kind=ClaimKind.RESPONSIBILITY, status=ClaimStatus.CURRENT
    ).select_related("group", "brand")


def claim(code, **fields):
    return Claim.objects.create(
        incident=Incident.objects.get(code=code),
        kind=ClaimKind.RESPONSIBILITY,
        date=datetime.date(2024, 1, 29),
        date_precision="day",
        **fields,
    )


# One selection, one count ----------------------------------------------------------------------


@pytest.mark.parametrize("interval", ["month", "week"])
@pytest.mark.parametrize("name", FILTERS)
def test_timeline_map_and_list_count_the_same_incidents_for_every_filter(client, name, interval):
    params = FILTERS[name]
    data = timeline(client, params, interval=interval)
    places = map_data(client, params)
    response = page(client, {**params, "interval": interval})
    rows = row_count(response)
    assert rows > 0, "a filter that selects nothing proves nothing"
    assert data["interval"] == interval
    assert data["total"] == rows
    assert sum(b["total"] for b in data["buckets"]) == rows
    assert sum(drawn(b, data["series"]) for b in data["buckets"]) == rows
    assert places["total"] == rows
    assert sum(f["properties"]["count"] for f in places["features"]) + places["unlocated"] == rows
    assert response.context["timeline"] == data  # the page embeds the same numbers
    shown = [(r["start"], r["end"], r["total"]) for r in plain_table(response)]
    assert shown == [(b["start"], b["end"], b["total"]) for b in data["buckets"]]


@pytest.mark.parametrize("stack", ["claimant", "group", "weapon"])
@pytest.mark.parametrize("name", ["none", "dates-across-new-year", "group-via-brand"])
def test_plain_table_repeats_each_series_count_total_and_uncertain_cell_for_cell(
    client, name, stack
):
    params = {**FILTERS[name], "stack": stack, "interval": "week"}
    data = timeline(client, params)
    rows = plain_table(page(client, params))
    assert len(rows) == len(data["buckets"]) > 0
    for row, bucket in zip(rows, data["buckets"], strict=True):
        expected = [bucket["counts"][s["key"]] for s in data["series"]]
        assert row["cells"] == [*expected, bucket["total"], bucket["uncertain"]]


def test_a_selection_without_incidents_gives_empty_data_and_says_so_on_the_page(client):
    params = {"date_from": "2022-01-01", "date_to": "2022-12-31"}
    data = timeline(client, params)
    assert (data["total"], data["buckets"], data["series"]) == (0, [], [])
    places = map_data(client, params)
    assert (places["total"], places["features"], places["unlocated"]) == (0, [], 0)
    response = page(client, params)
    assert row_count(response) == 0
    assert plain_table(response) == []
    assert "No incident matches these filters." in response.text


# Buckets ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("interval", ["month", "week"])
@pytest.mark.parametrize("name", ["none", "country", "weapon", "brand"])
def test_buckets_are_contiguous_and_start_on_mondays_or_the_first(client, name, interval):
    buckets = timeline(client, FILTERS[name], interval=interval)["buckets"]
    assert buckets
    for bucket in buckets:
        start, end = iso(bucket["start"]), iso(bucket["end"])
        assert (start, end) == bucket_of(start, interval)
        assert (start.weekday() == 0) if interval == "week" else (start.day == 1)
    for before, after in itertools.pairwise(buckets):
        assert iso(after["start"]) == iso(before["end"]) + datetime.timedelta(days=1)
    assert buckets[0]["total"] > 0 and buckets[-1]["total"] > 0


def test_an_empty_month_between_two_incidents_is_a_bucket_of_zero(client):
    """Air strikes: October and November 2023, none in December, one in January 2024."""
    data = timeline(client, {"weapon": "air_strike"})
    assert [(b["start"], b["total"]) for b in data["buckets"]] == [
        ("2023-10-01", 1),
        ("2023-11-01", 2),
        ("2023-12-01", 0),
        ("2024-01-01", 1),
    ]
    december = data["buckets"][2]
    assert set(december["counts"].values()) == {0}
    assert december["uncertain"] == 0


def test_empty_weeks_between_two_incidents_are_buckets_of_zero(client):
    """Armed-drone strikes: 4 January and 7 February 2024, four empty weeks between them."""
    data = timeline(client, {"weapon": "armed_drone_strike"}, interval="week")
    assert [b["total"] for b in data["buckets"]] == [1, 0, 0, 0, 0, 1]
    assert (data["buckets"][0]["start"], data["buckets"][-1]["end"]) == (
        "2024-01-01",
        "2024-02-11",
    )


@pytest.mark.parametrize("interval", ["month", "week"])
def test_each_incident_is_counted_in_the_bucket_of_its_first_possible_day(client, interval):
    expected, uncertain = Counter(), Counter()
    for incident in records(client):
        start, end = bucket_of(first_day(incident), interval)
        expected[start.isoformat()] += 1
        uncertain[start.isoformat()] += last_day(incident) > end
    data = timeline(client, interval=interval)
    assert {b["start"]: b["total"] for b in data["buckets"] if b["total"]} == expected
    assert {b["start"]: b["uncertain"] for b in data["buckets"] if b["uncertain"]} == {
        k: n for k, n in uncertain.items() if n
    }
    assert sum(uncertain.values()) > 0  # the seed has week-precision incidents across a boundary


@pytest.mark.parametrize(
    "code, interval, start, uncertain",
    [
        # Week to Saturday 21 Oct: from Sunday 15 Oct, in the week of Monday 9 Oct, uncertain.
        ("2023-10-21-ain-al-asad-drones", "week", "2023-10-09", 1),
        ("2023-10-21-ain-al-asad-drones", "month", "2023-10-01", 0),
        # Week to 1 January 2024: from 26 December, so in December, uncertain.
        ("2024-01-01-shaddadi-drone", "month", "2023-12-01", 1),
        ("2024-01-01-shaddadi-drone", "week", "2023-12-25", 1),
        # 17 to 18 October: both in the week of Monday 16 October.
        ("2023-10-18-harir-drone", "week", "2023-10-16", 0),
    ],
)
def test_a_known_incident_falls_in_the_bucket_of_its_first_possible_day(
    client, code, interval, start, uncertain
):
    data = timeline(client, {"q": code}, interval=interval)
    assert data["total"] == 1
    [bucket] = data["buckets"]
    assert (bucket["start"], bucket["total"], bucket["uncertain"]) == (start, 1, uncertain)


@pytest.mark.parametrize(
    "change, interval, start, uncertain",
    [
        # Known only to November: counted on Wednesday 1 Nov, in the week of Monday 30 Oct.
        ({"date": datetime.date(2023, 11, 1), "date_precision": "month"}, "week", "2023-10-30", 1),
        ({"date": datetime.date(2023, 11, 1), "date_precision": "month"}, "month", "2023-11-01", 0),
        ({"date": datetime.date(2023, 1, 1), "date_precision": "year"}, "month", "2023-01-01", 1),
        # Friday 17 to Tuesday 21 November runs past its week, not past its month.
        ({"date_end": datetime.date(2023, 11, 21)}, "week", "2023-11-13", 1),
        ({"date_end": datetime.date(2023, 11, 21)}, "month", "2023-11-01", 0),
    ],
)
def test_imprecise_dates_are_uncertain_where_they_run_past_the_bucket(
    client, change, interval, start, uncertain
):
    code = "2023-11-17-tell-beydar-drone"
    assert Incident.objects.filter(code=code).update(**change) == 1
    derived.refresh(Incident.objects.filter(code=code).values_list("pk", flat=True))
    data = timeline(client, {"q": code}, interval=interval)
    [bucket] = data["buckets"]
    assert (bucket["start"], bucket["total"], bucket["uncertain"]) == (start, 1, uncertain)


def test_a_bucket_link_lists_exactly_the_incidents_it_counts_and_keeps_the_other_filters(client):
    response = page(client, {"country": "SY"})
    data = response.context["timeline"]
    links = re.findall(
        r'<tr data-start="[^"]+"[^>]*><th scope="row"><a href="([^"]+)"', response.text
    )
    assert len(links) == len(data["buckets"]) > 1
    for link, bucket in zip(links, data["buckets"], strict=True):
        params = query_of(html.unescape(link))
        assert params == {
            "country": ["SY"],
            "date_from": [bucket["start"]],
            "date_to": [bucket["end"]],
            "date_match": ["start"],
        }
        assert row_count(page(client, params)) == bucket["total"]


# Stacking and colours --------------------------------------------------------------------------


def test_weapon_stack_counts_each_weapon_label_as_the_weapon_filter_does(client):
    data = timeline(client, stack="weapon")
    totals = series_totals(data)
    assert {s["key"] for s in data["series"]} <= set(WEAPON_LABELS.values())
    assert set(totals) == {s["key"] for s in data["series"]}
    for value, label in WEAPON_LABELS.items():
        expected = row_count(page(client, {"weapon": value}))
        assert totals.get(label, 0) == expected, label


def test_claimant_stack_names_the_brand_else_the_group_else_unclaimed(client):
    incidents = records(client)
    names = {i.pk: set() for i in incidents}
    for c in current_responsibility([i.pk for i in incidents]):
        names[c.incident_id].add(c.brand.name if c.brand else c.group.name)
    expected = Counter(next(iter(n)) if len(n) == 1 else "(unclaimed)" for n in names.values())
    assert all(len(n) <= 1 for n in names.values())  # the seed has no competing claims
    data = timeline(client, stack="claimant")
    assert series_totals(data) == expected
    assert {"Islamic Resistance in Iraq", "United States", "(unclaimed)"} <= set(expected)
    assert data["series"][-1]["key"] == "(unclaimed)"  # the grey series is drawn last
    assert data["series"][-1]["label"] == "unclaimed"


def test_group_stack_names_the_group_and_marks_claims_naming_only_a_brand(client):
    incidents = records(client)
    groups, brands = {i.pk: set() for i in incidents}, {i.pk: set() for i in incidents}
    for c in current_responsibility([i.pk for i in incidents]):
        if c.group:
            groups[c.incident_id].add(c.group.name)
        if c.brand:
            brands[c.incident_id].add(c.brand.name)
    expected = Counter()
    for pk in groups:
        if groups[pk]:
            expected[next(iter(groups[pk]))] += 1
        else:
            expected["(brand only)" if brands[pk] else "(unclaimed)"] += 1
    data = timeline(client, stack="group")
    assert series_totals(data) == expected
    assert set(expected) - NOT_NAMED <= set(Group.objects.values_list("name", flat=True))


@pytest.mark.parametrize(
    "code, rival",
    [
        # Claimed by the United States; Kata'ib Hezbollah claims it too.
        ("2023-10-27-abu-kamal-us-strikes", {"group": KH}),
        # Claimed under the brand; Asa'ib Ahl al-Haq claims it in its own name.
        (TOWER_22, {"group": "asaib-ahl-al-haq"}),
    ],
    ids=["two-groups", "brand-and-another-group"],
)
def test_an_incident_the_competing_filter_selects_is_drawn_as_competing_claims(client, code, rival):
    claim(code, group=Group.objects.get(slug=rival["group"]))
    competing = row_count(page(client, {"competing": "1"}))
    assert competing == 1
    data = timeline(client, {"competing": "1"}, stack="claimant")
    assert data["total"] == 1
    assert series_totals(data) == {"(competing)": 1}
    assert [s["label"] for s in data["series"]] == ["competing claims"]
    places = map_data(client, {"competing": "1"})
    [feature] = places["features"]
    assert [c["key"] for c in feature["properties"]["claimants"]] == ["(competing)"]


@pytest.mark.parametrize("stack", ["claimant", "group", "weapon"])
@pytest.mark.parametrize("name", ["none", "country", "dates", "group-via-brand"])
def test_series_are_unique_with_distinct_colours_and_at_most_seven_from_the_palette(
    client, name, stack
):
    data = timeline(client, FILTERS[name], stack=stack)
    keys = [s["key"] for s in data["series"]]
    colours = [s["colour"] for s in data["series"]]
    assert len(set(keys)) == len(keys)
    assert len(set(colours)) == len(colours)
    assert all(re.fullmatch(r"#[0-9A-Fa-f]{6}", c) for c in colours)
    assert len([k for k in keys if k not in NOT_NAMED]) <= COLOURED_AT_MOST
    for bucket in data["buckets"]:
        assert list(bucket["counts"]) == keys


def test_beyond_seven_series_the_smallest_are_drawn_together_as_other(client):
    # The seed has seven weapon types; a mortar attack makes eight.
    Incident.objects.filter(code=TOWER_22).update(weapon="mortar")
    by_weapon = Counter(WEAPON_LABELS[i.weapon] for i in records(client))
    assert len(by_weapon) == COLOURED_AT_MOST + 1
    data = timeline(client, stack="weapon")
    keys = [s["key"] for s in data["series"]]
    assert len(keys) == COLOURED_AT_MOST and keys[-1] == "(other)"
    assert len({s["colour"] for s in data["series"]}) == len(keys)
    totals = series_totals(data)
    shown, merged = keys[:-1], set(by_weapon) - set(keys)
    assert merged and all(by_weapon[k] == totals[k] for k in shown)
    assert totals["(other)"] == sum(by_weapon[k] for k in merged)
    assert min(by_weapon[k] for k in shown) >= max(by_weapon[k] for k in merged)
    for bucket in data["buckets"]:
        assert drawn(bucket, data["series"]) == bucket["total"]


def test_a_weapon_called_other_is_not_merged_into_the_other_series(client):
    """With more than seven weapon types the smallest are drawn as 'other'; the weapon whose
    label is 'other' is a series of its own and must not be counted twice or merged with them."""
    drones = Incident.objects.filter(weapon="one_way_drone").order_by("code")
    codes = list(drones.values_list("code", flat=True)[:4])
    Incident.objects.filter(code__in=codes[:3]).update(weapon="other")
    Incident.objects.filter(code=codes[3]).update(weapon="mortar")
    data = timeline(client, stack="weapon")
    keys = [s["key"] for s in data["series"]]
    assert len(set(keys)) == len(keys), keys
    for bucket in data["buckets"]:
        assert drawn(bucket, data["series"]) == bucket["total"], bucket


# Map -------------------------------------------------------------------------------------------


def test_map_has_one_feature_per_location_with_coordinates_and_counts_the_rest_unlocated(client):
    incidents = records(client)
    located = Counter(i.location.slug for i in incidents if i.location and i.location.latitude)
    unlocated = sum(1 for i in incidents if not (i.location and i.location.latitude is not None))
    places = map_data(client)
    assert places["type"] == "FeatureCollection"
    assert {f["properties"]["slug"]: f["properties"]["count"] for f in places["features"]} == (
        located
    )
    assert places["unlocated"] == unlocated == 3  # one without a place, two places without a point
    for feature in places["features"]:
        location = Location.objects.get(slug=feature["properties"]["slug"])
        assert feature["geometry"] == {
            "type": "Point",
            "coordinates": [float(location.longitude), float(location.latitude)],
        }
        assert feature["properties"]["page"] == location.get_absolute_url()


def test_a_location_without_coordinates_has_no_feature_and_its_incidents_are_unlocated(client):
    params = {"location": NO_COORDINATES}
    places = map_data(client, params)
    assert places["features"] == []
    assert places["unlocated"] == places["total"] == row_count(page(client, params)) > 0


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"country": "SY"},
        {"brand": IRI, "date_from": "2023-11-01"},
        {"weapon": ["rocket", "mixed"], "country": ["IQ", "SY"]},
        {"location": HARIR, "q": "drone"},
    ],
    ids=["none", "country", "brand-and-date", "multi-valued", "location-replaced"],
)
def test_each_map_feature_links_to_the_list_filtered_to_its_location_with_count_rows(
    client, params
):
    features = map_data(client, params)["features"]
    assert features
    for feature in features:
        p = feature["properties"]
        url = urlsplit(p["url"])
        assert url.path == "/incidents/"
        expected = {**as_lists(params), "location": [p["slug"]]}
        assert query_of(p["url"]) == expected
        assert row_count(page(client, query_of(p["url"]))) == p["count"]


def test_map_feature_colour_is_that_of_its_dominant_claimant_series(client):
    places = map_data(client)
    data = timeline(client, stack="claimant")
    assert places["series"] == data["series"]  # the map and the chart share one legend
    colours = {s["key"]: s["colour"] for s in data["series"]}
    for feature in places["features"]:
        p = feature["properties"]
        claimants = {c["key"]: c["count"] for c in p["claimants"]}
        assert sum(claimants.values()) == p["count"]
        assert all(c["colour"] == colours[c["key"]] for c in p["claimants"])
        most = max(claimants.values())
        assert p["colour"] in {colours[k] for k, n in claimants.items() if n == most}
        here = series_totals(timeline(client, {"location": p["slug"]}, stack="claimant"))
        assert claimants == here, p["slug"]
    assert len({f["properties"]["colour"] for f in places["features"]}) > 1


# Drafts ----------------------------------------------------------------------------------------


def test_a_draft_is_counted_for_staff_and_not_for_the_public(editor_client):
    client = Client()  # the public (editor_client is the signed-in default client)
    incident = Incident.objects.get(code=TOWER_22)
    incident.status = PublicationStatus.DRAFT
    incident.save()
    public_t, staff_t = timeline(client), timeline(editor_client)
    assert staff_t["total"] == public_t["total"] + 1 == 46
    january = {b["start"]: b["total"] for b in public_t["buckets"]}["2024-01-01"]
    assert {b["start"]: b["total"] for b in staff_t["buckets"]}["2024-01-01"] == january + 1

    public_m, staff_m = map_data(client), map_data(editor_client)
    assert staff_m["total"] == public_m["total"] + 1
    assert "tower-22" in {f["properties"]["slug"] for f in staff_m["features"]}
    assert "tower-22" not in {f["properties"]["slug"] for f in public_m["features"]}

    public_rows = {r["start"]: r["total"] for r in plain_table(page(client))}
    staff_rows = {r["start"]: r["total"] for r in plain_table(page(editor_client))}
    assert public_rows["2024-01-01"] == january
    assert staff_rows["2024-01-01"] == january + 1
    assert row_count(page(editor_client)) == row_count(page(client)) + 1


def test_a_draft_at_a_location_is_not_on_the_public_location_page_map(client, pub):
    incident = Incident.objects.get(code=TOWER_22)
    incident.status = PublicationStatus.DRAFT
    incident.save()
    assert map_data(client, {"location": "tower-22"}) == {
        "type": "FeatureCollection",
        "features": [],
        "series": [],
        "total": 0,
        "unlocated": 0,
    }
    assert map_data(pub, {"location": "tower-22"})["features"][0]["properties"]["count"] == 1


# Bad input -------------------------------------------------------------------------------------

BAD = [
    ({"date_from": "2024-13-01"}, "date_from"),
    ({"date_to": "2024-02-30"}, "date_to"),
    ({"date_from": "2024-02-01", "date_to": "2024-01-01"}, "date_to"),
    ({"country": "ZZZ"}, "country"),
    ({"location": "atlantis"}, "location"),
    ({"group": "nobody"}, "group"),
    ({"brand": "nobody"}, "brand"),
    ({"weapon": "laser"}, "weapon"),
    ({"group_via_brand": "maybe"}, "group_via_brand"),
    ({"killed_min": "-1"}, "killed_min"),
    ({"sort": "colour"}, "sort"),
    ({"interval": "year"}, "interval"),
    ({"stack": "colour"}, "stack"),
    ({"foo": "1"}, "foo"),
]


@pytest.mark.parametrize("url", [TIMELINE, MAP])
@pytest.mark.parametrize("params, name", BAD, ids=[name for _, name in BAD])
def test_a_bad_parameter_gives_400_json_naming_it(client, url, params, name):
    body = get_json(client, url, params, status=400)
    assert list(body) == ["errors"]
    assert name in body["errors"]
    assert all(isinstance(m, str) and m for m in body["errors"][name])


@pytest.mark.parametrize("url", [TIMELINE, MAP])
def test_every_bad_parameter_is_named_at_once(client, url):
    params = {"date_from": "2024-13-01", "country": "ZZZ", "stack": "colour", "foo": "1"}
    body = get_json(client, url, {**params, "interval": "year"}, status=400)
    assert set(body["errors"]) == {*params, "interval"}


@pytest.mark.parametrize("url", [TIMELINE, MAP])
def test_the_widest_date_range_is_answered_not_a_server_error(client, url):
    params = {"date_from": "0001-01-01", "date_to": "9999-12-31", "interval": "week"}
    assert get_json(client, url, params)["total"] == 46


def test_paging_and_sorting_parameters_are_accepted_and_ignored(client):
    ignored = {"page": "3", "per_page": "50", "sort": "-date"}
    params = {"country": "SY"}
    assert timeline(client, {**params, **ignored}) == timeline(client, params)
    plain, paged = map_data(client, params), map_data(client, {**params, **ignored})
    for feature in paged["features"]:
        link = query_of(feature["properties"].pop("url"))
        assert "page" not in link  # a link to page 3 of one location would show nothing
        assert row_count(page(client, link)) == feature["properties"]["count"]
    for feature in plain["features"]:
        feature["properties"].pop("url")
    assert paged == plain


ODD = [
    {"q": "x" * 500},
    {"q": "drone\x00"},
    {"killed_min": "99999999999999999999"},
    {"date_from": "99999-01-01"},
    {"date_from": ["2024-01-01", "not a date"]},
    {"interval": ["week", "month"]},
    {"country": "", "location": "", "date_from": ""},
    {"page": "abc", "per_page": "7"},
    {"location": "../../etc"},
]


@pytest.mark.parametrize("url", [TIMELINE, MAP])
@pytest.mark.parametrize("params", ODD, ids=range(len(ODD)))
def test_odd_input_is_answered_or_refused_never_a_server_error(client, url, params):
    response = client.get(url, params)
    assert response.status_code in (200, 400)
    body = response.json()
    if response.status_code == 400:
        assert body["errors"] and set(body["errors"]) <= set(params)
    else:
        assert body["total"] >= 0


def test_a_bad_filter_on_the_page_gives_400_with_no_chart_map_or_timeline_table(client):
    # Issue 13, item 10: a refused page is an error, not an empty selection; it loads no chart
    # code and names no endpoint that the bad value would be sent to.
    response = page(client, {"country": "ZZZ"}, status=400)
    assert response.context["timeline"]["total"] == 0
    assert plain_table(response) == []
    assert '<section class="visuals"' not in response.text
    assert "No incident matches these filters." not in response.text
    assert "visuals.js" not in response.text and "leaflet" not in response.text


@pytest.mark.parametrize("option, bad", [("interval", "year"), ("stack", "colour")])
def test_the_page_with_a_bad_visual_option_answers_400_naming_it_as_the_json_endpoints_do(
    client, option, bad
):
    response = page(client, {option: bad, "country": "SY"}, status=400)
    errors = re.search(r'<div class="errors" role="alert">(.*?)</div>', response.text, re.S)[1]
    assert f"<code>{option}</code>" in errors
    assert row_count(response) == 0
    assert response.context["timeline"]["total"] == 0
    assert get_json(client, TIMELINE, {option: bad, "country": "SY"}, status=400)["errors"][option]


def test_the_page_s_visual_options_reach_the_chart_and_its_table(client):
    response = page(client, {"country": "IQ", "interval": "week", "stack": "weapon"})
    data = response.context["timeline"]
    assert (data["interval"], data["stack"]) == ("week", "weapon")
    url = section(response)["data-timeline"]
    assert query_of(url) == {"country": ["IQ"], "interval": ["week"], "stack": ["weapon"]}
    assert get_json(client, url) == data
    assert all(iso(r["start"]).weekday() == 0 for r in plain_table(response))
    assert re.search(r'<option value="week" selected>', response.text)


# The section on list and profile pages ---------------------------------------------------------


def test_data_urls_carry_the_filters_but_not_paging_or_sorting(client):
    params = {"country": ["IQ", "SY"], "weapon": "one_way_drone", "sort": "-date", "page": "2"}
    response = page(client, params)
    urls = section(response)
    filters = {"country": ["IQ", "SY"], "weapon": ["one_way_drone"]}
    assert urlsplit(urls["data-timeline"]).path == TIMELINE
    assert urlsplit(urls["data-map"]).path == MAP
    assert query_of(urls["data-timeline"]) == {
        **filters,
        "interval": ["month"],
        "stack": ["claimant"],
    }
    assert query_of(urls["data-map"]) == filters
    assert get_json(client, urls["data-timeline"])["total"] == row_count(response)
    assert get_json(client, urls["data-map"])["total"] == row_count(response)


def test_the_redraw_form_keeps_the_filters_and_sort_but_not_the_page_number(client):
    response = page(client, {"country": "SY", "sort": "-date", "page": "1", "interval": "week"})
    form = re.search(r'<form class="visual-options".*?</form>', response.text, flags=re.S)[0]
    hidden = re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form)
    assert sorted(hidden) == [("country", "SY"), ("sort", "-date")]


@pytest.mark.parametrize("extra", [{"foo": "1"}, {"utm_source": "newsletter"}])
def test_a_page_refusing_a_parameter_asks_the_charts_for_nothing(client, extra):
    """The list page refuses a parameter it does not know, as the JSON endpoints do; its chart
    and map must not show rows the refused table does not."""
    response = page(client, {"country": "SY", **extra}, status=400)
    assert "data-timeline" not in response.text
    assert "data-map" not in response.text


def test_data_urls_of_a_list_page_that_answers_also_answer(client):
    response = page(client, {"country": "SY", "sort": "-date", "interval": "week"})
    for name in ("data-timeline", "data-map"):
        url = section(response)[name]
        answer = client.get(url)
        assert answer.status_code == 200, (url, answer.content[:200])
        assert answer.json()["total"] == row_count(response)


PROFILES = [
    ("/groups/kataib-hezbollah/", "group", KH),
    (f"/brands/{IRI}/", "brand", IRI),
    (f"/locations/{HARIR}/", "location", HARIR),
]


@pytest.mark.parametrize("path, parameter, slug", PROFILES, ids=["group", "brand", "location"])
def test_profile_pages_show_the_visuals_of_their_own_incidents(client, path, parameter, slug):
    response = page(client, path=path)
    rows = row_count(response)
    assert rows > 0
    urls = section(response)
    assert query_of(urls["data-timeline"]) == {
        parameter: [slug],
        "interval": ["month"],
        "stack": ["claimant"],
    }
    assert query_of(urls["data-map"]) == {parameter: [slug]}
    data, places = get_json(client, urls["data-timeline"]), get_json(client, urls["data-map"])
    assert data == response.context["timeline"]
    assert data["total"] == places["total"] == rows
    assert row_count(page(client, {parameter: slug})) == rows  # exactly the list's selection
    shown = [(r["start"], r["end"], r["total"]) for r in plain_table(response)]
    assert shown == [(b["start"], b["end"], b["total"]) for b in data["buckets"]]
    assert sum(f["properties"]["count"] for f in places["features"]) + places["unlocated"] == rows


@pytest.mark.parametrize("path, parameter, slug", PROFILES, ids=["group", "brand", "location"])
def test_profile_page_data_urls_add_the_reader_s_filters_to_the_fixed_parameter(
    client, path, parameter, slug
):
    response = page(client, {"date_from": "2023-11-01", "date_to": "2024-01-31"}, path=path)
    urls = section(response)
    expected = {parameter: [slug], "date_from": ["2023-11-01"], "date_to": ["2024-01-31"]}
    assert query_of(urls["data-map"]) == expected
    assert get_json(client, urls["data-timeline"])["total"] == row_count(response) > 0


def test_the_location_page_map_has_exactly_its_own_feature(client):
    response = page(client, path=f"/locations/{HARIR}/")
    places = get_json(client, section(response)["data-map"])
    [feature] = places["features"]
    assert feature["properties"]["slug"] == HARIR
    assert feature["properties"]["count"] == places["total"] == row_count(response)
    assert places["unlocated"] == 0
    assert query_of(feature["properties"]["url"]) == {"location": [HARIR]}


def test_map_tiles_are_off_by_default_and_the_setting_reaches_the_section(client, settings):
    assert section(page(client))["data-tiles"] == ""
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    settings.MAP_TILE_ATTRIBUTION = "© Example"
    attributes = section(page(client))
    assert attributes["data-tiles"] == "https://tiles.example.org/{z}/{x}/{y}.png"
    assert attributes["data-tiles-attribution"] == "© Example"
    assert section(page(client, path=f"/brands/{IRI}/"))["data-tiles"] == settings.MAP_TILE_URL


# Vendored files --------------------------------------------------------------------------------

VENDORED = ["vendor/leaflet/leaflet.js", "vendor/leaflet/leaflet.css", "js/visuals.js"]


@pytest.mark.parametrize("path", ["/incidents/", f"/brands/{IRI}/", f"/locations/{HARIR}/"])
def test_scripts_styles_and_outlines_are_local_files_referenced_by_local_urls(client, path):
    text = page(client, path=path).text
    sources = re.findall(r"<script[^>]*\bsrc=\"([^\"]+)\"", text)
    links = re.findall(r"<link[^>]*\bhref=\"([^\"]+)\"", text)
    for url in [*sources, *links]:
        assert not re.match(r"(https?:)?//", url, flags=re.I), url
    static = settings.STATIC_URL if settings.STATIC_URL.startswith("/") else "/static/"
    for name in VENDORED:
        assert static + name in sources + links
        assert (STATIC / name).is_file() and (STATIC / name).stat().st_size > 0
    for url in sources + links:
        if url.startswith(static):
            assert (STATIC / url.removeprefix(static)).is_file(), url
    countries = section(page(client, path=path))["data-countries"]
    assert countries == static + "geo/countries.geojson"
    assert (STATIC / "geo" / "countries.geojson").is_file()


def test_leaflet_stylesheet_images_are_vendored_too(client):
    css = (STATIC / "vendor/leaflet/leaflet.css").read_text()
    images = set(re.findall(r"url\((images/[^)]+)\)", css))
    assert images
    for image in images:
        assert (STATIC / "vendor/leaflet" / image).is_file(), image
    assert "http" not in " ".join(re.findall(r"url\(([^)]+)\)", css))


def test_country_outlines_parse_with_a_name_for_every_country():
    data = json.loads((STATIC / "geo" / "countries.geojson").read_text())
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) > 150
    names = {f["properties"]["name"] for f in data["features"]}
    assert all(isinstance(n, str) and n for n in names)
    assert {"Iraq", "Syria", "Jordan"} <= names
    for feature in data["features"]:
        assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}
