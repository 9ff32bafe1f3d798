#!/usr/bin/env bash
# Publishes a finished suite's results under leaderboards/: the leaderboard CSV (leaderboards/NAME.csv),
# and in leaderboards/NAME/ the long-format CSV, the tidy CSVs (runs.csv, phases-long.csv, options-long.csv),
# the HTML report and the run records (so anyone can re-score
# them: `npx clbench leaderboard leaderboards/NAME`). Usage: tools/publish-leaderboard.sh NAME RESULTS_DIR
# With RESULTS_DIR = leaderboards/NAME it re-publishes from the records already there (after a change to the
# metrics or the tables; nothing is retrained).
set -euo pipefail
name=$1
results=$(realpath "$2")
cd "$(dirname "$0")/.."
mkdir -p "leaderboards/$name"
if [ "$results" != "$(realpath "leaderboards/$name")" ]; then
  rm -rf "leaderboards/$name/runs"
  cp -r "$results/runs" "leaderboards/$name/runs"
  rm -rf "leaderboards/$name/runs/stale"
fi
node dist/cli/clbench.js leaderboard "leaderboards/$name" --csv "leaderboards/$name.csv" --long "leaderboards/$name/accuracy-long.csv" --tidy "leaderboards/$name" >/dev/null
node dist/cli/clbench.js report "leaderboards/$name" --out "leaderboards/$name/report.html" >/dev/null
node dist/cli/clbench.js leaderboard "leaderboards/$name" --format md > "leaderboards/$name/leaderboard.md"
echo "published leaderboards/$name.csv and leaderboards/$name/"
