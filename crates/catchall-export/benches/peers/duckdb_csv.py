"""Peer: DuckDB reads the JSON Lines job and writes CSV (read_json + COPY ... TO)."""
import sys

import duckdb

inp, out = sys.argv[1], sys.argv[2]
con = duckdb.connect()
con.execute(
    f"COPY (SELECT * FROM read_json('{inp}', format='newline_delimited')) "
    f"TO '{out}' (FORMAT csv, HEADER)"
)
