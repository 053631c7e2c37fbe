"""Every export and every list page sort gives the order kb.ordering documents, on any database.

The rule (README, codebook): unknowns (NULL, empty text) last in both directions; text by
Unicode code point with only A-Z folded to a-z; ties by id, ascending. Each order is computed
here in Python from the records and compared with the rows the site serves. CI runs this file on
SQLite and on PostgreSQL, so passing on both shows that both give the same order.

The data: the seed (undated sources and claims, unknown casualty figures, places without a
site), plus clearly synthetic records ("Sortkey ...") whose every sort key holds an unknown,
names differing only in case (created lower-case first, so that a byte-wise comparison would put
them the other way round), accented capitals and Arabic.
"""

import csv
import functools
import io

import pytest
from django.test import RequestFactory

from claims.models import (
    Claim,
    ClaimCitation,
    Incident,
    IncidentCitation,
    Location,
    LocationCitation,
)
from exchange.catalogue import exports
from exchange.formats import cell
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
from kb.ordering import is_text
from sources.models import Source

pytestmark = pytest.mark.django_db

# Lower case before upper case (so ids disagree with byte order), accented capitals after z,
# Arabic after Latin, empty text (unknown) where the field may be blank.
TEXTS = ["sortkey alpha", "Sortkey Alpha", "sortkey émile", "Sortkey Émile", "sortkey Zeta"]
ARABIC = "سجل اختبار"
ALL_TEXTS = [*TEXTS, ARABIC]


def ascii_lower(text):
    return "".join(chr(ord(c) + 32) if "A" <= c <= "Z" else c for c in text)


def attribute(obj, path):
    for part in path.split("__"):
        if obj is None:
            return None
        obj = obj.pk if part == "pk" else getattr(obj, part)
    return obj


def key_value(model, obj, path):
    value = attribute(obj, path)
    if is_text(model, path):
        return ascii_lower(value) if value else None  # empty text is unknown
    return value


def expected_order(model, objects, fields):
    """The objects in the documented order of `fields` (order_by names), computed in Python."""
    fields = list(fields)
    if fields[-1].lstrip("-") not in ("pk", "id"):
        fields.append("pk")
    keys = [(field.lstrip("-"), field.startswith("-")) for field in fields]

    def compare(a, b):
        for path, descending in keys:
            x, y = key_value(model, a, path), key_value(model, b, path)
            if x is None or y is None:
                if x is None and y is None:
                    continue
                return 1 if x is None else -1  # unknowns last, up or down
            if x != y:
                return (1 if x > y else -1) * (-1 if descending else 1)
        return 0

    return sorted(objects, key=functools.cmp_to_key(compare))


@pytest.fixture
def mixed(db):
    """Draft records (staff see them in every list and export) with unknowns and mixed text in
    every sort key."""
    iq = "IQ"
    day = Incident.objects.order_by("date").first().date  # a date inside the window
    sources = [
        Source.objects.create(
            title=title,
            url=f"https://example.org/sortkey/{n}",
            publisher=[*ALL_TEXTS, ""][n % 7],
            published=None if n % 2 else day,
            published_precision="" if n % 2 else "day",
        )
        for n, title in enumerate([*ALL_TEXTS, ""])
    ]
    groups = [
        Group.objects.create(
            name=name,
            slug=f"sortkey-group-{n}",
            country="" if n % 2 else iq,
            founded=None if n % 3 else day,
            founded_precision="" if n % 3 else "day",
        )
        for n, name in enumerate(ALL_TEXTS)
    ]
    brands = [
        Brand.objects.create(
            name=name,
            slug=f"sortkey-brand-{n}",
            launched=None if n % 2 else day,
            launched_precision="" if n % 2 else "day",
        )
        for n, name in enumerate(ALL_TEXTS)
    ]
    locations = [
        Location.objects.create(
            name=name,
            slug=f"sortkey-site-{n}",
            kind="town",
            country=iq,
            admin1=[*ALL_TEXTS, ""][(n + 1) % 7],
        )
        for n, name in enumerate(ALL_TEXTS)
    ]
    incidents = [
        Incident.objects.create(
            code=f"sortkey-incident-{n}",
            title=title,
            date=day,
            country=iq,
            admin1=[*ALL_TEXTS, ""][(n + 2) % 7],
            location=None if n % 2 else locations[n],
            killed_low=None if n % 2 else n,
            injured_low=None if n % 3 else n,
        )
        for n, title in enumerate(ALL_TEXTS)
    ]
    claims = [
        Claim.objects.create(
            incident=incidents[n % 3],
            group=groups[n],
            date=None if n % 2 else day,
            date_precision="" if n % 2 else "day",
        )
        for n in range(len(ALL_TEXTS))
    ]
    affiliations, channels = [], []
    for n, name in enumerate(ALL_TEXTS):  # names equal but for case belong to different records
        Alias.objects.create(group=groups[n % 2], name=name)
        Alias.objects.create(brand=brands[n % 2], name=f"{name} {n}")
        affiliations.append(
            Affiliation.objects.create(
                group=groups[n], brand=brands[0], status="assessed", assessed_by=[*TEXTS, ""][n]
            )
        )
        channels.append(
            Channel.objects.create(
                platform=["telegram", "x"][n % 2], name=name, operated_by_group=groups[n]
            )
        )
    relations = [
        Relation.objects.create(subject=groups[0], kind="allied_with", object_group=groups[1]),
        Relation.objects.create(subject=groups[0], kind="allied_with", object_brand=brands[1]),
        Relation.objects.create(subject=groups[2], kind="sponsors", object_brand=brands[0]),
    ]
    for n, source in enumerate(sources[:3]):
        IncidentCitation.objects.create(incident=incidents[n], source=source)
        ClaimCitation.objects.create(claim=claims[n], source=source)
        GroupCitation.objects.create(group=groups[n], source=source)
        BrandCitation.objects.create(brand=brands[n], source=source)
        LocationCitation.objects.create(location=locations[n], source=source)
        AffiliationCitation.objects.create(affiliation=affiliations[n], source=source)
        RelationCitation.objects.create(relation=relations[n], source=source)
        ChannelCitation.objects.create(channel=channels[n], source=source)


def specs(user):
    request = RequestFactory().get("/")
    request.user = user
    return exports(request)


def key_columns(spec):
    return [column for column in spec.columns if column.name in spec.key]


def served_keys(client, spec, params):
    response = client.get(f"/{spec.name}/export.csv", params)
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    return [tuple(row[name] for name in spec.key) for row in rows]


def expected_keys(spec, user, fields):
    model = spec.base_queryset(user).model
    objects = expected_order(model, list(spec.base_queryset(user)), fields)
    columns = key_columns(spec)
    return [tuple(str(cell(column.get(obj))) for column in columns) for obj in objects]


def default_fields(spec):
    return spec.order or spec.filterset_class.default_order


def sort_options(spec):
    """(sort parameter, order_by names) for every sort option of the export's list, both ways."""
    sort = spec.filterset_class.base_filters.get("sort")
    if sort is None:
        return []
    return [
        (param, sort.fields_for([param]))
        for name in sort.sort_fields
        for param in (name, f"-{name}")
    ]


NAMES = list(exports(None))


def test_every_export_states_its_order():
    """Each export is in an order of its own or its list's default (never the database's
    whim), keyed so that a row can be found in it."""
    for name, spec in exports(None).items():
        assert default_fields(spec), name
        assert len(key_columns(spec)) == len(spec.key), name


# One test per export, for its default order and each of its sort options (the data is made
# once per test: many small tests would spend their time making it).
@pytest.mark.parametrize("name", NAMES)
def test_every_export_and_sort_option_comes_in_the_documented_order(
    editor_client, editor, mixed, name
):
    spec = specs(editor)[name]
    got = served_keys(editor_client, spec, {})
    assert len(got) > 1
    assert got == expected_keys(spec, editor, default_fields(spec))
    for param, fields in sort_options(spec):
        got = served_keys(editor_client, spec, {"sort": param})
        assert got == expected_keys(spec, editor, fields), f"{name}?sort={param}"


# The list pages and the export of their rows.
PAGES = {
    "/incidents/": "incidents",
    "/claims/": "claims",
    "/groups/": "groups",
    "/brands/": "brands",
    "/locations/": "locations",
    "/sources/": "sources",
}
PAGE_SORTS = {"/changes/": [None]} | {
    page: [None, *(p for p, _f in sort_options(exports(None)[name]))]
    for page, name in PAGES.items()
}


@pytest.mark.parametrize("page", PAGE_SORTS)
def test_every_list_page_sort_shows_the_documented_order(editor_client, editor, mixed, page):
    for param in PAGE_SORTS[page]:
        params = {"per_page": 200, **({"sort": param} if param else {})}
        response = editor_client.get(page, params)
        assert response.status_code == 200
        shown = [row.record.pk for row in response.context["table"].paginated_rows]
        if page == "/changes/":
            from changes.models import Change

            objects = Change.objects.visible_to(editor)
            fields = ("-at", "-pk")
        else:
            spec = specs(editor)[PAGES[page]]
            objects = spec.base_queryset(editor)
            fields = dict(sort_options(spec))[param] if param else default_fields(spec)
        expected = [obj.pk for obj in expected_order(objects.model, list(objects), fields)]
        assert shown == expected[: len(shown)], f"{page}?sort={param}"
        assert len(shown) == min(len(expected), 200), f"{page}?sort={param}"


def test_the_rule_puts_unknowns_last_and_folds_only_a_to_z(editor_client, editor, mixed):
    """The rule itself, on the groups list: as documented, by hand."""
    spec = specs(editor)["groups"]
    names = {g.slug: g.name for g in Group.objects.all()}
    got = [names[slug] for (slug,) in served_keys(editor_client, spec, {"sort": "name"})]
    mine = [name for name in got if name in ALL_TEXTS]
    # alpha twice (lower-case one created first), then Zeta, then É (after z), then Arabic.
    assert mine == [
        "sortkey alpha",
        "Sortkey Alpha",
        "sortkey Zeta",
        "Sortkey Émile",
        "sortkey émile",
        ARABIC,
    ]
    got = served_keys(editor_client, spec, {"sort": "-founded"})
    undated = {g.slug for g in Group.objects.filter(founded=None)}
    first_undated = next(i for i, (slug,) in enumerate(got) if slug in undated)
    assert all(slug in undated for (slug,) in got[first_undated:])  # last, going down too
