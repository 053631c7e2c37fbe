"""Synthetic data at ACLED's size, for benchmarks: `manage.py generate_data --incidents N`.

It fills an empty, migrated database (the command refuses any other) and marks every record as
synthetic: sources are titled "Synthetic source …" with URLs under https://synthetic.invalid/;
group, brand and channel descriptions, location notes, affiliation and relation notes, incident
summaries and claim notes start with "[synthetic]". The same seed gives the same data (one
`random.Random(seed)`, fixed dates: nothing depends on the day it runs).

Shape, for N incidents (ranges are what the tests check):

- **Incidents** dated 1997-01-01 to 2026-10-31 (`LAST_DAY`, in the past), more each year (weight
  (1 + (year - 1997) / 3) ** 1.3, times a random 0.6-1.5 per year), ids in date order. Precision
  day 86 %, week 5 %, month 6 %, year 3 % (month and year dates normalised); 3 % of day-precision
  dates have an end date 1-5 days later. 15 countries (Iraq and Syria most), 88 % at one of the
  locations (a few places are hit far more often: weight 1 / (rank + 5) ** 0.9), the rest at
  admin-area or country precision. Weapons, targets and confirmation from the vocabularies,
  weighted (`vocabulary.py`); "gas pipeline" or "oil pipeline" as the target of 5 % of attacks on
  infrastructure (about 1 incident in 200). Killed: unknown (NULL) 35 %, zero 25 %, else a Pareto
  (alpha 1.2) figure; of the known, 10 % a range, 3 % "at least", 2 % "up to". Injured alike.
  99 % published, 1 % drafts. Titles and summaries from templates; codes
  `<date>-<place>-<weapon>-<n>`.
- **Claims**, about 2 per incident: claims of responsibility (none 15 %, one 65 %, a superseded
  claim and its current correction 10 %, two competing current claims by different claimants 8 %,
  both 2 %; 2 % of single claims retracted), then third-party attributions by a state (60 % of
  incidents: 1, 2 or 3 of them, each with a confidence) and denials (18 %). A claimant is a group
  (55 %), a brand (35 %) or a group under a brand it is affiliated with (10 %), mostly from the
  incident's country.
- **Locations** min(2000, max(20, N/5)) in those countries, around real admin-area centres;
  **groups** min(300, max(15, N/20)): about 12 % facade groups, min(8, max(3, groups/40))
  states, the rest armed groups, each with 1-4 aliases (spelling variants, a translation, Arabic
  script for about half); **brands** min(20, max(3, N/250)) with aliases, affiliations of about 65 %
  of the armed and facade groups to one or two brands (announced, assessed, suspected, denied,
  ended), relations (groups/8), channels for every brand and 15 % of armed groups.
- **Sources** max(60, N/2), dated like the incidents (plus 0-20 days), cited 1-3 times per
  record: incidents and claims cite sources published on or soon after their date, so each source
  is reused by about 9 records.
- **Drafts**: 2 % of groups, 1 % of locations, one brand (with 10 brands or more) and 0.5 % of
  sources are drafts that no published incident uses (draft sources are cited by draft incidents
  only), so every record a published incident uses is published.
- **History**: one "created" history row (history_type "+", reason "synthetic data") per incident
  and per claim, and the matching change-log entry ("added"; public when the incident is
  published), as `changes.recorder.build()` would write them. Other records get no history.
"""

import datetime
import random
import time
from bisect import bisect_left, bisect_right
from operator import itemgetter

from django.urls import reverse
from django.utils.text import slugify

from changes.models import Change
from claims import derived
from claims.models import (
    Claim,
    ClaimCitation,
    ClaimKind,
    Incident,
    IncidentCitation,
    Location,
    LocationCitation,
)
from groups.models import (
    Affiliation,
    AffiliationCitation,
    Alias,
    Brand,
    BrandCitation,
    Channel,
    ChannelCitation,
    Group,
    GroupCitation,
    Relation,
    RelationCitation,
)
from kb import countries
from kb.dates import format_date
from kb.synthetic import vocabulary as vocab
from kb.synthetic.loader import Loader, iso_days
from sources.models import Source

FIRST_DAY = datetime.date(1997, 1, 1)
LAST_DAY = datetime.date(2026, 10, 31)  # fixed, and in the past: the same data on any day
EARLIEST_OTHER = datetime.date(1980, 1, 1)  # groups' founding and the like
MARK = "[synthetic]"
REASON = "synthetic data"
URL = "https://synthetic.invalid/"
CHUNK = 25_000  # incidents generated and written per round (bounded memory)

COUNTRY_NAMES = dict(countries.COUNTRIES)

INCIDENT_COLUMNS = [
    "id", "code", "title", "date", "date_precision", "date_end", "date_note", "time_of_day",
    "location_id", "country", "admin1", "place", "facility", "geo_precision", "weapon",
    "weapon_detail", "target", "target_detail", "killed_low", "killed_high", "injured_low",
    "injured_high", "casualty_note", "confirmation", "summary", "status", "created", "updated",
]  # fmt: skip
CLAIM_COLUMNS = [
    "id", "incident_id", "kind", "group_id", "brand_id", "claimant_as_named", "date",
    "date_precision", "channel_id", "channel_detail", "medium", "original_text",
    "original_language", "english_text", "attributed_by_id", "attributed_by_detail",
    "confidence", "status", "status_note", "supersedes_id", "note", "created", "updated",
]  # fmt: skip
CHANGE_COLUMNS = [
    "id", "at", "action", "model", "record_type", "record_id", "label", "page",
    "incident_code", "fields", "reason", "user_id", "public", "history_id",
]  # fmt: skip
HISTORY_TAIL = ["history_id", "history_date", "history_change_reason", "history_type"]
HISTORY_TAIL += ["history_user_id"]
CITATION_COLUMNS = ["id", "source_id", "quote", "locator", "credibility"]


def sizes(incidents: int) -> dict[str, int]:
    """How many records of each kind N incidents come with."""
    groups = min(300, max(15, incidents // 20))
    return {
        "incidents": incidents,
        "locations": min(2000, max(20, incidents // 5)),
        "groups": groups,
        "states": min(len(vocab.STATES), max(3, groups // 40)),
        "facades": round(groups * 0.12),
        "brands": min(20, max(3, incidents // 250)),
        "sources": max(60, incidents // 2),
    }


class Weighted:
    """Picks an item with probability proportional to its weight, from one uniform number."""

    __slots__ = ("cumulative", "items", "total")

    def __init__(self, weights):
        pairs = list(weights.items() if isinstance(weights, dict) else weights)
        self.items = [item for item, _ in pairs]
        self.cumulative, total = [], 0.0
        for _, weight in pairs:
            total += weight
            self.cumulative.append(total)
        self.total = total

    def __call__(self, uniform: float):
        return self.items[bisect_right(self.cumulative, uniform * self.total)]


class Generator:
    def __init__(self, incidents: int, seed: int, loader: Loader, report=None):
        self.n = sizes(incidents)
        self.rng = random.Random(seed)
        self.rnd = self.rng.random
        self.loader = loader
        self.report = report or (lambda message: None)
        self.iso = iso_days(EARLIEST_OTHER, LAST_DAY)
        self.last = LAST_DAY.toordinal()
        self.years = self.year_weights()
        self.credibility = Weighted(vocab.CREDIBILITY)
        self.country = Weighted({code: spec[0] for code, spec in vocab.COUNTRIES.items()})

    # Helpers ---------------------------------------------------------------------------------

    def pick(self, items):
        return items[int(self.rnd() * len(items))]

    def between(self, low: int, high: int) -> int:
        """A whole number from low to high, both included."""
        return low + int(self.rnd() * (high - low + 1))

    def year_weights(self) -> Weighted:
        weights = []
        for year in range(FIRST_DAY.year, LAST_DAY.year + 1):
            first = datetime.date(year, 1, 1).toordinal()
            last = min(datetime.date(year, 12, 31).toordinal(), self.last)
            growth = (1 + (year - FIRST_DAY.year) / 3) ** 1.3 * (0.6 + 0.9 * self.rnd())
            weights.append(((first, last - first + 1), growth * (last - first + 1) / 365))
        return Weighted(weights)

    def incident_day(self) -> int:
        first, span = self.years(self.rnd())
        return first + int(self.rnd() * span)

    def dated(self, first_year: int, last_year: int, precisions: dict):
        """(date, precision) drawn uniformly from the years, normalised to its precision."""
        day = datetime.date.fromordinal(
            self.between(
                datetime.date(first_year, 1, 1).toordinal(),
                min(datetime.date(last_year, 12, 31).toordinal(), self.last),
            )
        )
        precision = Weighted(precisions)(self.rnd())
        if precision == "month":
            day = day.replace(day=1)
        elif precision == "year":
            day = day.replace(month=1, day=1)
        return day, precision

    def citations(self, model, record: str, records: list[int], most: int = 3) -> None:
        """1 to `most` citations of published sources for each record."""
        sources, next_id, rows = self.published_sources, self.loader.next_id(model), []
        for record_id in records:
            count = self.between(1, most)
            for source_id in self.rng.sample(sources, min(count, len(sources))):
                rows.append((next_id, source_id, "", "", self.credibility(self.rnd()), record_id))
                next_id += 1
        self.loader.write(model, [*CITATION_COLUMNS, f"{record}_id"], rows)

    def run(self) -> None:
        self.locations()
        self.sources()
        self.write_locations()
        self.groups()
        self.brands()
        self.aliases()
        self.channels()
        self.affiliations()
        self.relations()
        self.incidents()

    # Places ----------------------------------------------------------------------------------

    def locations(self) -> None:
        """Sites around real admin-area centres, with made-up names; written after the sources
        they cite."""
        rows, self.places, used = [], [], {}
        next_id = self.loader.next_id(Location)
        drafts = set(self.rng.sample(range(self.n["locations"]), self.n["locations"] // 100 or 1))
        kinds = Weighted({kind: spec[0] for kind, spec in vocab.LOCATION_KINDS.items()})
        for k in range(self.n["locations"]):
            country = self.country(self.rnd())
            _, style, jitter, areas = vocab.COUNTRIES[country]
            admin1, lat, lng = self.pick(areas)
            first, second = vocab.PLACE_PARTS[style]
            (word1, arabic1), (word2, arabic2) = self.pick(first), self.pick(second)
            town = f"{word1} {word2}" if style in ("arabic", "hebrew") else f"{word1}{word2}"
            kind = kinds(self.rnd())
            name = vocab.LOCATION_KINDS[kind][1].format(town)
            slug = slugify(f"{name}-{country}")
            used[slug] = used.get(slug, 0) + 1
            if used[slug] > 1:
                slug = f"{slug}-{used[slug]}"
            arabic = f"{arabic1} {arabic2}" if arabic1 and kind in ("town", "city") else ""
            variants = []
            if style == "arabic" and self.rnd() < 0.3:
                variants = [f"{word1} {word2.removeprefix('al-')}", f"{word1}-{word2}"]
            latitude = f"{lat + (2 * self.rnd() - 1) * jitter:.7f}"
            longitude = f"{lng + (2 * self.rnd() - 1) * jitter:.7f}"
            what = "the site itself" if kind not in ("town", "city") else "the town centre"
            status = "draft" if k in drafts else "published"
            location_id = next_id + k
            rows.append(
                (
                    location_id,
                    name,
                    slug,
                    arabic,
                    "\n".join(variants),
                    kind,
                    country,
                    admin1,
                    latitude,
                    longitude,
                    f"{MARK} Coordinates are approximate: {what}.",
                    status,
                )
            )
            self.places.append(
                (location_id, country, admin1, town, name, kind, slugify(town)[:30], status)
            )
        self.location_rows = rows
        published = [
            (place, 1 / (rank + 5) ** 0.9)
            for rank, place in enumerate(self.places)
            if place[-1] == "published"
        ]
        self.place = Weighted(published)
        self.area_slugs = {
            (code, area[0]): slugify(area[0])[:30]
            for code, spec in vocab.COUNTRIES.items()
            for area in spec[3]
        }

    def write_locations(self) -> None:
        columns = ["id", "name", "slug", "arabic_name", "alternate_names", "kind", "country"]
        columns += ["admin1", "latitude", "longitude", "notes", "status"]
        self.loader.write(Location, columns, self.location_rows)
        self.citations(LocationCitation, "location", [row[0] for row in self.location_rows])
        del self.location_rows

    # Sources ---------------------------------------------------------------------------------

    def sources(self) -> None:
        count = self.n["sources"]
        kinds = Weighted({kind: spec[0] for kind, spec in vocab.SOURCE_KINDS.items()})
        reliability = {kind: Weighted(spec[2]) for kind, spec in vocab.SOURCE_KINDS.items()}
        languages = Weighted(vocab.SOURCE_LANGUAGES)
        precisions = Weighted({"day": 90, "month": 7, "year": 3})
        days = []
        for _ in range(count):
            day = datetime.date.fromordinal(
                min(self.incident_day() + self.between(0, 20), self.last)
            )
            precision = precisions(self.rnd())
            if precision == "month":
                day = day.replace(day=1)
            elif precision == "year":
                day = day.replace(month=1, day=1)
            days.append((day.toordinal(), precision) if self.rnd() >= 0.02 else (None, ""))
        days.sort(key=lambda item: (item[0] is None, item[0] or 0))
        drafts = set(self.rng.sample(range(count), max(1, count // 200)))
        next_id = self.loader.next_id(Source)
        rows, self.source_days, self.source_ids = [], [], []
        self.draft_sources, self.published_sources = [], []
        places = [area[0] for spec in vocab.COUNTRIES.values() for area in spec[3]]
        for k, (day, precision) in enumerate(days):
            source_id = next_id + k
            kind = kinds(self.rnd())
            publisher = self.pick(vocab.SOURCE_KINDS[kind][1])
            headline = (
                f"{self.pick(vocab.HEADLINE_SUBJECTS)} {self.pick(vocab.HEADLINE_VERBS)} "
                f"{self.pick(places)}"
            )
            accessed = None
            if self.rnd() < 0.5:
                seen = (day or self.incident_day()) + self.between(0, 400)
                accessed = self.iso[min(seen, self.last)]
            status = "draft" if k in drafts else "published"
            rows.append(
                (
                    source_id,
                    f"Synthetic source {source_id}: {headline}",
                    f"{URL}source/{source_id}",
                    f"{URL}archive/{source_id}" if self.rnd() < 0.2 else "",
                    publisher,
                    self.pick(vocab.AUTHORS) if self.rnd() < 0.4 else "",
                    kind,
                    languages(self.rnd()),
                    self.iso[day] if day else None,
                    precision,
                    accessed,
                    reliability[kind](self.rnd()),
                    "",
                    status,
                )
            )
            if status == "draft":
                self.draft_sources.append(source_id)
                continue
            self.published_sources.append(source_id)
            if day is not None:
                self.source_days.append(day)
                self.source_ids.append(source_id)
        columns = ["id", "title", "url", "archive_url", "publisher", "author", "kind"]
        columns += ["language", "published", "published_precision", "accessed", "reliability"]
        self.loader.write(Source, [*columns, "notes", "status"], rows)

    def near(self, day: int, count: int) -> list[int]:
        """`count` distinct published sources dated on or soon after the day."""
        days, ids = self.source_days, self.source_ids
        window = min(40, len(ids))
        count = min(count, window)
        low = min(bisect_left(days, day), len(ids) - window)
        chosen = []
        while len(chosen) < count:
            source_id = ids[low + int(self.rnd() * window)]
            if source_id not in chosen:
                chosen.append(source_id)
        return chosen

    # Actors ----------------------------------------------------------------------------------

    def groups(self) -> None:
        n = self.n
        armed = n["groups"] - n["states"] - n["facades"]
        combos = [(p, q) for p in vocab.GROUP_PREFIXES for q in vocab.GROUP_NAMES]
        self.rng.shuffle(combos)
        states = vocab.STATES[: n["states"]]
        next_id = self.loader.next_id(Group)
        rows, self.group_info, used = [], {}, set()
        self.claimants, self.states = [], []
        drafts = set(self.rng.sample(range(armed), max(1, n["groups"] // 50)))
        for k in range(n["groups"]):
            group_id = next_id + k
            if k < n["states"]:
                name, country, arabic = states[k]
                kind, acronym, parts = "state", "", None
                founded, precision = None, ""
                description = f"{MARK} The state of {name}, a party that attributes attacks."
            else:
                prefix, word = combos[k - n["states"]]
                kind = "armed_group" if k < n["states"] + armed else "facade_group"
                name, parts = f"{prefix[0]} {word[0]}", (prefix, word)
                arabic = f"{prefix[1]} {word[1]}" if self.rnd() < 0.6 else ""
                acronym = (prefix[0][0] + word[0].removeprefix("al-")[0]).upper()
                acronym = acronym if kind == "armed_group" and self.rnd() < 0.3 else ""
                country = self.country(self.rnd())
                founded, precision = self.dated(1980, 2022, {"year": 60, "month": 30, "day": 10})
                where = COUNTRY_NAMES[country]
                if kind == "armed_group":
                    description = f"{MARK} An armed group based in {where}."
                else:
                    description = (
                        f"{MARK} A name used to claim attacks in {where}; analysts read it as "
                        "a front for other factions."
                    )
            slug = slugify(name) or f"group-{group_id}"
            slug = slug if slug not in used else f"{slug}-{group_id}"
            used.add(slug)
            draft = kind == "armed_group" and (k - n["states"]) in drafts
            status = "draft" if draft else "published"
            rows.append(
                (
                    group_id,
                    name,
                    slug,
                    arabic,
                    acronym,
                    kind,
                    country,
                    founded.isoformat() if founded else None,
                    precision,
                    description,
                    status,
                )
            )
            self.group_info[group_id] = (name, kind, country, arabic, parts, status)
            if kind == "state":
                self.states.append((group_id, country))
            elif status == "published":
                self.claimants.append((group_id, country))
        columns = ["id", "name", "slug", "arabic_name", "acronym", "kind", "country"]
        self.loader.write(
            Group, [*columns, "founded", "founded_precision", "description", "status"], rows
        )
        self.citations(GroupCitation, "group", list(self.group_info))
        # Who claims and who attributes in each country: mostly its own groups, big ones more.
        self.group_in, self.state_in = {}, {}
        for code in vocab.COUNTRIES:
            self.group_in[code] = Weighted(
                (group_id, (1 if country == code else 0.04) / (rank + 3))
                for rank, (group_id, country) in enumerate(self.claimants)
            )
            self.state_in[code] = Weighted(
                (state_id, 5 if country == code else 3 if country == "US" else 1)
                for state_id, country in self.states
            )

    def brands(self) -> None:
        combos = [(p, r) for p in vocab.BRAND_PREFIXES for r in vocab.BRAND_REGIONS]
        self.rng.shuffle(combos)
        next_id = self.loader.next_id(Brand)
        rows, self.brand_info = [], {}
        count = self.n["brands"]
        draft = count - 1 if count >= 10 else None
        brand_countries = {}
        for k in range(count):
            brand_id = next_id + k
            prefix, region = combos[k]
            name = f"{prefix[0]} {region[0]}"
            acronym = "".join(w[0] for w in name.split() if w[0].isupper() and w != "the")
            launched, precision = self.dated(2003, 2024, {"day": 50, "month": 40, "year": 10})
            where = sorted({self.country(self.rnd()) for _ in range(self.between(1, 3))})
            status = "draft" if k == draft else "published"
            rows.append(
                (
                    brand_id,
                    name,
                    slugify(name),
                    f"{prefix[2]} {region[2]}",
                    acronym,
                    launched.isoformat(),
                    precision,
                    f"{MARK} A label under which attacks in "
                    f"{', '.join(COUNTRY_NAMES[c] for c in where)} are claimed.",
                    status,
                )
            )
            self.brand_info[brand_id] = (name, prefix, region, acronym, status)
            if status == "published":
                brand_countries[brand_id] = where
        columns = ["id", "name", "slug", "arabic_name", "acronym", "launched"]
        columns += ["launched_precision", "description", "status"]
        self.loader.write(Brand, columns, rows)
        self.citations(BrandCitation, "brand", list(self.brand_info))
        self.brand_in = {
            code: Weighted(
                (brand_id, 1 if code in where else 0.02)
                for brand_id, where in brand_countries.items()
            )
            for code in vocab.COUNTRIES
        }

    def aliases(self) -> None:
        rows, next_id = [], self.loader.next_id(Alias)
        self.alias_names = {}
        counts = Weighted({1: 30, 2: 35, 3: 25, 4: 10})
        for group_id, (name, _, _, arabic, parts, _) in self.group_info.items():
            if parts is None:  # a state
                the = "the " if name.startswith("United") else ""
                candidates = [(f"Government of {the}{name}", "other", "en", "Latn")]
                candidates.append((arabic, "original_script", "ar", "Arab"))
            else:
                prefix, word = parts
                spelled = self.pick(vocab.SPELLINGS[prefix[0]])
                article = self.pick(vocab.ARTICLE_VARIANTS)
                candidates = [
                    (f"{spelled} {word[0]}", "transliteration", "", "Latn"),
                    (f"{prefix[0]} {article}{word[0][3:]}", "transliteration", "", "Latn"),
                    (f"{prefix[2]} of {word[2]}", "translation", "en", "Latn"),
                ]
                self.rng.shuffle(candidates)
                if self.rnd() < 0.5:
                    candidates.insert(
                        0, (f"{prefix[1]} {word[1]}", "original_script", "ar", "Arab")
                    )
            rows += self.alias_rows(
                next_id + len(rows), ("group", group_id), name, candidates, counts
            )
        for brand_id, (name, prefix, region, acronym, _) in self.brand_info.items():
            candidates = [
                (f"{prefix[1]} {region[1]}", "transliteration", "ar", "Latn"),
                (f"{prefix[2]} {region[2]}", "original_script", "ar", "Arab"),
                (acronym, "acronym", "en", "Latn"),
                (name.replace(" in ", " of "), "translation", "en", "Latn"),
            ]
            rows += self.alias_rows(
                next_id + len(rows), ("brand", brand_id), name, candidates, counts
            )
        columns = ["id", "group_id", "brand_id", "name", "kind", "language", "script"]
        self.loader.write(Alias, columns, rows)

    def alias_rows(self, next_id, owner, name, candidates, counts) -> list[tuple]:
        seen, rows, wanted = {name.lower()}, [], counts(self.rnd())
        for alias, kind, language, script in candidates:
            if len(rows) == wanted:
                break
            if not alias or alias.lower() in seen:
                continue
            seen.add(alias.lower())
            group_id, brand_id = (owner[1], None) if owner[0] == "group" else (None, owner[1])
            rows.append((next_id + len(rows), group_id, brand_id, alias, kind, language, script))
            self.alias_names.setdefault(owner, []).append(alias)
        return rows

    def channels(self) -> None:
        rows, next_id = [], self.loader.next_id(Channel)
        self.channels_of = {}
        operators = [("brand", brand_id, info[0]) for brand_id, info in self.brand_info.items()]
        operators += [
            ("group", group_id, info[0])
            for group_id, info in self.group_info.items()
            if info[1] == "armed_group" and self.rnd() < 0.15
        ]
        for owner, owner_id, name in operators:
            platforms = (
                ["telegram", "website"] if owner == "brand" else [self.pick(["telegram", "x"])]
            )
            for platform in platforms[: self.between(1, len(platforms))]:
                channel_id = next_id + len(rows)
                label = {"telegram": f"{name} Media", "x": f"@{slugify(name)}"}.get(platform, name)
                rows.append(
                    (
                        channel_id,
                        label,
                        platform,
                        f"{URL}channel/{channel_id}",
                        owner_id if owner == "group" else None,
                        owner_id if owner == "brand" else None,
                        f"{MARK} Where {name} publishes its claims.",
                    )
                )
                self.channels_of.setdefault((owner, owner_id), []).append(channel_id)
        columns = ["id", "name", "platform", "url", "operated_by_group_id"]
        self.loader.write(Channel, [*columns, "operated_by_brand_id", "description"], rows)
        self.citations(ChannelCitation, "channel", [row[0] for row in rows], most=1)

    def affiliations(self) -> None:
        rows, next_id = [], self.loader.next_id(Affiliation)
        statuses = Weighted(vocab.AFFILIATION_STATUSES)
        confidences = Weighted(vocab.CONFIDENCES)
        brands = list(self.brand_info)
        self.members = {}  # brand -> published groups claiming under it
        for group_id, (_, kind, *_, status) in self.group_info.items():
            r = self.rnd()
            if kind == "state" or r >= 0.65:
                continue
            for brand_id in self.rng.sample(brands, min(len(brands), 1 if r < 0.5 else 2)):
                state = statuses(self.rnd())
                start, start_precision = self.dated(
                    2005, 2025, {"month": 60, "year": 30, "day": 10}
                )
                end, end_precision = None, ""
                if state == "ended":  # a month, one to six years after the start
                    later = start + datetime.timedelta(days=self.between(365, 6 * 365))
                    end, end_precision = min(later, LAST_DAY).replace(day=1), "month"
                assessed = (
                    "the group itself" if state == "announced" else self.pick(vocab.ASSESSORS)
                )
                confidence = (
                    "" if state == "announced" or self.rnd() < 0.1 else confidences(self.rnd())
                )
                rows.append(
                    (
                        next_id + len(rows),
                        group_id,
                        brand_id,
                        state,
                        confidence,
                        assessed,
                        start.isoformat(),
                        start_precision,
                        end.isoformat() if end else None,
                        end_precision,
                        f"{MARK} As {assessed} states it.",
                    )
                )
                live = state in ("announced", "assessed", "suspected")
                if live and status == "published":
                    self.members.setdefault(brand_id, []).append(group_id)
        columns = ["id", "group_id", "brand_id", "status", "confidence", "assessed_by", "start"]
        columns += ["start_precision", "end", "end_precision", "note"]
        self.loader.write(Affiliation, columns, rows)
        self.citations(AffiliationCitation, "affiliation", [row[0] for row in rows])

    def relations(self) -> None:
        rows, next_id, seen = [], self.loader.next_id(Relation), set()
        kinds = Weighted(vocab.RELATION_KINDS)
        groups = [(gid, info[1]) for gid, info in self.group_info.items()]
        armed = [gid for gid, kind in groups if kind == "armed_group"]
        facades = [gid for gid, kind in groups if kind == "facade_group"] or armed
        states = [gid for gid, kind in groups if kind == "state"]
        brands = list(self.brand_info)
        wanted = max(3, self.n["groups"] // 8)
        for _ in range(wanted * 5):
            if len(rows) >= wanted:
                break
            kind = kinds(self.rnd())
            object_group = object_brand = None
            if kind == "sponsors":
                subject, object_group = self.pick(states), self.pick(armed)
            elif kind == "coordinates":
                subject, object_brand = self.pick(states + armed), self.pick(brands)
            elif kind == "subordinate_of":
                subject, object_group = self.pick(facades), self.pick(armed)
            else:
                subject, object_group = self.pick(armed), self.pick(armed)
            key = (subject, kind, object_group, object_brand)
            if subject == object_group or key in seen:
                continue
            seen.add(key)
            start, precision = (None, "")
            if self.rnd() < 0.6:
                start, precision = self.dated(2000, 2024, {"year": 70, "month": 30})
            rows.append(
                (
                    next_id + len(rows),
                    subject,
                    kind,
                    object_group,
                    object_brand,
                    start.isoformat() if start else None,
                    precision,
                    f"{MARK} Reported by analysts.",
                )
            )
        columns = ["id", "subject_id", "kind", "object_group_id", "object_brand_id", "start"]
        self.loader.write(Relation, [*columns, "start_precision", "note"], rows)
        self.citations(RelationCitation, "relation", [row[0] for row in rows], most=2)

    # Incidents, claims, their citations, history and change log ------------------------------

    def incidents(self) -> None:
        """Incidents in date order, written CHUNK at a time with their claims, citations,
        history rows and change-log entries (one COPY per table and chunk)."""
        self.incident_history = self.history_layout(Incident, INCIDENT_COLUMNS)
        self.claim_history = self.history_layout(Claim, CLAIM_COLUMNS)
        self.tables = [
            (Incident, INCIDENT_COLUMNS),
            (Claim, CLAIM_COLUMNS),
            (IncidentCitation, [*CITATION_COLUMNS, "incident_id"]),
            (ClaimCitation, [*CITATION_COLUMNS, "claim_id"]),
            (self.incident_history[0], self.incident_history[1]),
            (self.claim_history[0], self.claim_history[1]),
            (Change, CHANGE_COLUMNS),
        ]
        self.ids = {model: self.loader.next_id(model) for model, _ in self.tables}
        self.prepare_vocabulary()
        total = self.n["incidents"]
        days = sorted(self.incident_day() for _ in range(total))
        started = time.perf_counter()
        with self.loader.without_indexes([model for model, _ in self.tables]):
            for first in range(0, total, CHUNK):
                self.rows = {model: [] for model, _ in self.tables}
                for offset, day in enumerate(days[first : first + CHUNK]):
                    self.incident(first + offset, day)
                for model, columns in self.tables:
                    self.loader.write(model, columns, self.rows[model])
                done = min(first + CHUNK, total)
                seconds = time.perf_counter() - started
                self.report(f"  incidents {done:,}/{total:,} ({seconds:.0f} s)")
            # Before the indexes are built again: one pass, no index to keep up to date.
            rebuilding = time.perf_counter()
            derived.rebuild()
            self.report(f"  derived columns built ({time.perf_counter() - rebuilding:.1f} s)")
        del self.rows

    def history_layout(self, model, columns: list[str]) -> tuple:
        """How a record's row becomes its history row: (history model, its columns, a getter
        that picks them from row + defaults of the other columns + history fields, defaults)."""
        history_model = model.history.model
        names, defaults = self.loader.columns(model, columns)
        by_column = {f.column: f.attname for f in model._meta.concrete_fields}
        full = [by_column[c] for c in names] + HISTORY_TAIL
        wanted = [
            f.attname
            for f in history_model._meta.concrete_fields
            if f.attname in full and not getattr(f, "generated", False)
        ]
        getter = itemgetter(*(full.index(name) for name in wanted))
        return history_model, wanted, getter, defaults

    def prepare_vocabulary(self) -> None:
        v = vocab
        self.weapon = Weighted([((k, s[1], s[2]), s[0]) for k, s in v.WEAPONS.items()])
        self.target = Weighted([((k, s[1], s[2]), s[0]) for k, s in v.TARGETS.items()])
        self.confirmation = Weighted(v.CONFIRMATIONS)
        self.medium = Weighted(v.MEDIA)
        self.confidence = Weighted(v.CONFIDENCES)
        self.cite_count = Weighted({1: 50, 2: 35, 3: 15})
        self.claim_cite_count = Weighted({1: 60, 2: 30, 3: 10})
        self.attribution_count = Weighted({1: 70, 2: 25, 3: 5})
        self.kind_label = dict(ClaimKind.choices)
        url = reverse("incident-detail", args=["CODE"])
        self.page_before, self.page_after = url.split("CODE")

    def incident(self, n: int, day: int) -> None:
        """One incident on the day, with its claims, citations, history rows and log entries."""
        rnd = self.rnd
        incident_id = self.ids[Incident] + n
        published = rnd() >= 0.01
        date, precision, date_end, date_note = self.when(day)
        location_id, country, admin1, place, facility, geo, where, place_slug = self.where()
        weapon, event, weapon_detail, target, target_text, target_detail = self.what()
        killed_low, killed_high = self.casualties(0.35, 0.25, 1.2, 900)
        injured_low, injured_high = self.casualties(0.45, 0.2, 1.1, 2000)
        casualty_note = ""
        if None not in (killed_low, killed_high) and killed_low != killed_high:
            casualty_note = f"Sources give between {killed_low} and {killed_high} killed."
        confirmation = self.confirmation(rnd())
        iso_date = self.iso[date]
        code = f"{iso_date}-{place_slug}-{weapon.replace('_', '-')}-{n + 1}"
        created_day = min(day + int(rnd() * rnd() * 14), self.last)
        seconds = self.between(0, 86_000)
        created = self.loader.stamp(self.iso[created_day], seconds)
        claims, claim_sentence = self.claims(date, country)
        title = self.title(event, target_text, where, killed_low)
        prep = self.pick(vocab.PREPOSITIONS)
        area = f"{admin1}, {COUNTRY_NAMES[country]}" if admin1 else COUNTRY_NAMES[country]
        summary = " ".join(
            part
            for part in (
                f"{MARK} {self.pick(vocab.REPORTERS)} reported {article(event)} {event.lower()}"
                f" {prep} {where} ({area}).",
                f"It targeted {'the ' + target_detail if target_detail else target_text}"
                f"{' with ' + weapon_detail if weapon_detail else ''}.",
                toll(killed_low, killed_high),
                claim_sentence,
                self.pick(vocab.CONFIRMATION_SENTENCES[confirmation]),
            )
            if part
        )
        status = "published" if published else "draft"
        row = (
            incident_id, code, title, iso_date, precision,
            self.iso[date_end] if date_end else None, date_note,
            self.time_of_day() if rnd() < 0.15 else None, location_id, country, admin1, place,
            facility, geo, weapon, weapon_detail, target, target_detail, killed_low,
            killed_high, injured_low, injured_high, casualty_note, confirmation, summary, status,
            created, created,
        )  # fmt: skip
        self.rows[Incident].append(row)
        self.cite(IncidentCitation, incident_id, day, self.cite_count(rnd()), published)
        history_id = self.history(self.incident_history, row, created)
        label = f"{format_date(*self.dates(date, precision, date_end))}: {title}"
        self.log(created, Incident, incident_id, label, code, "", published, history_id)
        self.write_claims(incident_id, code, published, claims, created_day, seconds, where)

    def when(self, day: int) -> tuple:
        """(date, precision, end date, note) of an incident that happened on the day."""
        r = self.rnd()
        if r < 0.86:
            if self.rnd() < 0.03:
                end = min(day + self.between(1, 5), self.last)
                return day, "day", end, "Sources disagree on the day."
            return day, "day", None, ""
        if r < 0.91:
            return day, "week", None, "Reported in a weekly summary."
        real = datetime.date.fromordinal(day)
        if r < 0.97:
            return real.replace(day=1).toordinal(), "month", None, "Only the month is reported."
        return real.replace(month=1, day=1).toordinal(), "year", None, "Only the year is known."

    @staticmethod
    def dates(date: int, precision: str, end: int | None) -> tuple:
        return (
            datetime.date.fromordinal(date),
            precision,
            datetime.date.fromordinal(end) if end else None,
        )

    def time_of_day(self) -> str:
        return f"{self.between(0, 23):02d}:{self.between(0, 59):02d}:00"

    def where(self) -> tuple:
        """(location, country, admin1, place, facility, geographic precision, the place as the
        text names it, the place in the code): mostly a known location, else an area."""
        if self.rnd() < 0.88:
            location_id, country, admin1, town, site, kind, place_slug, _ = self.place(self.rnd())
            facility = site if kind not in ("town", "city", "neighbourhood") else ""
            geo = "site" if facility else self.pick(("site", "near_site", "town"))
            return location_id, country, admin1, town, facility, geo, site, place_slug
        country = self.country(self.rnd())
        if self.rnd() < 0.6:
            admin1 = self.pick(vocab.COUNTRIES[country][3])[0]
            slug = self.area_slugs[(country, admin1)]
            return None, country, admin1, admin1, "", "admin1", admin1, slug
        return None, country, "", "", "", "country", COUNTRY_NAMES[country], country.lower()

    def what(self) -> tuple:
        """(weapon, the event as a title names it, weapon detail, target, the target as text,
        target detail)."""
        rnd, pick = self.rnd, self.pick
        weapon, events, weapon_details = self.weapon(rnd())
        weapon_detail = pick(weapon_details) if weapon_details and rnd() < 0.4 else ""
        target, target_text, target_details = self.target(rnd())
        target_detail = ""
        if target == "infrastructure" and rnd() < 0.05:
            target_detail = pick(vocab.PIPELINES)
        elif target_details and rnd() < 0.7:
            target_detail = pick(target_details)
        return (
            weapon,
            pick(events),
            weapon_detail,
            target,
            target_detail or target_text,
            target_detail,
        )

    def title(self, event: str, target: str, where: str, killed: int | None) -> str:
        prep, r = self.pick(vocab.PREPOSITIONS), self.rnd()
        if r < 0.3:
            return f"{event} on {target} {prep} {where}"
        if r < 0.5:
            return f"{event} hits {target} {prep} {where}"
        if r < 0.65:
            return f"{target[0].upper()}{target[1:]} hit by {event.lower()} {prep} {where}"
        if r < 0.8 and killed:
            return f"{killed} killed in {event.lower()} {prep} {where}"
        return f"{event} reported {prep} {where}"

    def casualties(self, unknown: float, zero: float, alpha: float, most: int) -> tuple:
        """(low, high): unknown, zero or a Pareto figure; sometimes a range or one bound."""
        r = self.rnd()
        if r < unknown:
            return None, None
        low = 0 if r < unknown + zero else min(int(self.rng.paretovariate(alpha)), most)
        shape = self.rnd()
        if shape < 0.85:
            return low, low
        if shape < 0.95:
            return low, low + self.between(1, max(2, low))
        if shape < 0.98:
            return low, None
        return None, max(low, 1)

    def cite(self, model, record_id: int, day: int, count: int, published: bool) -> None:
        """Cite `count` sources dated near the day; a draft incident's claims and itself cite a
        draft source first."""
        sources = self.near(day, count)
        if not published and self.draft_sources:
            draft = self.pick(self.draft_sources)
            sources = [draft, *(s for s in sources if s != draft)][:count]
        rows, next_id, rnd = self.rows[model], self.ids[model], self.rnd
        for source_id in sources:
            locator = f"para. {self.between(1, 12)}" if rnd() < 0.3 else ""
            rows.append((next_id, source_id, "", locator, self.credibility(rnd()), record_id))
            next_id += 1
        self.ids[model] = next_id

    def history(self, layout, row: tuple, at: str) -> int:
        """Add the record's "created" history row; returns its id."""
        model, _, getter, defaults = layout
        history_id = self.ids[model]
        self.ids[model] += 1
        self.rows[model].append(getter(row + defaults + (history_id, at, REASON, "+", None)))
        return history_id

    def log(self, at, model, record_id, label, code, anchor, public, history_id) -> None:
        """The change-log entry `changes.recorder.build()` makes of a "created" history row."""
        change_id = self.ids[Change]
        self.ids[Change] += 1
        self.rows[Change].append(
            (
                change_id, at, "added", model._meta.label_lower, str(model._meta.verbose_name),
                record_id, label[:500], f"{self.page_before}{code}{self.page_after}{anchor}",
                code, "[]", REASON, None, public, history_id,
            )
        )  # fmt: skip

    # Claims ----------------------------------------------------------------------------------

    def claimant(self, country: str) -> tuple:
        """(group, brand) of a claim of responsibility in the country: a group, a brand, or a
        group under a brand it is affiliated with."""
        r = self.rnd()
        brand_in = self.brand_in[country]
        if brand_in.items and r < 0.45:
            brand_id = brand_in(self.rnd())
            members = self.members.get(brand_id)
            if r >= 0.35 and members:
                return self.pick(members), brand_id
            return None, brand_id
        return self.group_in[country](self.rnd()), None

    def other_claimant(self, country: str, than: tuple) -> tuple | None:
        for _ in range(5):
            found = self.claimant(country)
            if found != than:
                return found
        return None

    def display(self, group_id, brand_id) -> str:
        """The claimant as `Claim.claimant_display` shows it: 'group under brand'."""
        names = []
        if group_id:
            names.append(self.group_info[group_id][0])
        if brand_id:
            names.append(self.brand_info[brand_id][0])
        return " under ".join(names)

    def claims(self, date: int, country: str) -> tuple[list, str]:
        """The incident's claims, as (kind, group, brand, day, status, status note, position of
        the claim it supersedes, attributing state), and the summary's sentence about them."""
        rnd, between = self.rnd, self.between
        made, sentences = [], []
        r = rnd()
        first = self.claimant(country)
        supersede = 0.80 <= r < 0.90 or r >= 0.98
        compete = r >= 0.90
        if r < 0.15:
            sentences.append("No group claimed responsibility.")
        elif r < 0.80 or not supersede:
            retracted = not compete and rnd() < 0.02
            status = "retracted" if retracted else "current"
            note = "The claimant withdrew the statement." if retracted else ""
            made.append(("responsibility", *first, date + between(0, 2), status, note, None, None))
            then = ", then withdrew the claim." if retracted else "."
            sentences.append(f"{self.display(*first)} claimed responsibility{then}")
        if supersede:
            day = date + between(0, 2)
            note = f"Superseded: {self.pick(vocab.SUPERSEDE_REASONS)}."
            made.append(("responsibility", *first, day, "superseded", note, None, None))
            if rnd() < 0.5:  # the correction names someone else
                members = self.members.get(first[1]) if first[1] and not first[0] else None
                first = (self.pick(members), first[1]) if members else self.claimant(country)
            made.append(("responsibility", *first, day + between(1, 20), "current", "", 0, None))
            sentences = [f"{self.display(*first)} claimed responsibility in a correction."]
        rival = self.other_claimant(country, first) if compete else None
        if rival:
            made.append(("responsibility", *rival, date + between(0, 3), "current", "", None, None))
            sentences = [
                f"Both {self.display(*first)} and {self.display(*rival)} claimed responsibility."
            ]
        blamed_groups = []
        if rnd() < 0.6:
            states = [self.state_in[country](rnd()) for _ in range(self.attribution_count(rnd()))]
            for state in dict.fromkeys(states):
                blamed = first if rnd() < 0.7 else (self.group_in[country](rnd()), None)
                made.append(
                    ("attribution", *blamed, date + between(1, 30), "current", "", None, state)
                )
                blamed_groups += [blamed[0]] if blamed[0] else []
            if r < 0.15:
                state_name = self.group_info[made[-1][7]][0]
                sentences.append(f"{state_name} blamed {self.display(*made[-1][1:3])}.")
        if rnd() < 0.18:
            use_blamed = blamed_groups and rnd() < 0.6
            denier = self.pick(blamed_groups) if use_blamed else self.group_in[country](rnd())
            made.append(("denial", denier, None, date + between(0, 5), "current", "", None, None))
            sentences.append(f"{self.group_info[denier][0]} denied involvement.")
        return made, " ".join(sentences)

    def write_claims(self, incident_id, code, published, made, created_day, seconds, where):
        rnd, iso = self.rnd, self.iso
        first_id = self.ids[Claim]
        for position, claim in enumerate(made):
            kind, group_id, brand_id, day, status, note, supersedes, state = claim
            claim_id = first_id + position
            day = min(day, self.last)
            claim_date, claim_precision = (iso[day], "day") if rnd() >= 0.08 else (None, "")
            if day <= created_day:  # entered with the incident
                at = self.loader.stamp(iso[created_day], min(seconds + position + 1, 86_399))
            else:
                at = self.loader.stamp(iso[day], self.between(0, 86_399))
            row = (
                claim_id, incident_id, kind, group_id, brand_id,
                self.as_named(group_id, brand_id), claim_date, claim_precision,
                *self.statement(kind, group_id, brand_id, where), state,
                self.pick(vocab.ATTRIBUTOR_DETAILS) if state else "",
                self.confidence(rnd()) if state else "", status, note,
                first_id + supersedes if supersedes is not None else None, MARK, at, at,
            )  # fmt: skip
            self.rows[Claim].append(row)
            self.cite(ClaimCitation, claim_id, day, self.claim_cite_count(rnd()), published)
            history_id = self.history(self.claim_history, row, at)
            label = f"#{claim_id}: {self.kind_label[kind]} by {self.display(group_id, brand_id)}"
            anchor = f"#claim-{claim_id}"
            self.log(at, Claim, claim_id, label, code, anchor, published, history_id)
        self.ids[Claim] = first_id + len(made)

    def as_named(self, group_id, brand_id) -> str:
        """The claimant's name as the claim gives it: its name, or one of its aliases."""
        owner = ("brand", brand_id) if brand_id else ("group", group_id)
        aliases = self.alias_names.get(owner)
        if aliases and self.rnd() < 0.3:
            return self.pick(aliases)
        return self.brand_info[brand_id][0] if brand_id else self.group_info[group_id][0]

    def statement(self, kind, group_id, brand_id, where) -> tuple:
        """(channel, channel detail, medium, original text, its language, English text)."""
        if kind != "responsibility":
            return None, "", "statement", "", "", ""
        rnd, pick = self.rnd, self.pick
        channels = self.channels_of.get(("brand", brand_id) if brand_id else ("group", group_id))
        channel_id = pick(channels) if channels and rnd() < 0.6 else None
        english = pick(vocab.ENGLISH_CLAIMS).format(place=where) if rnd() < 0.5 else ""
        arabic = self.group_info[group_id][3] if group_id else ""
        original, language = "", ""
        if arabic and rnd() < 0.3:
            original, language = vocab.ARABIC_CLAIM.format(name=arabic), "ar"
        return (
            channel_id, pick(vocab.CHANNEL_DETAILS), self.medium(rnd()), original, language,
            english,
        )  # fmt: skip


def toll(low: int | None, high: int | None) -> str:
    """The summary's sentence on the dead."""
    if low is None and high is None:
        return "Casualty figures were not given."
    if low == 0 and not high:
        return "No one was reported killed."
    if high is None:
        return f"At least {low} {people(low)} killed."
    if low is None:
        return f"Up to {high} {people(high)} killed."
    if low == high:
        return f"{low} {people(low)} killed."
    return f"Between {low} and {high} people were killed."


def people(count: int) -> str:
    return "person was" if count == 1 else "people were"


def article(phrase: str) -> str:
    """'a' or 'an' before the phrase (as said: "an IED blast", "a one-way drone attack")."""
    lower = phrase.lower()
    return "an" if lower[0] in "aeio" and not lower.startswith("one") else "a"


def generate(incidents: int, seed: int, loader: Loader, report=None) -> dict[str, int]:
    """Fill the (empty) database; returns the rows written per model."""
    Generator(incidents, seed, loader, report).run()
    return loader.counts
