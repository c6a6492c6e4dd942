#!/bin/sh
# Make tests/data/releases/<tag>/ from a release's own code. Usage, from the repo root:
#   sh tests/data/releases/make_fixture.sh v0.1.0
# Needs the repo's .venv (the release's dependencies; its own hub_api is put first on the
# path, and the venv's editable install of the current code is left out) and PostgreSQL on
# 127.0.0.1:5432 (trust auth).
set -eu
TAG=$1
REPO=$(pwd)
OUT=$REPO/tests/data/releases/$TAG
WORK=$(mktemp -d)
SAMPLES=${SAMPLES:-$REPO/../shared/data/stackexchange}  # the Stack Exchange samples
git worktree add --detach "$WORK/src" "$TAG"
python3 -m venv "$WORK/venv"
# The current venv's packages, without running its .pth files (the editable install).
"$REPO/.venv/bin/python" -c 'import site; print(site.getsitepackages()[0])' \
  > "$WORK/venv/lib/python3.11/site-packages/deps.pth"
run() { (cd "$WORK" && PYTHONPATH="$WORK/src" "$WORK/venv/bin/python" -P "$@"); }
candor() { run -c 'import sys; from hub_api.cli import main; sys.argv[0] = "candor"; main()' "$@"; }
fill() {
  export CANDOR_INSTANCE=$WORK/$1 CANDOR_CONTENT=$WORK/src/content CANDOR_SITE=$WORK/$1-site
  candor init
  candor demo
  candor staff token alex@northwind.example --name "CRM sync" | tail -n 1 > "$OUT/api-token.$1"
  candor webhooks add https://crm.example.com/hook --events question.asked,answer.posted
  candor search synonyms add PCB "printed circuit board"
  candor topic add Logistics --target-hours 8
  candor import stackexchange "$SAMPLES/coffee-Posts.xml" --limit 5
  run "$REPO/tests/data/releases/make_data.py"
}
mkdir -p "$OUT"
(unset CANDOR_DATABASE_URL; fill sqlite)
"$REPO/.venv/bin/python" - "$WORK/sqlite/candor.db" "$OUT/candor.sqlite.sql" <<'PY'
import sqlite3, sys
conn = sqlite3.connect(sys.argv[1])
conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
with open(sys.argv[2], "w") as out:
    out.writelines(line + "\n" for line in conn.iterdump())
PY
DB=candor_fixture_$$
psql -h 127.0.0.1 -U postgres -d postgres -qc "CREATE DATABASE $DB"
(export CANDOR_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/$DB; fill pg)
pg_dump -h 127.0.0.1 -U postgres --format=plain --no-owner --no-privileges "$DB" > "$OUT/candor.pg.sql"
psql -h 127.0.0.1 -U postgres -d postgres -qc "DROP DATABASE $DB"
git worktree remove --force "$WORK/src"
rm -rf "$WORK"
