#!/usr/bin/env bash
# `npm start`: install everything, build, and start the reference server on an
# embedded SQLite file (./data/lawful.db) with a demo tenant. DATABASE_URL=postgres://…
# switches to PostgreSQL (then LAWFUL_MASTER_KEY is required).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/bootstrap.sh
pnpm --filter "./packages/*" --filter @lawful/reference-server run build >&2
export DATABASE_URL="${DATABASE_URL:-sqlite:./data/lawful.db}"
exec node examples/reference-server/dist/cli.js serve --demo
