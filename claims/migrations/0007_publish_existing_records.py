"""Groups, brands, locations and sources now have a publication status of their own. Those that
existed before were public, and stay published, except the ones only draft incidents use (a
location, claimant or cited source entered for a draft): those become drafts, and so do the change
log's entries about them and about what hangs on them, as if the rule had always held."""

from django.db import migrations

DRAFT, PUBLISHED = "draft", "published"


def ids(queryset, field):
    return set(queryset.values_list(field, flat=True)) - {None}


def uses(apps, status):
    """The locations, groups, brands and sources the incidents of this status use."""
    Incident = apps.get_model("claims", "Incident")
    Claim = apps.get_model("claims", "Claim")
    IncidentCitation = apps.get_model("claims", "IncidentCitation")
    ClaimCitation = apps.get_model("claims", "ClaimCitation")
    incidents = Incident.objects.filter(status=status)
    claims = Claim.objects.filter(incident__status=status)
    return {
        "location": ids(incidents, "location_id"),
        "group": ids(claims, "group_id") | ids(claims, "attributed_by_id"),
        "brand": ids(claims, "brand_id"),
        "source": ids(IncidentCitation.objects.filter(incident__status=status), "source_id")
        | ids(ClaimCitation.objects.filter(claim__incident__status=status), "source_id"),
    }


def publish_existing(apps, schema_editor):
    models = {
        "location": apps.get_model("claims", "Location"),
        "group": apps.get_model("groups", "Group"),
        "brand": apps.get_model("groups", "Brand"),
        "source": apps.get_model("sources", "Source"),
    }
    by_drafts, by_published = uses(apps, DRAFT), uses(apps, PUBLISHED)
    drafts = {kind: by_drafts[kind] - by_published[kind] for kind in models}
    # A source stays published if a record that stays published cites it.
    groups, brands, locations = drafts["group"], drafts["brand"], drafts["location"]
    citing = {
        ("claims", "LocationCitation"): {"location__in": locations},
        ("groups", "GroupCitation"): {"group__in": groups},
        ("groups", "BrandCitation"): {"brand__in": brands},
        ("groups", "AffiliationCitation"): {"affiliation__group__in": groups}
        | {"affiliation__brand__in": brands},
        ("groups", "RelationCitation"): {"relation__subject__in": groups}
        | {"relation__object_group__in": groups}
        | {"relation__object_brand__in": brands},
        ("groups", "ChannelCitation"): {"channel__operated_by_group__in": groups}
        | {"channel__operated_by_brand__in": brands},
    }
    for (app, name), hidden in citing.items():
        kept = apps.get_model(app, name).objects.all()
        for lookup, values in hidden.items():
            kept = kept.exclude(**{lookup: values})
        drafts["source"] -= ids(kept, "source_id")
    for kind, model in models.items():
        model.objects.exclude(pk__in=drafts[kind]).update(status=PUBLISHED)
        history = apps.get_model(model._meta.app_label, f"Historical{model.__name__}")
        history.objects.exclude(id__in=drafts[kind]).update(status=PUBLISHED)
    hide_changes(apps, drafts)


def hide_changes(apps, drafts):
    """The change log's entries about the records that became drafts, and what hangs on them."""
    Change = apps.get_model("changes", "Change")
    Alias = apps.get_model("groups", "Alias")
    Channel = apps.get_model("groups", "Channel")
    Affiliation = apps.get_model("groups", "Affiliation")
    Relation = apps.get_model("groups", "Relation")
    groups, brands = drafts["group"], drafts["brand"]
    hidden = {
        "claims.location": drafts["location"],
        "groups.group": groups,
        "groups.brand": brands,
        "sources.source": drafts["source"],
        "groups.alias": ids(Alias.objects.filter(group__in=groups), "pk")
        | ids(Alias.objects.filter(brand__in=brands), "pk"),
        "groups.channel": ids(Channel.objects.filter(operated_by_group__in=groups), "pk")
        | ids(Channel.objects.filter(operated_by_brand__in=brands), "pk"),
        "groups.affiliation": ids(Affiliation.objects.filter(group__in=groups), "pk")
        | ids(Affiliation.objects.filter(brand__in=brands), "pk"),
        "groups.relation": ids(Relation.objects.filter(subject__in=groups), "pk")
        | ids(Relation.objects.filter(object_group__in=groups), "pk")
        | ids(Relation.objects.filter(object_brand__in=brands), "pk"),
    }
    for label, record_ids in hidden.items():
        if record_ids:
            Change.objects.filter(model=label, record_id__in=record_ids).update(public=False)
    citations = [
        ("claims", "LocationCitation", "location", drafts["location"]),
        ("groups", "GroupCitation", "group", groups),
        ("groups", "BrandCitation", "brand", brands),
    ]
    for app, name, link, parents in citations:
        model = apps.get_model(app, name)
        record_ids = ids(model.objects.filter(**{f"{link}__in": parents}), "pk")
        record_ids |= ids(model.objects.filter(source__in=drafts["source"]), "pk")
        if record_ids:
            label = f"{app}.{name.lower()}"
            Change.objects.filter(model=label, record_id__in=record_ids).update(public=False)


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0006_publication_status"),
        ("groups", "0003_publication_status"),
        ("sources", "0003_publication_status"),
        ("changes", "0001_initial"),
    ]

    operations = [migrations.RunPython(publish_existing, migrations.RunPython.noop)]
