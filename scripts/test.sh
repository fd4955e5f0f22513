#!/usr/bin/env bash
# `npm test`: install everything, then run every test (see scripts/run-tests.mjs).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/bootstrap.sh
exec node scripts/run-tests.mjs "$@"
