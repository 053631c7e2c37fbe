"""How an export's memory and query count behave as the number of rows grows.

    DEBUG=1 .venv/bin/python manage.py shell -c "from benchmarks.export_scale import main; main()"

Generates N published incidents (each with a claim under a brand and a cited source) in the
current database, streams /incidents/export.csv through the test client chunk by chunk (as a
browser would: the body is never held whole), and reports the SQL queries run and the peak Python
memory allocated while streaming (tracemalloc). Used by tests/test_export_scale.py.
"""

import datetime
import tracemalloc

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from claims.models import Claim, Incident, IncidentCitation, PublicationStatus
from groups.models import Brand
from sources.models import Source


def generate(count: int, prefix: str = "gen") -> None:
    """Add `count` published incidents, each claimed under a brand and citing a source."""
    brand = Brand.objects.get_or_create(slug=f"{prefix}-brand", defaults={"name": "Gen brand"})[0]
    source = Source.objects.get_or_create(
        url=f"https://example.org/{prefix}", defaults={"title": "Generated source"}
    )[0]
    start = datetime.date(2020, 1, 1)
    incidents = Incident.objects.bulk_create(
        [
            Incident(
                code=f"{prefix}-{n:06d}",
                title=f"Generated incident {n} with a longer title, as real titles are",
                date=start + datetime.timedelta(days=n % 1500),
                country=("IQ", "SY", "JO")[n % 3],
                summary="Generated to measure exports. " * 8,
                killed_low=n % 7,
                killed_high=n % 7 + n % 3,
                status=PublicationStatus.PUBLISHED,
            )
            for n in range(count)
        ],
        batch_size=2000,
    )
    if not incidents[0].pk:  # SQLite before RETURNING support: read the keys back
        incidents = list(Incident.objects.filter(code__startswith=f"{prefix}-"))
    Claim.objects.bulk_create([Claim(incident=i, brand=brand) for i in incidents], batch_size=2000)
    IncidentCitation.objects.bulk_create(
        [IncidentCitation(incident=i, source=source) for i in incidents], batch_size=2000
    )
    if connection.vendor == "postgresql":
        # What autovacuum does in production; a test transaction must ask for it.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE claims_incident, claims_claim, claims_incidentcitation")


def measure(url: str = "/incidents/export.csv") -> dict:
    """Stream the export; return its rows, bytes, SQL queries and peak traced memory."""
    client = Client()
    tracemalloc.start()
    tracemalloc.reset_peak()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
        size = lines = 0
        for chunk in response.streaming_content:
            size += len(chunk)
            lines += chunk.count(b"\r\n")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"rows": lines - 1, "bytes": size, "queries": len(queries), "peak_bytes": peak}


def main(sizes=(2_000, 20_000)):
    print(f"{'rows':>8} {'file MB':>8} {'queries':>8} {'peak MiB':>9}")

    for size in sizes:
        generate(size - Incident.objects.filter(code__startswith="gen-").count())
        result = measure()
        print(
            f"{result['rows']:>8} {result['bytes'] / 1e6:>8.1f} {result['queries']:>8} "
            f"{result['peak_bytes'] / 2**20:>9.2f}"
        )
