from django.contrib import admin
from django.urls import path

from changes import feeds as change_feeds
from changes import views as changes
from claims import views as claims
from exchange import admin as exchange_admin
from exchange import views as export_views
from groups import views as groups
from kb import views as kb
from kb.query import read_only, takes
from sources import views as sources

admin.site.site_header = "Incident-claims knowledge base"
admin.site.site_title = "Incident-claims KB"
admin.site.index_title = "Curate groups, brands, incidents, claims and sources"
admin.site.site_url = "/"
# The model list is one click away (Home); its 300 px go to the lists' columns.
admin.site.enable_nav_sidebar = False

urlpatterns = [
    path("", kb.home, name="home"),
    path("search/", kb.search, name="search"),
    path("incidents/", claims.IncidentList.as_view(), name="incident-list"),
    path(
        "incidents/timeline.json",
        claims.incident_visual,
        {"what": "timeline"},
        name="incident-timeline",
    ),
    path("incidents/map.json", claims.incident_visual, {"what": "map"}, name="incident-map"),
    path("incidents/<slug:code>/", claims.incident_detail, name="incident-detail"),
    path("incidents/<slug:code>/history/", changes.incident_history, name="incident-history"),
    path("changes/", changes.ChangeList.as_view(), name="changes"),
    path("changes/feed/", read_only(takes()(change_feeds.ChangesFeed())), name="changes-feed"),
    path("claims/", claims.ClaimList.as_view(), name="claim-list"),
    path("locations/", claims.LocationList.as_view(), name="location-list"),
    path("locations/suggest.json", claims.location_suggestions, name="location-suggest"),
    path("locations/<slug:slug>/", claims.LocationDetail.as_view(), name="location-detail"),
    path("groups/", groups.GroupList.as_view(), name="group-list"),
    path("groups/suggest.json", groups.group_suggestions, name="group-suggest"),
    path("groups/<slug:slug>/", groups.GroupDetail.as_view(), name="group-detail"),
    path("brands/", groups.BrandList.as_view(), name="brand-list"),
    path("brands/suggest.json", groups.brand_suggestions, name="brand-suggest"),
    path("brands/<slug:slug>/", groups.BrandDetail.as_view(), name="brand-detail"),
    path("sources/", sources.SourceList.as_view(), name="source-list"),
    path("sources/<int:pk>/", sources.source_detail, name="source-detail"),
    path("codebook/", export_views.codebook, name="codebook"),
    path("codebook.<str:extension>", export_views.codebook, name="codebook-file"),
    path("dataset.zip", export_views.dataset, name="dataset"),
    path(
        "codebook/templates/<str:table>.csv", export_views.import_template, name="import-template"
    ),
    path("affiliations/export.<str:extension>", export_views.export, {"name": "affiliations"}),
    path("<str:name>/export.<str:extension>", export_views.export, name="export"),
    path("admin/import/", admin.site.admin_view(exchange_admin.import_table), name="admin-import"),
    path(
        "admin/import/<int:pk>/confirm/",
        admin.site.admin_view(exchange_admin.confirm_import),
        name="admin-import-confirm",
    ),
    path("admin/", admin.site.urls),
]
