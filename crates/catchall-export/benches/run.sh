#!/usr/bin/env bash
# Export benchmark driver (issue 6): installs the peers if missing, then runs
# benches/export_bench.rs, which generates a 100,000-record job (~320 MB of
# JSON Lines) and prints a table of wall time, peak RSS and ratios for our
# CSV/XLSX/JSON exports against DuckDB, Miller and Python XlsxWriter.
# Usage: crates/catchall-export/benches/run.sh [--records N] [--rounds R]
#        [--only ours-csv,duckdb] [--levels 1,3,6] [--dir DIR] [--keep]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import duckdb' 2>/dev/null; then
  "$PYTHON" -m pip install --quiet duckdb
fi
if ! "$PYTHON" -c 'import xlsxwriter' 2>/dev/null; then
  "$PYTHON" -m pip install --quiet XlsxWriter
fi
if ! command -v mlr >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq miller >/dev/null
  else
    sudo apt-get update -qq && sudo apt-get install -y -qq miller >/dev/null
  fi
fi
echo "peers: duckdb $("$PYTHON" -c 'import duckdb; print(duckdb.__version__)'), \
XlsxWriter $("$PYTHON" -c 'import xlsxwriter; print(xlsxwriter.__version__)'), $(mlr --version)" >&2
cd "$here/.."
export PYTHON
exec cargo bench -p catchall-export --bench export_bench -- "$@"
