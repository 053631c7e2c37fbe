from django.contrib import admin
from django.urls import path

admin.site.site_header = "Incident-claims knowledge base"
admin.site.site_title = "Incident-claims KB"
admin.site.index_title = "Curate groups, brands, incidents, claims and sources"

urlpatterns = [
    path("admin/", admin.site.urls),
]
