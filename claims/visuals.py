"""What the incident list's timeline and map show, computed from exactly the incidents the page's
filters select: counts per week or month stacked by claimant, group or weapon, and counts per
location coloured by claimant. The page's plain table, the chart and the map read the same data.

A date is counted on its first possible day (a month-precision incident on the 1st, a
week-precision one on the first day of its week). Incidents whose possible dates run past the
bar's week or month are counted as well in `uncertain`, so the chart never hides imprecision.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass
from urllib.parse import urlencode

from django import forms
from django.db.models import Count, DateField, Max, Min, Value
from django.db.models.functions import Least, Trunc

from claims.models import Location, Weapon

# An actor keeps one colour on every page and chart: its colour comes from the actor itself (its
# id), never from its rank among the rows shown. Okabe & Ito's colour-blind-safe palette, then
# five of Paul Tol's "muted" colours. Groups take them from the start, brands from the end, so the
# first groups and brands entered differ; the twelve weapon types take one each.
PALETTE = [
    *["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"],
    *["#882255", "#117733", "#332288", "#AA4499", "#44AA99"],
]
# The series that are no actor: greys and a brown, none of them in the palette.
OTHER_COLOUR = "#8a8f98"
UNCLAIMED_COLOUR = "#c8ccd2"
COMPETING_COLOUR = "#3d4248"
BRAND_ONLY_COLOUR = "#8c6d46"
MAX_SERIES = 7  # the largest series drawn on their own; the rest together as "others"

# Keys in brackets, so that no group, brand or weapon label can take them.
UNCLAIMED = "(unclaimed)"
COMPETING = "(competing)"
OTHER = "(other)"
BRAND_ONLY = "(brand only)"
LABELS = {
    UNCLAIMED: "unclaimed",
    COMPETING: "competing claims",
    OTHER: "others",
    BRAND_ONLY: "under a brand, no group named",
}


def group_colour(pk: int) -> str:
    return PALETTE[(pk - 1) % len(PALETTE)]


def brand_colour(pk: int) -> str:
    return PALETTE[-pk % len(PALETTE)]


WEAPON_COLOURS = {label: PALETTE[i % len(PALETTE)] for i, (_, label) in enumerate(Weapon.choices)}
FIXED_COLOURS = {
    UNCLAIMED: UNCLAIMED_COLOUR,
    COMPETING: COMPETING_COLOUR,
    OTHER: OTHER_COLOUR,
    BRAND_ONLY: BRAND_ONLY_COLOUR,
}


def colour_of(stack: str, values: dict) -> str:
    """The colour of an incident's series: the actor's own (or the weapon's), the same whatever
    else the chart shows."""
    key = key_of(stack, values)
    if key in FIXED_COLOURS:
        return FIXED_COLOURS[key]
    if stack == "weapon":
        return WEAPON_COLOURS.get(key, OTHER_COLOUR)
    if stack == "group":
        return group_colour(values["claim_group_id"])
    if values["claimant_brand_id"] is not None:
        return brand_colour(values["claimant_brand_id"])
    return group_colour(values["claimant_group_id"])


DEFAULT_OPTIONS = {"interval": "month", "stack": "claimant"}


class VisualForm(forms.Form):
    interval = forms.ChoiceField(
        choices=[("month", "month"), ("week", "week")], required=False, label="Bars per"
    )
    stack = forms.ChoiceField(
        choices=[("claimant", "claimant"), ("group", "group"), ("weapon", "weapon")],
        required=False,
        label="Stacked by",
    )

    def clean_interval(self):
        return self.cleaned_data["interval"] or DEFAULT_OPTIONS["interval"]

    def clean_stack(self):
        return self.cleaned_data["stack"] or DEFAULT_OPTIONS["stack"]


@dataclass(frozen=True)
class Tally:
    """Incidents counted together: the same first and last day (each truncated to the bucket
    unit asked of the database), the same series key and location."""

    first: datetime.date | None
    last: datetime.date | None
    key: str
    count: int
    location_id: int | None = None
    colour: str = OTHER_COLOUR


WEAPONS = dict(Weapon.choices)

# The series key of an incident, from its derived claimant fields (claims.derived): by
# claimant, the brand a claim is made under, or the group when there is no brand, and two
# claims by different claimants (as the `competing` filter counts them) are competing claims;
# by group, the group that claims, whatever the brand.
KEY_FIELDS = {
    "weapon": ["weapon"],
    "claimant": [
        "claimant_count",
        "claimant_group__name",
        "claimant_brand__name",
        "claimant_group_id",
        "claimant_brand_id",
    ],
    "group": ["claimant_count", "claim_group_count", "claim_group__name", "claim_group_id"],
}


def key_of(stack: str, values: dict) -> str:
    if stack == "weapon":
        return WEAPONS.get(values["weapon"], values["weapon"])
    if values["claimant_count"] == 0:
        return UNCLAIMED
    if stack == "group":
        groups = values["claim_group_count"]
        if groups == 0:
            return BRAND_ONLY
        return values["claim_group__name"] if groups == 1 else COMPETING
    if values["claimant_count"] > 1:
        return COMPETING
    return values["claimant_brand__name"] or values["claimant_group__name"]


def tallies(incidents, stack: str, unit: str | None = None, by_location=False) -> list[Tally]:
    """The selected incidents counted by the database, grouped by series key, by first and last
    possible day truncated to `unit` (week, month or year; None: not by date), and by location
    if asked: one query, whatever their number."""
    annotations = {"capped_count": Least("claimant_count", Value(2))}  # 2: "2 or more"
    if unit is not None:
        annotations["bucket_first"] = Trunc("first_day", unit, output_field=DateField())
        annotations["bucket_last"] = Trunc("last_day", unit, output_field=DateField())
    fields = [f for f in KEY_FIELDS[stack] if f != "claimant_count"]
    fields += ["location_id"] if by_location else []
    rows = (
        incidents.order_by()
        .annotate(**annotations)
        .values(*annotations, *fields)
        .annotate(n=Count("pk"))
    )
    found = []
    for row in rows:
        row["claimant_count"] = row["capped_count"]
        found.append(
            Tally(
                first=as_date(row.get("bucket_first")),
                last=as_date(row.get("bucket_last")),
                key=key_of(stack, row),
                count=row["n"],
                location_id=row.get("location_id"),
                colour=colour_of(stack, row),
            )
        )
    return found


def as_date(value) -> datetime.date:
    """SQLite's truncation answers a datetime, PostgreSQL's a date."""
    return value.date() if isinstance(value, datetime.datetime) else value  # or None


def span(incidents) -> tuple[datetime.date | None, datetime.date | None]:
    """The earliest and latest first possible day of the selected incidents."""
    found = incidents.order_by().aggregate(first=Min("first_day"), last=Max("first_day"))
    return found["first"], found["last"]


def keyed(counted: list[Tally]) -> tuple[Counter, dict[str, str]]:
    """How many incidents each series key has, and its colour."""
    keys: Counter = Counter()
    colours = {}
    for t in counted:
        keys[t.key] += t.count
        colours[t.key] = t.colour
    return keys, colours


def series(keys: Counter, colours: dict[str, str]) -> tuple[list[dict], dict[str, str]]:
    """The series, largest first (ties by name), the top ones in their own colours, the rest as
    'other'; returns them and the series each key is drawn in."""
    ranked = sorted(keys, key=lambda k: (k == UNCLAIMED, -keys[k], k))
    named = [k for k in ranked if k != UNCLAIMED]
    shown = named[:MAX_SERIES] if len(named) <= MAX_SERIES else named[: MAX_SERIES - 1]
    drawn_as = {k: (k if k in shown else OTHER) for k in named}
    result = [
        {"key": k, "label": LABELS.get(k, k), "colour": colours.get(k, OTHER_COLOUR)} for k in shown
    ]
    if len(shown) < len(named):
        result.append({"key": OTHER, "label": LABELS[OTHER], "colour": OTHER_COLOUR})
    if UNCLAIMED in keys:
        drawn_as[UNCLAIMED] = UNCLAIMED
        result.append({"key": UNCLAIMED, "label": LABELS[UNCLAIMED], "colour": UNCLAIMED_COLOUR})
    return result, drawn_as


# Bars are coarsened, finest first, until they are at most MAX_BUCKETS: whatever dates the
# incidents have, the chart, its table and the JSON stay small.
MAX_BUCKETS = 120  # 10 years of months, over 2 years of weeks
INTERVALS = ["week", "month", "year", "decade", "century"]
SPAN_YEARS = {"year": 1, "decade": 10, "century": 100}
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]


def bucket_start(day: datetime.date, interval: str) -> datetime.date:
    if interval == "week":
        return day - datetime.timedelta(days=day.weekday())  # Monday (1 Jan of year 1 is one)
    if interval == "month":
        return day.replace(day=1)
    years = SPAN_YEARS[interval]
    return datetime.date(max(1, day.year - day.year % years), 1, 1)


def following_bucket(start: datetime.date, interval: str) -> datetime.date | None:
    """The next bucket's first day; None after the last day of the calendar."""
    try:
        if interval == "week":
            return start + datetime.timedelta(days=7)
        if interval == "month":
            return datetime.date(start.year + start.month // 12, start.month % 12 + 1, 1)
        years = SPAN_YEARS[interval]
        return datetime.date(start.year - start.year % years + years, 1, 1)
    except (OverflowError, ValueError):
        return None


def bucket_end(start: datetime.date, interval: str) -> datetime.date:
    following = following_bucket(start, interval)
    return following - datetime.timedelta(days=1) if following else datetime.date.max


def bucket_count(first: datetime.date, last: datetime.date, interval: str) -> int:
    """How many buckets run from the one holding `first` to the one holding `last`."""
    if interval == "week":
        return (bucket_start(last, "week") - bucket_start(first, "week")).days // 7 + 1
    if interval == "month":
        return (last.year - first.year) * 12 + last.month - first.month + 1
    years = SPAN_YEARS[interval]
    return last.year // years - first.year // years + 1


def drawable_interval(first: datetime.date, last: datetime.date, interval: str) -> str:
    """The interval asked for, or the first coarser one with at most MAX_BUCKETS buckets."""
    for coarser in INTERVALS[INTERVALS.index(interval) :]:
        if bucket_count(first, last, coarser) <= MAX_BUCKETS:
            return coarser
    return INTERVALS[-1]  # centuries: at most 100 buckets in the whole calendar


def bucket_label(start: datetime.date, interval: str) -> str:
    if interval == "week":
        return f"{start.day:02d} {MONTHS[start.month - 1]} {start.year:04d}"
    if interval == "month":
        return f"{MONTHS[start.month - 1]} {start.year:04d}"
    if interval == "year":
        return f"{start.year:04d}"
    return f"{start.year:04d}s"


def timeline(incidents, interval="month", stack="claimant", counted=None) -> dict:
    """Counts per bucket and series, with every empty bucket between the first and the last; a
    finer interval than the dates allow is coarsened, and the answer says so. The database
    counts (`tallies`); `counted` gives the tallies instead (at day precision), for tests."""
    asked = interval
    if counted is None:
        first, last = span(incidents)
        if first is not None:
            interval = drawable_interval(first, last, interval)
        unit = interval if interval in ("week", "month", "year") else "year"
        counted = tallies(incidents, stack, unit) if first is not None else []
    elif counted:
        first = min(t.first for t in counted)
        interval = drawable_interval(first, max(t.first for t in counted), interval)
    keys, colours = keyed(counted)
    listed, drawn_as = series(keys, colours)
    counts: dict[datetime.date, Counter] = defaultdict(Counter)
    uncertain: Counter = Counter()
    for t in counted:
        start = bucket_start(t.first, interval)
        counts[start][drawn_as[t.key]] += t.count
        if t.last > bucket_end(start, interval):
            uncertain[start] += t.count
    buckets = []
    start, last = (min(counts), max(counts)) if counts else (None, None)
    while start is not None and start <= last:
        buckets.append(
            {
                "start": start.isoformat(),
                "end": bucket_end(start, interval).isoformat(),
                "label": bucket_label(start, interval),
                "counts": {s["key"]: counts[start][s["key"]] for s in listed},
                "total": sum(counts[start].values()),
                "uncertain": uncertain[start],
            }
        )
        start = following_bucket(start, interval)
    return {
        "interval": interval,
        "asked_interval": asked,
        "coarsened": interval != asked,
        "stack": stack,
        "total": keys.total(),
        "series": listed,
        "buckets": buckets,
    }


def locations(incidents, query: dict, path: str) -> dict:
    """A GeoJSON FeatureCollection with one point per location that has coordinates: how many of
    the selected incidents happened there, by claimant, and the URL that filters the page to it.
    `unlocated` counts the incidents the map cannot show. The database counts, by location and
    claimant (one query), whatever the number of incidents."""
    counted = tallies(incidents, "claimant", by_location=True)
    keys, colours = keyed(counted)
    listed, drawn_as = series(keys, colours)
    colours = {s["key"]: s["colour"] for s in listed}
    by_location: dict[int, Counter] = defaultdict(Counter)
    unlocated = 0
    for t in counted:
        if t.location_id is None:
            unlocated += t.count
        else:
            by_location[t.location_id][drawn_as[t.key]] += t.count
    places = Location.objects.filter(pk__in=by_location).order_by("name")
    features = []
    for place in places:
        found = by_location[place.pk]
        if place.latitude is None:
            unlocated += sum(found.values())
            continue
        params = {k: v for k, v in query.items() if k not in ("location", "page")}
        params["location"] = place.slug
        dominant = sorted(found, key=lambda k: (-found[k], k))[0]
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "Point",
                    "coordinates": [float(place.longitude), float(place.latitude)],
                },
                "properties": {
                    "slug": place.slug,
                    "name": place.name,
                    "count": sum(found.values()),
                    "colour": colours[dominant],
                    "claimants": [
                        {"key": s["key"], "count": found[s["key"]], "colour": s["colour"]}
                        for s in listed
                        if found[s["key"]]
                    ],
                    "url": f"{path}?{urlencode(params, doseq=True)}",
                    "page": place.get_absolute_url(),
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "features": features,
        "series": listed,
        "total": keys.total(),
        "unlocated": unlocated,
    }
