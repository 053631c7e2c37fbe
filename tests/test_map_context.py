"""Issue 13, "A map with context, offline": the shipped country outlines carry where each
country's name is written, inside the country, from the shipped data alone."""

import itertools
import json
from pathlib import Path

from django.conf import settings

COUNTRIES = Path(settings.BASE_DIR) / "static" / "geo" / "countries.geojson"


def inside(point, rings) -> bool:
    """Even-odd rule: the point is inside the outer ring and outside its holes."""
    x, y = point
    crossed = 0
    for ring in rings:
        for (x0, y0), (x1, y1) in itertools.pairwise(ring):
            if (y0 <= y < y1 or y1 <= y < y0) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
                crossed += 1
    return crossed % 2 == 1


def polygons(geometry):
    coordinates = geometry["coordinates"]
    return [coordinates] if geometry["type"] == "Polygon" else coordinates


def test_every_country_has_a_name_and_a_label_point_inside_it():
    features = json.loads(COUNTRIES.read_text())["features"]
    assert len(features) == 177
    outside = []
    for feature in features:
        p = feature["properties"]
        assert p["name"] and p["label_room"] > 0
        if not any(inside(p["label"], rings) for rings in polygons(feature["geometry"])):
            outside.append(p["name"])
    assert outside == []


def test_a_label_avoids_a_hole_in_its_country():
    """South Africa's outline has Lesotho cut out of it: its name is not written on Lesotho."""
    by_name = {f["properties"]["name"]: f for f in json.loads(COUNTRIES.read_text())["features"]}
    south_africa, lesotho = by_name["South Africa"], by_name["Lesotho"]
    point = south_africa["properties"]["label"]
    assert not any(inside(point, rings) for rings in polygons(lesotho["geometry"]))
    assert any(inside(point, rings) for rings in polygons(south_africa["geometry"]))
