"""The peer of `review_100k`'s compare: DuckDB's full outer join of two jobs'
records (JSON Lines) on record_id, counting same, changed, new and gone
records (changed: title, enrichment or sources differ). Prints the counts
and the time the query took (reading the JSON included), in ms."""
import sys
import time

import duckdb

a, b = sys.argv[1], sys.argv[2]
con = duckdb.connect()
t = time.perf_counter()
row = con.execute(
    f"""
    SELECT
      count(*) FILTER (WHERE a.record_id IS NOT NULL AND b.record_id IS NOT NULL
        AND a.record_title IS NOT DISTINCT FROM b.record_title
        AND a.enrichment IS NOT DISTINCT FROM b.enrichment
        AND a.citations IS NOT DISTINCT FROM b.citations) AS same,
      count(*) FILTER (WHERE a.record_id IS NOT NULL AND b.record_id IS NOT NULL
        AND (a.record_title IS DISTINCT FROM b.record_title
          OR a.enrichment IS DISTINCT FROM b.enrichment
          OR a.citations IS DISTINCT FROM b.citations)) AS changed,
      count(*) FILTER (WHERE a.record_id IS NULL) AS new,
      count(*) FILTER (WHERE b.record_id IS NULL) AS gone
    FROM read_json('{a}', format = 'newline_delimited') a
    FULL OUTER JOIN read_json('{b}', format = 'newline_delimited') b
      ON a.record_id = b.record_id
    """
).fetchone()
ms = (time.perf_counter() - t) * 1000
print(f"{row[0]} {row[1]} {row[2]} {row[3]} {ms:.1f}")
