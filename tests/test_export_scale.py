"""An export streams: its SQL queries and peak memory do not grow with the number of rows."""

import pytest

from benchmarks.export_scale import generate, measure

pytestmark = pytest.mark.django_db


def test_export_memory_and_queries_do_not_grow_with_the_row_count(settings):
    settings.ALLOWED_HOSTS = ["testserver"]
    seed_rows = measure()["rows"]
    generate(2_000)
    small = measure()
    generate(18_000, prefix="more")
    large = measure()

    assert small["rows"] == seed_rows + 2_000
    assert large["rows"] == seed_rows + 20_000
    assert large["queries"] == small["queries"]
    # Ten times the rows: the file is ten times larger, the memory used to write it is not.
    assert large["bytes"] > 8 * small["bytes"]
    # Rows are read 2,000 at a time and at most about two chunks are alive at once, so the
    # peak is bounded by the chunk size: ten times the rows may not even double it.
    assert large["peak_bytes"] < small["peak_bytes"] * 2, (small, large)
    print(f"\nexport scale: 2,000 rows {small}\nexport scale: 20,000 rows {large}")
