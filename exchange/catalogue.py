"""Every export the site offers: its columns, their meaning and allowed values, and its rows.

The codebook (/codebook/) and the importer read these same definitions, so that the files, their
documentation and what can be loaded back cannot drift apart. Multi-valued cells use
`exchange.formats.SEPARATOR`; dates are ISO 8601 with their precision in the next column; empty means
unknown. `imported=False` marks columns derived from other records, which the importer ignores.
"""

import json
from dataclasses import replace

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Subquery, TextField, Value
from django.db.models.functions import Cast, Coalesce, Concat, NullIf

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
    Location,
    LocationCitation,
    LocationKind,
    Medium,
    PublicationStatus,
    Target,
    Weapon,
    competing_claims,
)
from exchange.formats import (
    ID_LIST,
    Column,
    Export,
    aggregated,
    degrees,
    id_list,
    split,
    vocabulary,
)
from exchange.sql import (
    Clock,
    FieldDetails,
    FieldNames,
    Lines,
    Moment,
    coordinate,
    day,
    flag,
    ids,
    joined,
    link,
    number,
    text,
)
from groups.filtersets import AffiliationFilterSet, BrandFilterSet, GroupFilterSet
from groups.models import (
    Affiliation,
    AffiliationCitation,
    AffiliationStatus,
    Alias,
    AliasKind,
    BrandCitation,
    Channel,
    ChannelCitation,
    GroupCitation,
    GroupKind,
    Platform,
    Relation,
    RelationCitation,
    RelationKind,
)
from kb.dates import DatePrecision
from kb.filters import StrictFilterSet
from kb.vocab import Confidence
from sources.filtersets import SourceFilterSet
from sources.models import Credibility, Reliability, SourceKind

# How far above the largest id in use (in the table, or given to a new row earlier in the file's
# ascending order) a new source's or claim's explicit id may be (exchange.importer). Ids keep
# their gaps, so this allows leaving room, yet a file cannot move the sequence near its maximum.
MAX_ID_JUMP = 1_000_000

ISO_DATE = "ISO 8601 date (YYYY-MM-DD); empty if unknown"
PRECISION = vocabulary(DatePrecision)
COUNTRY = "ISO 3166-1 alpha-2 code"
COUNT = "whole number >= 0; empty means unknown, not zero"
MULTI = "several values, separated by ' | ', sorted"
TEXT = "free text"
# Coordinates as stored: Location.latitude and longitude keep this many decimal places.
PLACES = Location._meta.get_field("latitude").decimal_places
DEGREES = (
    f"decimal degrees, at most {PLACES} decimal places (as stored, about 1 cm), no trailing "
    "zeros (30.51, not 30.5100000); empty if not published"
)


def explicit_id(key, name, extra=""):
    """How the importer reads a record's id (exchange.importer.ids_too_far_ahead)."""
    return (
        f"On import, an existing {key} updates that {name}; a new {name} keeps its {key}, which may "
        f"be at most {MAX_ID_JUMP:,} above the largest {key} in use or earlier in the file "
        f"(taken in ascending order); left empty, the database numbers the new {name}{extra}."
    )


def url_of(request):
    return lambda obj: request.build_absolute_uri(obj.get_absolute_url())


def sources_columns(request, citation_model, link_field: str) -> list[Column]:
    """The sources cited for each row that the requester may see (published ones, for the
    public): `cited` reads them for Python, the `sql` of these columns for COPY."""
    # No request, or one without a user: the columns' names and meaning (codebook, importer).
    user = getattr(request, "user", None) or AnonymousUser()
    citations = citation_model.objects.visible_to(user)
    return [
        Column(
            "source_ids",
            "Sources cited for the row: their source_id in the sources export.",
            lambda r: id_list(int(v) for v in split(r.cited_ids)),
            ID_LIST + ", sorted: [12, 40]; [] when none",
            sql=ids(citations, link_field, "source_id"),
        ),
        Column(
            "source_urls",
            "The same sources' URLs (sources without a URL are only in source_ids).",
            lambda r: split(r.cited_urls),
            MULTI,
            imported=False,
            sql=joined(citations.exclude(source__url=""), link_field, "source__url"),
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


def incident_claims() -> dict:
    """What the incident columns summarise of the claims: the current claims of responsibility
    and attributions, and the number of claims (a correlated subquery)."""
    current = Claim.objects.filter(status=ClaimStatus.CURRENT)
    claims_count = (
        Claim.objects.filter(incident=OuterRef("pk"))
        .order_by()
        .values("incident")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return {
        "responsibility": current.filter(kind=ClaimKind.RESPONSIBILITY),
        "attribution": current.filter(kind=ClaimKind.ATTRIBUTION),
        "count": Coalesce(Subquery(claims_count, output_field=IntegerField()), Value(0)),
    }


def incident_rows(queryset, request):
    claims = incident_claims()
    responsibility, attribution = claims["responsibility"], claims["attribution"]
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
        claim_count=claims["count"],
        competing=Exists(competing_claims()),
    )
    return cited(queryset, IncidentCitation, "incident", request).iterator(chunk_size=2000)


def incident_columns(request) -> list[Column]:
    loc = lambda attr: lambda i: getattr(i.location, attr) if i.location_id else None  # noqa: E731
    claims = incident_claims()
    return [
        Column("code", "Stable identifier of the incident; the importer matches on it.", lambda i: i.code, "lower-case letters, digits and hyphens", sql=text("code")),
        Column("permalink", "Web page of the incident.", url_of(request), "URL", imported=False, sql=link(request, "incident-detail", "code")),
        Column("title", "Short description.", lambda i: i.title, TEXT, sql=text("title")),
        Column("date", "First (or only) possible day, reduced to its precision; when only the year is known, its first day with precision 'year'.", lambda i: i.date, "ISO 8601 date (YYYY-MM-DD); required", sql=day("date")),
        Column("date_precision", "How precisely the date is known.", lambda i: i.date_precision, PRECISION, sql=text("date_precision")),
        Column("date_end", "Last possible day, when sources disagree.", lambda i: i.date_end, ISO_DATE, sql=day("date_end")),
        Column("date_note", "Why the date is uncertain.", lambda i: i.date_note, TEXT, sql=text("date_note")),
        Column("time_of_day", "Local time of day, when reported.", lambda i: i.time_of_day, "HH:MM:SS; empty if unknown", sql=Clock("time_of_day")),
        Column("country", "Country where it happened.", lambda i: i.country, COUNTRY, sql=text("country")),
        Column("admin1", "First-level administrative area (governorate, province).", lambda i: i.admin1, TEXT, sql=text("admin1")),
        Column("location", "The named site: its slug in the locations export.", loc("slug"), "slug; empty if no site is known", sql=text("location__slug")),
        Column("location_name", "The site's name.", loc("name"), TEXT, imported=False, sql=text("location__name")),
        Column("latitude", "The site's latitude (WGS 84).", lambda i: degrees(loc("latitude")(i)), DEGREES, imported=False, sql=coordinate("location__latitude")),
        Column("longitude", "The site's longitude (WGS 84).", lambda i: degrees(loc("longitude")(i)), DEGREES, imported=False, sql=coordinate("location__longitude")),
        Column("place", "The place as sources give it.", lambda i: i.place, TEXT, sql=text("place")),
        Column("facility", "The site or facility hit, as sources name it.", lambda i: i.facility, TEXT, sql=text("facility")),
        Column("geo_precision", "How precisely the place is known.", lambda i: i.geo_precision, vocabulary(GeoPrecision), sql=text("geo_precision")),
        Column("weapon", "Weapon category.", lambda i: i.weapon, vocabulary(Weapon), sql=text("weapon")),
        Column("weapon_detail", "Model, number, and who says so.", lambda i: i.weapon_detail, TEXT, sql=text("weapon_detail")),
        Column("target", "Target category.", lambda i: i.target, vocabulary(Target), sql=text("target")),
        Column("target_detail", "What was hit, as sources describe it.", lambda i: i.target_detail, TEXT, sql=text("target_detail")),
        Column("killed_low", "Lowest number of dead any source gives.", lambda i: i.killed_low, COUNT, sql=number("killed_low")),
        Column("killed_high", "Highest number of dead any source gives.", lambda i: i.killed_high, COUNT, sql=number("killed_high")),
        Column("injured_low", "Lowest number of injured any source gives.", lambda i: i.injured_low, COUNT, sql=number("injured_low")),
        Column("injured_high", "Highest number of injured any source gives.", lambda i: i.injured_high, COUNT, sql=number("injured_high")),
        Column("casualty_note", "Conflicting figures and vague words ('dozens'), with who said what.", lambda i: i.casualty_note, TEXT, sql=text("casualty_note")),
        Column("confirmation", "Did the targeted side or responsible government confirm it?", lambda i: i.confirmation, vocabulary(Confirmation), sql=text("confirmation")),
        Column("summary", "What happened, paraphrasing the sources.", lambda i: i.summary, TEXT, sql=text("summary")),
        Column("status", "Publication status (drafts are exported only to signed-in staff).", lambda i: i.status, vocabulary(PublicationStatus), sql=text("status")),
        Column("claimant_brands", "Brands under which current claims of responsibility were made.", lambda i: split(i.claimant_brands), MULTI, imported=False, sql=joined(claims["responsibility"].filter(brand__isnull=False), "incident", "brand__name")),
        Column("claimant_groups", "Groups that currently claim responsibility.", lambda i: split(i.claimant_groups), MULTI, imported=False, sql=joined(claims["responsibility"].filter(group__isnull=False), "incident", "group__name")),
        Column("attributed_brands", "Brands that third parties currently blame.", lambda i: split(i.attributed_brands), MULTI, imported=False, sql=joined(claims["attribution"].filter(brand__isnull=False), "incident", "brand__name")),
        Column("attributed_groups", "Groups that third parties currently blame.", lambda i: split(i.attributed_groups), MULTI, imported=False, sql=joined(claims["attribution"].filter(group__isnull=False), "incident", "group__name")),
        Column("claim_count", "Claims, denials and attributions recorded, superseded ones included.", lambda i: i.claim_count, "whole number", imported=False, sql=Cast(claims["count"], TextField())),
        Column("competing", "Two current claims of responsibility by different claimants.", lambda i: i.competing, "true or false", imported=False, sql=flag(Exists(competing_claims()))),
        *sources_columns(request, IncidentCitation, "incident"),
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
        Column("claim_id", "Stable identifier of the claim; the importer matches on it. " + explicit_id("claim_id", "claim"), lambda c: c.pk, "whole number >= 1", sql=number("id")),
        Column("permalink", "The claim on its incident's page.", permalink, "URL", imported=False, sql=Concat(link(request, "incident-detail", "incident__code"), Value("#claim-"), number("id"), output_field=TextField())),
        Column("incident_code", "The incident: its code in the incidents export.", lambda c: c.incident.code, "incident code", sql=text("incident__code")),
        Column("incident_date", "The incident's date.", lambda c: c.incident.date, ISO_DATE, imported=False, sql=day("incident__date")),
        Column("incident_date_precision", "Precision of the incident's date.", lambda c: c.incident.date_precision, PRECISION, imported=False, sql=text("incident__date_precision")),
        Column("incident_country", "Country of the incident.", lambda c: c.incident.country, COUNTRY, imported=False, sql=text("incident__country")),
        Column("incident_location", "The incident's site (slug).", lambda c: c.incident.location.slug if c.incident.location_id else None, "slug", imported=False, sql=text("incident__location__slug")),
        Column("kind", "Claim of responsibility, denial, or attribution by a third party.", lambda c: c.kind, vocabulary(ClaimKind), sql=text("kind")),
        Column("group", "The group that claims, denies or is blamed (slug in the groups export).", slug("group"), "slug; empty if only a brand", sql=text("group__slug")),
        Column("group_name", "The group's name.", name("group"), TEXT, imported=False, sql=text("group__name")),
        Column("brand", "The brand the claim is made under or that is blamed (slug).", slug("brand"), "slug; empty if only a group", sql=text("brand__slug")),
        Column("brand_name", "The brand's name.", name("brand"), TEXT, imported=False, sql=text("brand__name")),
        Column("claimant_as_named", "The claimant's name exactly as the claim gives it.", lambda c: c.claimant_as_named, TEXT, sql=text("claimant_as_named")),
        Column("date", "When the claim was made.", lambda c: c.date, ISO_DATE, sql=day("date")),
        Column("date_precision", "Precision of the claim date.", lambda c: c.date_precision, PRECISION + "; empty if no date", sql=text("date_precision")),
        Column("channel_platform", "Platform of the channel it was published on.", lambda c: c.channel.platform if c.channel_id else None, "telegram, x, website, tv, radio, other", sql=text("channel__platform")),
        Column("channel_name", "Name of the channel it was published on.", lambda c: c.channel.name if c.channel_id else None, TEXT, sql=text("channel__name")),
        Column("channel_detail", "How it was published, as sources report it.", lambda c: c.channel_detail, TEXT, sql=text("channel_detail")),
        Column("medium", "Form of the claim.", lambda c: c.medium, vocabulary(Medium), sql=text("medium")),
        Column("original_text", "The claim's text in its original language.", lambda c: c.original_text, TEXT, sql=text("original_text")),
        Column("original_language", "Language of the original text.", lambda c: c.original_language, "BCP 47 code", sql=text("original_language")),
        Column("english_text", "English text of the claim.", lambda c: c.english_text, TEXT, sql=text("english_text")),
        Column("attributed_by", "For attributions: the attributing party (group slug).", slug("attributed_by"), "slug", sql=text("attributed_by__slug")),
        Column("attributed_by_detail", "For attributions: who exactly.", lambda c: c.attributed_by_detail, TEXT, sql=text("attributed_by_detail")),
        Column("confidence", "For attributions: the confidence the attributing party states.", lambda c: c.confidence, vocabulary(Confidence) + "; empty if not stated", sql=text("confidence")),
        Column("status", "Whether the claim still stands.", lambda c: c.status, vocabulary(ClaimStatus), sql=text("status")),
        Column("status_note", "Why it was superseded or retracted.", lambda c: c.status_note, TEXT, sql=text("status_note")),
        Column("supersedes_claim_id", "The earlier claim this one replaces.", lambda c: c.supersedes_id, "whole number: a claim_id of the same incident", sql=number("supersedes")),
        Column("superseded_by_claim_id", "The later claim that replaced this one.", lambda c: getattr(getattr(c, "superseded_by", None), "pk", None), "whole number: a claim_id", imported=False, sql=number("superseded_by__id")),
        Column("note", "Editorial note.", lambda c: c.note, TEXT, sql=text("note")),
        *sources_columns(request, ClaimCitation, "claim"),
    ]  # fmt: skip


# --- Actors, places, sources ----------------------------------------------------------------------


def with_aliases(queryset, link):
    return queryset.annotate(alias_names=aggregated(Alias.objects.all(), link, "name"))


def group_rows(queryset, request):
    rows = cited(with_aliases(queryset, "group"), GroupCitation, "group", request)
    return rows.iterator(chunk_size=2000)


def group_columns(request) -> list[Column]:
    return [
        Column("slug", "Stable identifier; the importer matches on it.", lambda g: g.slug, "slug", sql=text("slug")),
        Column("permalink", "Web page of the group.", url_of(request), "URL", imported=False, sql=link(request, "group-detail", "slug")),
        Column("name", "Name.", lambda g: g.name, TEXT, sql=text("name")),
        Column("arabic_name", "Name in Arabic script.", lambda g: g.arabic_name, TEXT, sql=text("arabic_name")),
        Column("acronym", "Acronym.", lambda g: g.acronym, TEXT, sql=text("acronym")),
        Column("kind", "What kind of actor.", lambda g: g.kind, vocabulary(GroupKind), sql=text("kind")),
        Column("country", "Where it is based.", lambda g: g.country, COUNTRY + "; empty if unknown", sql=text("country")),
        Column("founded", "When it was founded.", lambda g: g.founded, ISO_DATE, sql=day("founded")),
        Column("founded_precision", "Precision of the founding date.", lambda g: g.founded_precision, PRECISION + "; empty if no date", sql=text("founded_precision")),
        Column("description", "Description, with its sources' wording.", lambda g: g.description, TEXT, sql=text("description")),
        Column("status", "Publication status: drafts are exported only to signed-in staff; an imported row without this column creates a draft, and a published incident publishes what it uses.", lambda r: r.status, vocabulary(PublicationStatus), sql=text("status")),
        Column("aliases", "Other names and spellings (with their kind, language and script in the aliases export, which is where they are imported).", lambda g: split(g.alias_names), MULTI, imported=False, sql=joined(Alias.objects.all(), "group", "name")),
        *sources_columns(request, GroupCitation, "group"),
    ]  # fmt: skip


def brand_rows(queryset, request):
    rows = cited(with_aliases(queryset, "brand"), BrandCitation, "brand", request)
    return rows.iterator(chunk_size=2000)


def brand_columns(request) -> list[Column]:
    return [
        Column("slug", "Stable identifier; the importer matches on it.", lambda b: b.slug, "slug", sql=text("slug")),
        Column("permalink", "Web page of the brand.", url_of(request), "URL", imported=False, sql=link(request, "brand-detail", "slug")),
        Column("name", "Name.", lambda b: b.name, TEXT, sql=text("name")),
        Column("arabic_name", "Name in Arabic script.", lambda b: b.arabic_name, TEXT, sql=text("arabic_name")),
        Column("acronym", "Acronym.", lambda b: b.acronym, TEXT, sql=text("acronym")),
        Column("launched", "When the brand first appeared.", lambda b: b.launched, ISO_DATE, sql=day("launched")),
        Column("launched_precision", "Precision of the launch date.", lambda b: b.launched_precision, PRECISION + "; empty if no date", sql=text("launched_precision")),
        Column("description", "Description.", lambda b: b.description, TEXT, sql=text("description")),
        Column("status", "Publication status: drafts are exported only to signed-in staff; an imported row without this column creates a draft, and a published incident publishes what it uses.", lambda r: r.status, vocabulary(PublicationStatus), sql=text("status")),
        Column("aliases", "Other names and spellings (with their kind, language and script in the aliases export, which is where they are imported).", lambda b: split(b.alias_names), MULTI, imported=False, sql=joined(Alias.objects.all(), "brand", "name")),
        *sources_columns(request, BrandCitation, "brand"),
    ]  # fmt: skip


def location_rows(queryset, request):
    return cited(queryset, LocationCitation, "location", request).iterator(chunk_size=2000)


def location_columns(request) -> list[Column]:
    return [
        Column("slug", "Stable identifier; the importer matches on it.", lambda l: l.slug, "slug", sql=text("slug")),
        Column("permalink", "Web page of the site.", url_of(request), "URL", imported=False, sql=link(request, "location-detail", "slug")),
        Column("name", "Name.", lambda l: l.name, TEXT, sql=text("name")),
        Column("arabic_name", "Name in Arabic script.", lambda l: l.arabic_name, TEXT, sql=text("arabic_name")),
        Column("alternate_names", "Other names and spellings.", lambda l: l.alternate_name_list, MULTI.replace(", sorted", ""), sql=text(Lines("alternate_names"))),
        Column("kind", "What kind of site.", lambda l: l.kind, vocabulary(LocationKind), sql=text("kind")),
        Column("country", "Country.", lambda l: l.country, COUNTRY, sql=text("country")),
        Column("admin1", "First-level administrative area.", lambda l: l.admin1, TEXT, sql=text("admin1")),
        Column("latitude", "Latitude (WGS 84).", lambda l: degrees(l.latitude), DEGREES, sql=coordinate("latitude")),
        Column("longitude", "Longitude (WGS 84).", lambda l: degrees(l.longitude), DEGREES, sql=coordinate("longitude")),
        Column("incident_count", "Incidents at the site that the requester may see.", lambda l: l.incident_count, "whole number", imported=False, sql=number("incident_count")),
        Column("notes", "What the coordinates refer to; conflicting published values.", lambda l: l.notes, TEXT, sql=text("notes")),
        Column("status", "Publication status: drafts are exported only to signed-in staff; an imported row without this column creates a draft, and a published incident publishes what it uses.", lambda r: r.status, vocabulary(PublicationStatus), sql=text("status")),
        *sources_columns(request, LocationCitation, "location"),
    ]  # fmt: skip


def source_rows(queryset, request):
    return queryset.iterator(chunk_size=2000)


def source_columns(request) -> list[Column]:
    return [
        Column("source_id", "Stable identifier; other exports cite sources by it. " + explicit_id("source_id", "source", " (a row with a recorded source's url updates that source)"), lambda s: s.pk, "whole number >= 1", sql=number("id")),
        Column("permalink", "Web page of the source in this knowledge base.", url_of(request), "URL", imported=False, sql=link(request, "source-detail", "id")),
        Column("title", "Title (empty when it was not recorded).", lambda s: s.title, TEXT, sql=text("title")),
        Column("url", "Where it is published.", lambda s: s.url, "http(s) URL", sql=text("url")),
        Column("archive_url", "A saved copy.", lambda s: s.archive_url, "http(s) URL", sql=text("archive_url")),
        Column("publisher", "Publisher.", lambda s: s.publisher, TEXT, sql=text("publisher")),
        Column("author", "Author.", lambda s: s.author, TEXT, sql=text("author")),
        Column("kind", "What kind of source.", lambda s: s.kind, vocabulary(SourceKind), sql=text("kind")),
        Column("language", "Language of the text.", lambda s: s.language, "BCP 47 code", sql=text("language")),
        Column("published", "Publication date.", lambda s: s.published, ISO_DATE, sql=day("published")),
        Column("published_precision", "Precision of the publication date.", lambda s: s.published_precision, PRECISION + "; empty if no date", sql=text("published_precision")),
        Column("accessed", "When it was read.", lambda s: s.accessed, ISO_DATE, sql=day("accessed")),
        Column("reliability", "Admiralty source reliability grade.", lambda s: s.reliability, vocabulary(Reliability), sql=text("reliability")),
        Column("notes", "Notes on the source.", lambda s: s.notes, TEXT, sql=text("notes")),
        Column("status", "Publication status: drafts are exported only to signed-in staff; an imported row without this column creates a draft, and a published incident publishes what it uses.", lambda r: r.status, vocabulary(PublicationStatus), sql=text("status")),
    ]  # fmt: skip


def affiliation_rows(queryset, request):
    queryset = queryset.select_related("group", "brand")
    return cited(queryset, AffiliationCitation, "affiliation", request).iterator(chunk_size=2000)


def affiliation_columns(request) -> list[Column]:
    return [
        Column("group", "The group (slug in the groups export).", lambda a: a.group.slug, "slug", sql=text("group__slug")),
        Column("group_name", "The group's name.", lambda a: a.group.name, TEXT, imported=False, sql=text("group__name")),
        Column("brand", "The brand (slug in the brands export).", lambda a: a.brand.slug, "slug", sql=text("brand__slug")),
        Column("brand_name", "The brand's name.", lambda a: a.brand.name, TEXT, imported=False, sql=text("brand__name")),
        Column("status", "Announced by the group, or assessed, suspected, denied, ended.", lambda a: a.status, vocabulary(AffiliationStatus), sql=text("status")),
        Column("confidence", "Confidence the assessing party states.", lambda a: a.confidence, vocabulary(Confidence) + "; empty if not stated", sql=text("confidence")),
        Column("assessed_by", "Who says so.", lambda a: a.assessed_by, TEXT, sql=text("assessed_by")),
        Column("start", "From when.", lambda a: a.start, ISO_DATE, sql=day("start")),
        Column("start_precision", "Precision of the start date.", lambda a: a.start_precision, PRECISION + "; empty if no date", sql=text("start_precision")),
        Column("end", "Until when.", lambda a: a.end, ISO_DATE, sql=day("end")),
        Column("end_precision", "Precision of the end date.", lambda a: a.end_precision, PRECISION + "; empty if no date", sql=text("end_precision")),
        Column("note", "Note.", lambda a: a.note, TEXT, sql=text("note")),
        *sources_columns(request, AffiliationCitation, "affiliation"),
    ]  # fmt: skip


# --- Aliases, channels, relations, citations: the tables the pages show inside others -----------


def unfiltered(model_class) -> type:
    """A FilterSet with no filters, for the tables no list page filters (every visible row)."""
    meta = type("Meta", (), {"model": model_class, "fields": []})
    return type(f"{model_class.__name__}Rows", (StrictFilterSet,), {"Meta": meta})


def slug_of(attr):
    return lambda r: getattr(r, attr).slug if getattr(r, f"{attr}_id") else None


def alias_columns(request) -> list[Column]:
    return [
        Column("group", "The group the name belongs to (slug in the groups export).", slug_of("group"), "slug; empty if a brand's", sql=text("group__slug")),
        Column("brand", "The brand the name belongs to (slug in the brands export).", slug_of("brand"), "slug; empty if a group's", sql=text("brand__slug")),
        Column("name", "The other name or spelling; with group or brand, identifies the row (letter case aside).", lambda a: a.name, TEXT, sql=text("name")),
        Column("kind", "What kind of name.", lambda a: a.kind, vocabulary(AliasKind), sql=text("kind")),
        Column("language", "Language of the name.", lambda a: a.language, "BCP 47 code", sql=text("language")),
        Column("script", "Script of the name.", lambda a: a.script, "ISO 15924 code (Latn, Arab)", sql=text("script")),
    ]  # fmt: skip


def channel_columns(request) -> list[Column]:
    return [
        Column("platform", "Platform; with name, identifies the channel.", lambda c: c.platform, vocabulary(Platform), sql=text("platform")),
        Column("name", "Name of the channel on its platform.", lambda c: c.name, TEXT, sql=text("name")),
        Column("url", "Address of the channel.", lambda c: c.url, "http(s) URL", sql=text("url")),
        Column("operated_by_group", "The group that runs it (slug).", slug_of("operated_by_group"), "slug", sql=text("operated_by_group__slug")),
        Column("operated_by_brand", "The brand that runs it (slug).", slug_of("operated_by_brand"), "slug", sql=text("operated_by_brand__slug")),
        Column("description", "Description.", lambda c: c.description, TEXT, sql=text("description")),
    ]  # fmt: skip


def relation_columns(request) -> list[Column]:
    return [
        Column("subject", "The group the relation is about (slug in the groups export).", slug_of("subject"), "slug", sql=text("subject__slug")),
        Column("kind", "How it relates to the object.", lambda r: r.kind, vocabulary(RelationKind), sql=text("kind")),
        Column("object_group", "The group it relates to (slug).", slug_of("object_group"), "slug; empty if a brand", sql=text("object_group__slug")),
        Column("object_brand", "The brand it relates to (slug).", slug_of("object_brand"), "slug; empty if a group", sql=text("object_brand__slug")),
        Column("start", "From when.", lambda r: r.start, ISO_DATE, sql=day("start")),
        Column("start_precision", "Precision of the start date.", lambda r: r.start_precision, PRECISION + "; empty if no date", sql=text("start_precision")),
        Column("end", "Until when.", lambda r: r.end, ISO_DATE, sql=day("end")),
        Column("end_precision", "Precision of the end date.", lambda r: r.end_precision, PRECISION + "; empty if no date", sql=text("end_precision")),
        Column("note", "Note.", lambda r: r.note, TEXT, sql=text("note")),
        *sources_columns(request, RelationCitation, "relation"),
    ]  # fmt: skip


# Each citations table names the cited record by that record's key columns:
# (column, path from the record, documented values).
CITED = {
    "incident": (IncidentCitation, [("incident_code", "code", "incident code")]),
    "claim": (ClaimCitation, [("claim_id", "id", "whole number: a claim_id")]),
    "group": (GroupCitation, [("group", "slug", "slug")]),
    "brand": (BrandCitation, [("brand", "slug", "slug")]),
    "location": (LocationCitation, [("location", "slug", "slug")]),
    "affiliation": (AffiliationCitation, [("group", "group__slug", "slug"), ("brand", "brand__slug", "slug"), ("status", "status", vocabulary(AffiliationStatus)), ("assessed_by", "assessed_by", TEXT)]),
    "relation": (RelationCitation, [("subject", "subject__slug", "slug"), ("kind", "kind", vocabulary(RelationKind)), ("object_group", "object_group__slug", "slug"), ("object_brand", "object_brand__slug", "slug")]),
    "channel": (ChannelCitation, [("platform", "platform", vocabulary(Platform)), ("name", "name", TEXT)]),
}  # fmt: skip


def citation_key_column(record: str, column: str, path: str, values: str) -> Column:
    def get(citation):
        value = getattr(citation, record)
        for part in path.split("__"):
            value = getattr(value, part) if value is not None else None
        return value

    full = f"{record}__{path}"
    sql = number(full) if values.startswith("whole") else text(full)
    return Column(column, f"The cited {record}: its {column}.", get, values, sql=sql)


def citation_columns(record: str):
    def columns(request) -> list[Column]:
        _model, key = CITED[record]
        return [
            *(citation_key_column(record, *spec) for spec in key),
            Column("source_id", "The source cited (its source_id in the sources export); with the record, identifies the row.", lambda c: c.source_id, "whole number: a source_id", sql=number("source_id")),
            Column("quote", "The passage of the source that supports the record.", lambda c: c.quote, TEXT, sql=text("quote")),
            Column("locator", "Where in the source: page, paragraph, timestamp.", lambda c: c.locator, TEXT, sql=text("locator")),
            Column("credibility", "How credible this piece of the source is (Admiralty scale).", lambda c: c.credibility, "whole number: " + vocabulary(Credibility), sql=number("credibility")),
        ]  # fmt: skip

    return columns


def relation_rows(queryset, request):
    queryset = queryset.select_related("subject", "object_group", "object_brand")
    return cited(queryset, RelationCitation, "relation", request).iterator(chunk_size=2000)


def plain_rows(*related):
    def rows(queryset, request):
        return queryset.select_related(*related).iterator(chunk_size=2000)

    return rows


def citation_export(record: str, request) -> Export:
    model, key = CITED[record]
    record_model = model._meta.get_field(model.record_field).related_model
    order = tuple(f"{record}__{path}" for _column, path, _values in key)
    related = [
        record,
        *(f"{record}__{path.rsplit('__', 1)[0]}" for _c, path, _v in key if "__" in path),
    ]
    return Export(
        f"{record}_citations", f"{record_model._meta.verbose_name.capitalize()} citations",
        f"One row per source cited for a {record_model._meta.verbose_name}, with the passage, "
        "where it is in the source and how credible it is.",
        citation_columns(record)(request), plain_rows(*related), unfiltered(model),
        lambda user, model=model: model.objects.visible_to(user),
        order=(*order, "source_id", "pk"),
        key=(*(column for column, _p, _v in key), "source_id"),
    )  # fmt: skip


def change_rows(queryset, request):
    return queryset.iterator(chunk_size=2000)


def change_columns(request) -> list[Column]:
    def page_url(c):
        return request.build_absolute_uri(c.page) if c.page else ""

    # Pages are paths from the root (no request: the codebook's columns, which need no host).
    site = request.build_absolute_uri("/").removesuffix("/") if request else ""

    return [
        Column("change_id", "Stable identifier of the change; later changes have larger ones.", lambda c: c.pk, "whole number", imported=False, sql=number("id")),
        Column("changed_at", "When the change was saved, in UTC.", lambda c: c.at.isoformat(), "ISO 8601 date and time", imported=False, sql=Moment("at")),
        Column("action", "What happened to the record. 'unpublished' (an incident withdrawn, or a claim moved to an unpublished incident) and 'deleted' mean: remove it from your copy.", lambda c: c.action, vocabulary(Action), imported=False, sql=text("action")),
        Column("record_type", "What kind of record changed.", lambda c: c.record_type, "incident, claim, source, group, brand, location, alias, affiliation, relation, channel, or a citation of one", imported=False, sql=text("record_type")),
        Column("record_id", "The record's identifier: claim_id for claims, source_id for sources; incidents are also identified by incident_code.", lambda c: c.record_id, "whole number", imported=False, sql=number("record_id")),
        Column("record", "The record as it read after the change.", lambda c: c.label, TEXT, imported=False, sql=text("label")),
        Column("incident_code", "The incident the record belongs to (incidents, claims and their citations).", lambda c: c.incident_code, "incident code; empty for other records", imported=False, sql=text("incident_code")),
        Column("fields", "The fields that changed.", lambda c: sorted(c.field_names), MULTI, imported=False, sql=text(FieldNames("fields"))),
        Column("details", "Each changed field's old and new value, as text.", lambda c: json.dumps([{"field": d["field"], "old": d["old"], "new": d["new"]} for d in c.fields], ensure_ascii=False) if c.fields else "", "JSON list of {field, old, new}", imported=False, sql=text(FieldDetails("fields"))),
        Column("reason", "Why, as the editor gave it.", lambda c: c.reason, TEXT, imported=False, sql=text("reason")),
        Column("permalink", "The public page that shows the record (gone once it is deleted or unpublished).", page_url, "URL", imported=False, sql=NullIf(Concat(Value(site), F("page"), output_field=TextField()), Value(site), output_field=TextField())),
    ]  # fmt: skip


def exports(request) -> dict[str, Export]:
    """The exports, by URL name, with columns bound to the request (permalinks need its host), in
    the order a whole dataset is imported (a table after those it names)."""
    found = {
        "sources": Export(
            "sources",
            "Sources",
            "One row per source.",
            source_columns(request),
            source_rows,
            SourceFilterSet,
            selectors.sources,
            key=("source_id",),
        ),
        "groups": Export(
            "groups",
            "Groups",
            "One row per actor.",
            group_columns(request),
            group_rows,
            GroupFilterSet,
            selectors.groups_with_counts,
            key=("slug",),
        ),
        "brands": Export(
            "brands",
            "Brands",
            "One row per brand.",
            brand_columns(request),
            brand_rows,
            BrandFilterSet,
            selectors.brands_with_counts,
            key=("slug",),
        ),
        "aliases": Export(
            "aliases",
            "Aliases",
            "One row per other name of a group or a brand, with its kind, language and script.",
            alias_columns(request),
            plain_rows("group", "brand"),
            unfiltered(Alias),
            lambda user: Alias.objects.visible_to(user),
            order=("group__slug", "brand__slug", "name", "pk"),
            key=("group", "brand", "name"),
            references=((("group",), "groups", ("slug",)), (("brand",), "brands", ("slug",))),
        ),
        "channels": Export(
            "channels",
            "Channels",
            "One row per channel claims are published on.",
            channel_columns(request),
            plain_rows("operated_by_group", "operated_by_brand"),
            unfiltered(Channel),
            lambda user: Channel.objects.visible_to(user),
            order=("platform", "name", "pk"),
            key=("platform", "name"),
            references=(
                (("operated_by_group",), "groups", ("slug",)),
                (("operated_by_brand",), "brands", ("slug",)),
            ),
        ),
        "locations": Export(
            "locations",
            "Locations",
            "One row per named site.",
            location_columns(request),
            location_rows,
            LocationFilterSet,
            selectors.locations_with_counts,
            key=("slug",),
        ),
        "incidents": Export(
            "incidents",
            "Incidents",
            "One row per incident, with a summary of its claims.",
            incident_columns(request),
            incident_rows,
            IncidentFilterSet,
            lambda user: selectors.incidents(user),
            ("csv", "json", "geojson"),
            key=("code",),
            references=((("location",), "locations", ("slug",)),),
        ),
        "claims": Export(
            "claims",
            "Claims",
            "One row per claim, denial or attribution, with its incident's date and place.",
            claim_columns(request),
            claim_rows,
            ClaimFilterSet,
            lambda user: selectors.claims(user),
            key=("claim_id",),
            references=(
                (("incident_code",), "incidents", ("code",)),
                (("group",), "groups", ("slug",)),
                (("brand",), "brands", ("slug",)),
                (("attributed_by",), "groups", ("slug",)),
                (("channel_platform", "channel_name"), "channels", ("platform", "name")),
                (("supersedes_claim_id",), "claims", ("claim_id",)),
            ),
        ),
        "affiliations": Export(
            "affiliations",
            "Affiliations",
            "One row per affiliation of a group with a brand.",
            affiliation_columns(request),
            affiliation_rows,
            AffiliationFilterSet,
            lambda user: Affiliation.objects.visible_to(user),
            key=("group", "brand", "status", "assessed_by"),
            references=((("group",), "groups", ("slug",)), (("brand",), "brands", ("slug",))),
        ),
        "relations": Export(
            "relations",
            "Relations",
            "One row per relation of a group with another group or a brand.",
            relation_columns(request),
            relation_rows,
            unfiltered(Relation),
            lambda user: Relation.objects.visible_to(user),
            order=("subject__slug", "kind", "object_group__slug", "object_brand__slug", "pk"),
            key=("subject", "kind", "object_group", "object_brand"),
            references=(
                (("subject",), "groups", ("slug",)),
                (("object_group",), "groups", ("slug",)),
                (("object_brand",), "brands", ("slug",)),
            ),
        ),
    }
    for record, (_model, key) in CITED.items():
        spec = citation_export(record, request)
        record_export = {
            "incident": "incidents",
            "claim": "claims",
            "group": "groups",
            "brand": "brands",
            "location": "locations",
            "affiliation": "affiliations",
            "relation": "relations",
            "channel": "channels",
        }[record]
        columns = tuple(column for column, _path, _values in key)
        found[spec.name] = replace(
            spec,
            references=(
                (columns, record_export, found[record_export].key),
                (("source_id",), "sources", ("source_id",)),
            ),
        )
    found["changes"] = Export(
        "changes",
        "Changes",
        "One row per change, oldest first: what to apply to your copy. "
        "since=YYYY-MM-DD gives the changes from that UTC day on.",
        change_columns(request),
        change_rows,
        ChangeFilterSet,
        lambda user: Change.objects.visible_to(user),
        order=("at", "pk"),
        key=("change_id",),
    )
    return found  # fmt: skip
