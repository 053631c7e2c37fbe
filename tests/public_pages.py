"""Every public HTML page, as the accessibility and HTML checks visit them: one address for each
page of the URLconf (with the seed data's records for the detail pages) and the error pages.
tests/test_html_validity.py keeps this list in step with kb/urls.py, so that a new page cannot
escape the checks."""

from sources.models import Source

TOWER_22 = "2024-01-28-tower-22-drone"
ARTICLE = "Islamic resistance in Iraq, the new anti-US brand"

# {name: (the URLconf's route, the address visited, its HTTP status)}; the error pages have no
# route of their own. `{article}` is a source's id, which differs between databases.
PAGES = {
    "home": ("", "/", 200),
    "search": ("search/", "/search/?q=hezbollah", 200),
    "incident list": ("incidents/", "/incidents/", 200),
    "incident": ("incidents/<slug:code>/", f"/incidents/{TOWER_22}/", 200),
    "incident history": ("incidents/<slug:code>/history/", f"/incidents/{TOWER_22}/history/", 200),
    "changes": ("changes/", "/changes/", 200),
    "claim list": ("claims/", "/claims/", 200),
    "location list": ("locations/", "/locations/", 200),
    "location": ("locations/<slug:slug>/", "/locations/tower-22/", 200),
    "group list": ("groups/", "/groups/", 200),
    "group": ("groups/<slug:slug>/", "/groups/kataib-hezbollah/", 200),
    "brand list": ("brands/", "/brands/", 200),
    "brand": ("brands/<slug:slug>/", "/brands/islamic-resistance-in-iraq/", 200),
    "source list": ("sources/", "/sources/", 200),
    "source": ("sources/<int:pk>/", "/sources/{article}/", 200),
    "codebook": ("codebook/", "/codebook/", 200),
    # A filter value a list refuses and a parameter no page takes (HTTP 400), and an address
    # with no page (HTTP 404).
    "400 bad value": (None, "/incidents/?country=XX", 400),
    "400 unknown parameter": (None, f"/incidents/{TOWER_22}/?colour=red", 400),
    "404": (None, "/incidents/no-such-incident/", 404),
}

# The URLconf's routes that answer with something other than an HTML page of the public site:
# JSON for the charts and the place filter, the change feed (RSS), CSV and ZIP files, the admin.
NOT_PAGES = {
    "incidents/timeline.json",
    "incidents/map.json",
    "changes/feed/",
    "locations/suggest.json",
    "groups/suggest.json",
    "brands/suggest.json",
    "codebook.<str:extension>",
    "dataset.zip",
    "codebook/templates/<str:table>.csv",
    "affiliations/export.<str:extension>",
    "<str:name>/export.<str:extension>",
    "admin/import/",
    "admin/import/<int:pk>/confirm/",
    "admin/",
}


def address(name):
    """The address of the page `name` (reads the database for a source's id)."""
    template = PAGES[name][1]
    if "{article}" not in template:
        return template
    return template.format(article=Source.objects.get(title__startswith=ARTICLE).pk)
