"""In Chromium: the timeline's bars are links that list exactly the incidents they count, an
actor's colour is the same on the list and on its own page, the map names its sites and the
countries around them (and shows a single site among its neighbours), a long list of countries
narrows as one types, and a group is suggested by any spelling. Screenshots of the list at 1280
and 390 px, the map of one site and the filter form are saved in test-artifacts/screenshots/."""

import re

import pytest

from tests import test_browser

pytestmark = pytest.mark.django_db

# The browser tests' fixtures: this site on a live server, Chromium, and a page that fails the
# test on a script error or on a request to another host.
live_url, browser, page = test_browser.live_url, test_browser.browser, test_browser.page
drawn, read, query = test_browser.drawn, test_browser.read, test_browser.query
SCREENSHOTS = test_browser.SCREENSHOTS

KH, IRI, HARIR = "kataib-hezbollah", "islamic-resistance-in-iraq", "harir-air-base"


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000


def test_every_bar_is_a_link_to_exactly_the_incidents_it_counts(page):
    drawn(page, "/incidents/")
    bars = page.locator(".timeline-svg a.bar")
    assert bars.count() > 3
    # Links, not elements given a role inside an image (axe-core's nested-interactive).
    assert page.locator("#timeline-chart[role=img], .timeline-svg [role=link]").count() == 0
    targets = [
        (bars.nth(i).get_attribute("href"), int(bars.nth(i).get_attribute("data-total")))
        for i in range(bars.count())
    ]
    for href, total in targets:
        assert "date_match=start" in href
        page.goto(href)
        assert int(page.locator("p.count").get_attribute("data-count")) == total, href


def test_the_count_axis_has_round_evenly_spaced_ticks_above_the_tallest_bar(page):
    drawn(page, "/incidents/")
    ticks = [
        int(t) for t in page.locator(".timeline-svg text.tick[text-anchor=end]").all_text_contents()
    ]
    bars = page.locator(".timeline-svg a.bar")
    tallest = max(int(bars.nth(i).get_attribute("data-total")) for i in range(bars.count()))
    step = ticks[1] - ticks[0]
    assert ticks == list(range(0, ticks[-1] + 1, step)) and 3 <= len(ticks) <= 6
    assert re.fullmatch(r"(1|2|5)0*", str(step)) and ticks[-1] >= tallest > ticks[-2]


def test_a_bar_is_reached_and_followed_with_the_keyboard(page):
    drawn(page, f"/brands/{IRI}/")
    bar = page.locator(".timeline-svg a.bar").nth(1)
    total = int(bar.get_attribute("data-total"))
    bar.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"date_match=start"))
    page.wait_for_selector("section.visuals[data-ready]", state="attached")
    after = read(page)
    assert after["table"] == after["timeline"] == after["map"] == total > 0


def chart_colours(page) -> dict[str, str]:
    """The colour of each series as the chart's legend draws it."""
    items = page.locator("#timeline-chart ul.legend li")
    return {
        items.nth(i).inner_text().strip(): items.nth(i)
        .locator(".swatch")
        .evaluate("e => getComputedStyle(e).backgroundColor")
        for i in range(items.count())
    }


def test_an_actor_is_drawn_in_the_same_colour_on_the_list_and_on_its_page(page):
    drawn(page, "/incidents/")
    on_list = chart_colours(page)
    drawn(page, f"/groups/{KH}/")
    on_its_page = chart_colours(page)
    shared = set(on_list) & set(on_its_page)
    assert "Kata'ib Hezbollah" in shared and len(on_list) > len(on_its_page)
    assert {name: on_list[name] for name in shared} == {n: on_its_page[n] for n in shared}


def names_on_map(page, kind) -> list[str]:
    return page.locator(f"#incident-map .{kind}-label").all_inner_texts()


def test_the_map_names_its_sites_and_the_countries_around_them(page):
    drawn(page, "/incidents/")
    sites, countries = names_on_map(page, "site"), names_on_map(page, "country")
    assert {"Iraq", "Syria"} <= set(countries)
    assert len(sites) >= 3
    circles = page.locator("path.incident-marker")
    slugs = {circles.nth(i).get_attribute("data-slug") for i in range(circles.count())}
    assert "ain-al-asad-air-base" in slugs and "Ain al-Asad Air Base" in sites
    caption = page.locator(".map-panel .unlocated").inner_text()
    assert caption == "3 incidents have no mapped location and are not shown."
    screenshot(page, "filters-incident-list-1280")
    page.locator("figure.map-panel").screenshot(path=str(SCREENSHOTS / "filters-map-list.png"))


def test_one_site_is_shown_among_its_neighbours_not_close_up(page):
    drawn(page, f"/locations/{HARIR}/")
    assert page.locator("path.incident-marker").count() == 1
    assert "Harir Air Base" in names_on_map(page, "site")
    countries = set(names_on_map(page, "country"))
    assert "Iraq" in countries and len(countries) >= 3, countries
    page.locator("#incident-map").scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.locator("figure.map-panel").screenshot(path=str(SCREENSHOTS / "filters-map-one-site.png"))


def test_a_long_country_list_narrows_as_one_types_and_keeps_ticked_countries(page):
    page.goto("/locations/?country=SY")
    box = page.get_by_label("Find in country")
    options = page.locator("#id_country > div")
    assert options.count() == 249
    box.fill("ira")
    visible = page.locator("#id_country > div:not([hidden])").all_inner_texts()
    assert {v.strip() for v in visible} == {"Iran", "Iraq", "Syria"}  # Syria: ticked
    assert page.locator(".choice-status").inner_text() == "3 of 249 shown"
    box.press("Enter")  # narrows, does not submit
    assert query(page) == {"country": ["SY"]}
    page.check("#id_country input[value=IQ]")
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(r"country=IQ"))
    assert sorted(query(page)["country"]) == ["IQ", "SY"]


def test_a_group_is_suggested_by_another_spelling_and_filters_by_its_slug(page):
    page.goto("/incidents/")
    field = page.locator("#id_group")
    field.press_sequentially("hizballah", delay=30)
    options = page.locator(f"datalist#{field.get_attribute('list')} option")
    options.first.wait_for(state="attached")
    assert KH in [options.nth(i).get_attribute("value") for i in range(options.count())]
    field.fill(KH)
    page.get_by_role("button", name="Apply").click()
    page.wait_for_url(re.compile(rf"group={KH}"))
    assert page.locator(".chips").inner_text().count("Kata'ib Hezbollah") == 1


@pytest.mark.parametrize("width", [1280, 390])
def test_screenshots_of_the_filter_form(browser, live_url, width):
    context = browser.new_context(viewport={"width": width, "height": 900}, base_url=live_url)
    page = context.new_page()
    page.goto("/incidents/?country=IQ&date_from=2023-12-01&date_to=2023-12-31&date_match=start")
    page.wait_for_selector("section.visuals[data-ready]", state="attached")
    form = page.locator("form.filters")
    if form.is_visible():
        form.screenshot(path=str(SCREENSHOTS / f"filters-form-{width}.png"))
    screenshot(page, f"filters-incident-list-{width}-dates")
    context.close()
