"""Every export the site offers: its columns, their meaning and allowed values, and its rows.

The codebook (/codebook/) and the importer read these same definitions, so that the files, their
documentation and what can be loaded back cannot drift apart. Multi-valued cells use
`kb.exports.SEPARATOR`; dates are ISO 8601 with their precision in the next column; empty means
unknown. `imported=False` marks columns derived from other records, which the importer ignores.
"""

import json

from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from changes.filtersets import ChangeFilterSet
from changes.models import Action, Change
from claims import selectors
from claims.filtersets import ClaimFilterSet, IncidentFilterSet, LocationFilterSet
from claims.models import (
    Claim,
    ClaimCitation,
    ClaimKind,
    ClaimStatus,
    Confirmation,
    GeoPrecision,
    IncidentCitation,
    LocationCitation,
    LocationKind,
    Medium,
    PublicationStatus,
    Target,
    Weapon,
    competing_claims,
)
from groups.filtersets import AffiliationFilterSet, BrandFilterSet, GroupFilterSet
from groups.models import (
    Affiliation,
    AffiliationCitation,
    AffiliationStatus,
    Alias,
    BrandCitation,
    GroupCitation,
    GroupKind,
)
from kb.dates import DatePrecision
from kb.exports import Column, Export, aggregated, split, vocabulary
from kb.importer import MAX_ID_JUMP
from kb.vocab import Confidence
from sources.filtersets import SourceFilterSet
from sources.models import Reliability, SourceKind

ISO_DATE = "ISO 8601 date (YYYY-MM-DD); empty if unknown"
PRECISION = vocabulary(DatePrecision)
COUNTRY = "ISO 3166-1 alpha-2 code"
COUNT = "whole number >= 0; empty means unknown, not zero"
MULTI = "several values, separated by ' | ', sorted"
TEXT = "free text"


def explicit_id(key, name, extra=""):
    """How the importer reads a record's id (kb.importer.ids_too_far_ahead)."""
    return (
        f"On import, an existing {key} updates that {name}; a new {name} keeps its {key}, which may "
        f"be at most {MAX_ID_JUMP:,} above the largest {key} in use or earlier in the file "
        f"(taken in ascending order); left empty, the database numbers the new {name}{extra}."
    )


def url_of(request):
    return lambda obj: request.build_absolute_uri(obj.get_absolute_url())


def sources_columns(request) -> list[Column]:
    return [
        Column(
            "source_ids",
            "Sources cited for the row: their source_id in the sources export.",
            lambda r: sorted(int(v) for v in split(r.cited_ids)),
            MULTI,
        ),
        Column(
            "source_urls",
            "The same sources' URLs (sources without a URL are only in source_ids).",
            lambda r: split(r.cited_urls),
            MULTI,
            imported=False,
        ),
    ]


def cited(queryset, citation_model, link: str, request):
    """The sources cited for each row that the requester may see (published ones, for the
    public)."""
    citations = citation_model.objects.visible_to(request.user)
    return queryset.annotate(
        cited_ids=aggregated(citations, link, "source_id"),
        cited_urls=aggregated(citations.exclude(source__url=""), link, "source__url"),
    )


# --- Incidents -------------------------------------------------------------------------------------


def incident_rows(queryset, request):
    current = Claim.objects.filter(status=ClaimStatus.CURRENT)
    responsibility = current.filter(kind=ClaimKind.RESPONSIBILITY)
    attribution = current.filter(kind=ClaimKind.ATTRIBUTION)
    claims_count = (
        Claim.objects.filter(incident=OuterRef("pk"))
        .order_by()
        .values("incident")
        .annotate(n=Count("pk"))
        .values("n")
    )
    queryset = queryset.select_related("location").annotate(
        claimant_brands=aggregated(
            responsibility.filter(brand__isnull=False), "incident", "brand__name"
        ),
        claimant_groups=aggregated(
            responsibility.filter(group__isnull=False), "incident", "group__name"
        ),
        attributed_brands=aggregated(
            attribution.filter(brand__isnull=False), "incident", "brand__name"
        ),
        attributed_groups=aggregated(
            attribution.filter(group__isnull=False), "incident", "group__name"
        ),
        claim_count=Coalesce(Subquery(claims_count, output_field=IntegerField()), Value(0)),
        competing=Exists(competing_claims()),
    )
    return cited(queryset, IncidentCitation, "incident", request).iterator(chunk_size=2000)


def incident_columns(request) -> list[Column]:
    loc = lambda attr: lambda i: getattr(i.location, attr) if i.location_id else None  # noqa: E731
    return [
        Column("code", "Stable identifier of the incident; the importer matches on it.", lambda i: i.code, "lower-case letters, digits and hyphens"),
        Column("permalink", "Web page of the incident.", url_of(request), "URL", imported=False),
        Column("title", "Short description.", lambda i: i.title, TEXT),
        Column("date", "First (or only) possible day, reduced to its precision.", lambda i: i.date, ISO_DATE),
        Column("date_precision", "How precisely the date is known.", lambda i: i.date_precision, PRECISION),
        Column("date_end", "Last possible day, when sources disagree.", lambda i: i.date_end, ISO_DATE),
        Column("date_note", "Why the date is uncertain.", lambda i: i.date_note, TEXT),
        Column("time_of_day", "Local time of day, when reported.", lambda i: i.time_of_day, "HH:MM:SS; empty if unknown"),
        Column("country", "Country where it happened.", lambda i: i.country, COUNTRY),
        Column("admin1", "First-level administrative area (governorate, province).", lambda i: i.admin1, TEXT),
        Column("location", "The named site: its slug in the locations export.", loc("slug"), "slug; empty if no site is known"),
        Column("location_name", "The site's name.", loc("name"), TEXT, imported=False),
        Column("latitude", "The site's latitude (WGS 84).", loc("latitude"), "decimal degrees; empty if not published", imported=False),
        Column("longitude", "The site's longitude (WGS 84).", loc("longitude"), "decimal degrees; empty if not published", imported=False),
        Column("place", "The place as sources give it.", lambda i: i.place, TEXT),
        Column("facility", "The site or facility hit, as sources name it.", lambda i: i.facility, TEXT),
        Column("geo_precision", "How precisely the place is known.", lambda i: i.geo_precision, vocabulary(GeoPrecision)),
        Column("weapon", "Weapon category.", lambda i: i.weapon, vocabulary(Weapon)),
        Column("weapon_detail", "Model, number, and who says so.", lambda i: i.weapon_detail, TEXT),
        Column("target", "Target category.", lambda i: i.target, vocabulary(Target)),
        Column("target_detail", "What was hit, as sources describe it.", lambda i: i.target_detail, TEXT),
        Column("killed_low", "Lowest number of dead any source gives.", lambda i: i.killed_low, COUNT),
        Column("killed_high", "Highest number of dead any source gives.", lambda i: i.killed_high, COUNT),
        Column("injured_low", "Lowest number of injured any source gives.", lambda i: i.injured_low, COUNT),
        Column("injured_high", "Highest number of injured any source gives.", lambda i: i.injured_high, COUNT),
        Column("casualty_note", "Conflicting figures and vague words ('dozens'), with who said what.", lambda i: i.casualty_note, TEXT),
        Column("confirmation", "Did the targeted side or responsible government confirm it?", lambda i: i.confirmation, vocabulary(Confirmation)),
        Column("summary", "What happened, paraphrasing the sources.", lambda i: i.summary, TEXT),
        Column("status", "Publication status (drafts are exported only to signed-in staff).", lambda i: i.status, vocabulary(PublicationStatus)),
        Column("claimant_brands", "Brands under which current claims of responsibility were made.", lambda i: split(i.claimant_brands), MULTI, imported=False),
        Column("claimant_groups", "Groups that currently claim responsibility.", lambda i: split(i.claimant_groups), MULTI, imported=False),
        Column("attributed_brands", "Brands that third parties currently blame.", lambda i: split(i.attributed_brands), MULTI, imported=False),
        Column("attributed_groups", "Groups that third parties currently blame.", lambda i: split(i.attributed_groups), MULTI, imported=False),
        Column("claim_count", "Claims, denials and attributions recorded, superseded ones included.", lambda i: i.claim_count, "whole number", imported=False),
        Column("competing", "Two current claims of responsibility by different claimants.", lambda i: i.competing, "true or false", imported=False),
        *sources_columns(request),
    ]  # fmt: skip


# --- Claims ----------------------------------------------------------------------------------------


def claim_rows(queryset, request):
    queryset = queryset.select_related(
        "incident__location", "group", "brand", "channel", "attributed_by", "superseded_by"
    )
    return cited(queryset, ClaimCitation, "claim", request).iterator(chunk_size=2000)


def claim_columns(request) -> list[Column]:
    def permalink(c):
        return request.build_absolute_uri(f"{c.incident.get_absolute_url()}#claim-{c.pk}")

    slug = lambda attr: lambda c: getattr(c, attr).slug if getattr(c, f"{attr}_id") else None  # noqa: E731
    name = lambda attr: lambda c: getattr(c, attr).name if getattr(c, f"{attr}_id") else None  # noqa: E731
    return [
        Column("claim_id", "Stable identifier of the claim; the importer matches on it. " + explicit_id("claim_id", "claim"), lambda c: c.pk, "whole number >= 1"),
        Column("permalink", "The claim on its incident's page.", permalink, "URL", imported=False),
        Column("incident_code", "The incident: its code in the incidents export.", lambda c: c.incident.code, "incident code"),
        Column("incident_date", "The incident's date.", lambda c: c.incident.date, ISO_DATE, imported=False),
        Column("incident_date_precision", "Precision of the incident's date.", lambda c: c.incident.date_precision, PRECISION, imported=False),
        Column("incident_country", "Country of the incident.", lambda c: c.incident.country, COUNTRY, imported=False),
        Column("incident_location", "The incident's site (slug).", lambda c: c.incident.location.slug if c.incident.location_id else None, "slug", imported=False),
        Column("kind", "Claim of responsibility, denial, or attribution by a third party.", lambda c: c.kind, vocabulary(ClaimKind)),
        Column("group", "The group that claims, denies or is blamed (slug in the groups export).", slug("group"), "slug; empty if only a brand"),
        Column("group_name", "The group's name.", name("group"), TEXT, imported=False),
        Column("brand", "The brand the claim is made under or that is blamed (slug).", slug("brand"), "slug; empty if only a group"),
        Column("brand_name", "The brand's name.", name("brand"), TEXT, imported=False),
        Column("claimant_as_named", "The claimant's name exactly as the claim gives it.", lambda c: c.claimant_as_named, TEXT),
        Column("date", "When the claim was made.", lambda c: c.date, ISO_DATE),
        Column("date_precision", "Precision of the claim date.", lambda c: c.date_precision, PRECISION + "; empty if no date"),
        Column("channel_platform", "Platform of the channel it was published on.", lambda c: c.channel.platform if c.channel_id else None, "telegram, x, website, tv, radio, other"),
        Column("channel_name", "Name of the channel it was published on.", lambda c: c.channel.name if c.channel_id else None, TEXT),
        Column("channel_detail", "How it was published, as sources report it.", lambda c: c.channel_detail, TEXT),
        Column("medium", "Form of the claim.", lambda c: c.medium, vocabulary(Medium)),
        Column("original_text", "The claim's text in its original language.", lambda c: c.original_text, TEXT),
        Column("original_language", "Language of the original text.", lambda c: c.original_language, "BCP 47 code"),
        Column("english_text", "English text of the claim.", lambda c: c.english_text, TEXT),
        Column("attributed_by", "For attributions: the attributing party (group slug).", slug("attributed_by"), "slug"),
        Column("attributed_by_detail", "For attributions: who exactly.", lambda c: c.attributed_by_detail, TEXT),
        Column("confidence", "For attributions: the confidence the attributing party states.", lambda c: c.confidence, vocabulary(Confidence) + "; empty if not stated"),
        Column("status", "Whether the claim still stands.", lambda c: c.status, vocabulary(ClaimStatus)),
        Column("status_note", "Why it was superseded or retracted.", lambda c: c.status_note, TEXT),
        Column("supersedes_claim_id", "The earlier claim this one replaces.", lambda c: c.supersedes_id, "claim_id"),
        Column("superseded_by_claim_id", "The later claim that replaced this one.", lambda c: getattr(getattr(c, "superseded_by", None), "pk", None), "claim_id", imported=False),
        Column("note", "Editorial note.", lambda c: c.note, TEXT),
        *sources_columns(request),
    ]  # fmt: skip


# --- Actors, places, sources ----------------------------------------------------------------------


def with_aliases(queryset, link):
    return queryset.annotate(alias_names=aggregated(Alias.objects.all(), link, "name"))


def group_rows(queryset, request):
    rows = cited(with_aliases(queryset, "group"), GroupCitation, "group", request)
    return rows.iterator(chunk_size=2000)


def group_columns(request) -> list[Column]:
    return [
        Column("slug", "Stable identifier; the importer matches on it.", lambda g: g.slug, "slug"),
        Column("permalink", "Web page of the group.", url_of(request), "URL", imported=False),
        Column("name", "Name.", lambda g: g.name, TEXT),
        Column("arabic_name", "Name in Arabic script.", lambda g: g.arabic_name, TEXT),
        Column("acronym", "Acronym.", lambda g: g.acronym, TEXT),
        Column("kind", "What kind of actor.", lambda g: g.kind, vocabulary(GroupKind)),
        Column("country", "Where it is based.", lambda g: g.country, COUNTRY + "; empty if unknown"),
        Column("founded", "When it was founded.", lambda g: g.founded, ISO_DATE),
        Column("founded_precision", "Precision of the founding date.", lambda g: g.founded_precision, PRECISION + "; empty if no date"),
        Column("description", "Description, with its sources' wording.", lambda g: g.description, TEXT),
        Column("status", "Publication status: drafts are exported only to signed-in staff; an imported row without this column creates a draft, and a published incident publishes what it uses.", lambda r: r.status, vocabulary(PublicationStatus)),
        Column("aliases", "Other names and spellings.", lambda g: split(g.alias_names), MULTI),
        *sources_columns(request),
    ]  # fmt: skip


def brand_rows(queryset, request):
    rows = cited(with_aliases(queryset, "brand"), BrandCitation, "brand", request)
    return rows.iterator(chunk_size=2000)


def brand_columns(request) -> list[Column]:
    return [
        Column("slug", "Stable identifier; the importer matches on it.", lambda b: b.slug, "slug"),
        Column("permalink", "Web page of the brand.", url_of(request), "URL", imported=False),
        Column("name", "Name.", lambda b: b.name, TEXT),
        Column("arabic_name", "Name in Arabic script.", lambda b: b.arabic_name, TEXT),
        Column("acronym", "Acronym.", lambda b: b.acronym, TEXT),
        Column("launched", "When the brand first appeared.", lambda b: b.launched, ISO_DATE),
        Column("launched_precision", "Precision of the launch date.", lambda b: b.launched_precision, PRECISION + "; empty if no date"),
        Column("description", "Description.", lambda b: b.description, TEXT),
        Column("status", "Publication status: drafts are exported only to signed-in staff; an imported row without this column creates a draft, and a published incident publishes what it uses.", lambda r: r.status, vocabulary(PublicationStatus)),
        Column("aliases", "Other names and spellings.", lambda b: split(b.alias_names), MULTI),
        *sources_columns(request),
    ]  # fmt: skip


def location_rows(queryset, request):
    return cited(queryset, LocationCitation, "location", request).iterator(chunk_size=2000)


def location_columns(request) -> list[Column]:
    return [
        Column("slug", "Stable identifier; the importer matches on it.", lambda l: l.slug, "slug"),
        Column("permalink", "Web page of the site.", url_of(request), "URL", imported=False),
        Column("name", "Name.", lambda l: l.name, TEXT),
        Column("arabic_name", "Name in Arabic script.", lambda l: l.arabic_name, TEXT),
        Column("alternate_names", "Other names and spellings.", lambda l: l.alternate_name_list, MULTI.replace(", sorted", "")),
        Column("kind", "What kind of site.", lambda l: l.kind, vocabulary(LocationKind)),
        Column("country", "Country.", lambda l: l.country, COUNTRY),
        Column("admin1", "First-level administrative area.", lambda l: l.admin1, TEXT),
        Column("latitude", "Latitude (WGS 84).", lambda l: l.latitude, "decimal degrees; empty if not published"),
        Column("longitude", "Longitude (WGS 84).", lambda l: l.longitude, "decimal degrees; empty if not published"),
        Column("incident_count", "Incidents at the site that the requester may see.", lambda l: l.incident_count, "whole number", imported=False),
        Column("notes", "What the coordinates refer to; conflicting published values.", lambda l: l.notes, TEXT),
        Column("status", "Publication status: drafts are exported only to signed-in staff; an imported row without this column creates a draft, and a published incident publishes what it uses.", lambda r: r.status, vocabulary(PublicationStatus)),
        *sources_columns(request),
    ]  # fmt: skip


def source_rows(queryset, request):
    return queryset.iterator(chunk_size=2000)


def source_columns(request) -> list[Column]:
    return [
        Column("source_id", "Stable identifier; other exports cite sources by it. " + explicit_id("source_id", "source", " (a row with a recorded source's url updates that source)"), lambda s: s.pk, "whole number >= 1"),
        Column("permalink", "Web page of the source in this knowledge base.", url_of(request), "URL", imported=False),
        Column("title", "Title (empty when it was not recorded).", lambda s: s.title, TEXT),
        Column("url", "Where it is published.", lambda s: s.url, "http(s) URL"),
        Column("archive_url", "A saved copy.", lambda s: s.archive_url, "http(s) URL"),
        Column("publisher", "Publisher.", lambda s: s.publisher, TEXT),
        Column("author", "Author.", lambda s: s.author, TEXT),
        Column("kind", "What kind of source.", lambda s: s.kind, vocabulary(SourceKind)),
        Column("language", "Language of the text.", lambda s: s.language, "BCP 47 code"),
        Column("published", "Publication date.", lambda s: s.published, ISO_DATE),
        Column("published_precision", "Precision of the publication date.", lambda s: s.published_precision, PRECISION + "; empty if no date"),
        Column("accessed", "When it was read.", lambda s: s.accessed, ISO_DATE),
        Column("reliability", "Admiralty source reliability grade.", lambda s: s.reliability, vocabulary(Reliability)),
        Column("notes", "Notes on the source.", lambda s: s.notes, TEXT),
        Column("status", "Publication status: drafts are exported only to signed-in staff; an imported row without this column creates a draft, and a published incident publishes what it uses.", lambda r: r.status, vocabulary(PublicationStatus)),
    ]  # fmt: skip


def affiliation_rows(queryset, request):
    queryset = queryset.select_related("group", "brand")
    return cited(queryset, AffiliationCitation, "affiliation", request).iterator(chunk_size=2000)


def affiliation_columns(request) -> list[Column]:
    return [
        Column("group", "The group (slug in the groups export).", lambda a: a.group.slug, "slug"),
        Column("group_name", "The group's name.", lambda a: a.group.name, TEXT, imported=False),
        Column("brand", "The brand (slug in the brands export).", lambda a: a.brand.slug, "slug"),
        Column("brand_name", "The brand's name.", lambda a: a.brand.name, TEXT, imported=False),
        Column("status", "Announced by the group, or assessed, suspected, denied, ended.", lambda a: a.status, vocabulary(AffiliationStatus)),
        Column("confidence", "Confidence the assessing party states.", lambda a: a.confidence, vocabulary(Confidence) + "; empty if not stated"),
        Column("assessed_by", "Who says so.", lambda a: a.assessed_by, TEXT),
        Column("start", "From when.", lambda a: a.start, ISO_DATE),
        Column("start_precision", "Precision of the start date.", lambda a: a.start_precision, PRECISION + "; empty if no date"),
        Column("end", "Until when.", lambda a: a.end, ISO_DATE),
        Column("end_precision", "Precision of the end date.", lambda a: a.end_precision, PRECISION + "; empty if no date"),
        Column("note", "Note.", lambda a: a.note, TEXT),
        *sources_columns(request),
    ]  # fmt: skip


def change_rows(queryset, request):
    return queryset.order_by("at", "pk").iterator(chunk_size=2000)


def change_columns(request) -> list[Column]:
    def page_url(c):
        return request.build_absolute_uri(c.page) if c.page else ""

    return [
        Column("change_id", "Stable identifier of the change; later changes have larger ones.", lambda c: c.pk, "whole number", imported=False),
        Column("changed_at", "When the change was saved, in UTC.", lambda c: c.at.isoformat(), "ISO 8601 date and time", imported=False),
        Column("action", "What happened to the record. 'unpublished' (an incident withdrawn, or a claim moved to an unpublished incident) and 'deleted' mean: remove it from your copy.", lambda c: c.action, vocabulary(Action), imported=False),
        Column("record_type", "What kind of record changed.", lambda c: c.record_type, "incident, claim, source, group, brand, location, alias, affiliation, relation, channel, or a citation of one", imported=False),
        Column("record_id", "The record's identifier: claim_id for claims, source_id for sources; incidents are also identified by incident_code.", lambda c: c.record_id, "whole number", imported=False),
        Column("record", "The record as it read after the change.", lambda c: c.label, TEXT, imported=False),
        Column("incident_code", "The incident the record belongs to (incidents, claims and their citations).", lambda c: c.incident_code, "incident code; empty for other records", imported=False),
        Column("fields", "The fields that changed.", lambda c: sorted(c.field_names), MULTI, imported=False),
        Column("details", "Each changed field's old and new value, as text.", lambda c: json.dumps([{"field": d["field"], "old": d["old"], "new": d["new"]} for d in c.fields], ensure_ascii=False) if c.fields else "", "JSON list of {field, old, new}", imported=False),
        Column("reason", "Why, as the editor gave it.", lambda c: c.reason, TEXT, imported=False),
        Column("permalink", "The public page that shows the record (gone once it is deleted or unpublished).", page_url, "URL", imported=False),
    ]  # fmt: skip


def exports(request) -> dict[str, Export]:
    """The exports, by URL name, with columns bound to the request (permalinks need its host)."""
    return {
        "incidents": Export(
            "incidents", "Incidents", "One row per incident, with a summary of its claims.",
            incident_columns(request), incident_rows, IncidentFilterSet,
            lambda user: selectors.incidents(user), ("csv", "json", "geojson"),
        ),
        "claims": Export(
            "claims", "Claims", "One row per claim, denial or attribution, with its incident's date and place.",
            claim_columns(request), claim_rows, ClaimFilterSet, lambda user: selectors.claims(user),
        ),
        "groups": Export(
            "groups", "Groups", "One row per actor.", group_columns(request), group_rows,
            GroupFilterSet, lambda user: selectors.groups_with_counts(user).order_by("name", "pk"),
        ),
        "brands": Export(
            "brands", "Brands", "One row per brand.", brand_columns(request), brand_rows,
            BrandFilterSet, lambda user: selectors.brands_with_counts(user).order_by("name", "pk"),
        ),
        "locations": Export(
            "locations", "Locations", "One row per named site.", location_columns(request),
            location_rows, LocationFilterSet,
            lambda user: selectors.locations_with_counts(user).order_by("name", "pk"),
        ),
        "sources": Export(
            "sources", "Sources", "One row per source.", source_columns(request), source_rows,
            SourceFilterSet,
            lambda user: selectors.sources(user).order_by("-published", "title", "pk"),
        ),
        "affiliations": Export(
            "affiliations", "Affiliations", "One row per affiliation of a group with a brand.",
            affiliation_columns(request), affiliation_rows, AffiliationFilterSet,
            lambda user: Affiliation.objects.visible_to(user).order_by(
                "brand__name", "group__name", "status", "pk"
            ),
        ),
        "changes": Export(
            "changes", "Changes", "One row per change, oldest first: what to apply to your copy. "
            "since=YYYY-MM-DD gives the changes from that UTC day on.",
            change_columns(request), change_rows, ChangeFilterSet,
            lambda user: Change.objects.visible_to(user),
        ),
    }  # fmt: skip
