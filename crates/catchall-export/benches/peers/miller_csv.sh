#!/bin/sh
# Peer: Miller converts the JSON Lines job to CSV (it flattens nested fields
# itself). Records have 1-5 citations, so the flattened key set changes from
# record to record; --ocsv then starts a new header block (Miller 6 "unset"
# keys are not filled), which is Miller's normal CSV output for such data.
set -e
exec mlr --ijsonl --ocsv cat "$1" > "$2"
