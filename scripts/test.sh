#!/usr/bin/env bash
# The whole test suite against real PostgreSQL and Kafka: starts what is not running, type-checks, lints, then
# runs every vitest project (unit, int, e2e). Kafka is left running for the next run (`pnpm kafka:stop` stops it);
# .ci/run stops what it started. Arguments go to vitest and skip the static checks
# (e.g. `pnpm test --project int packages/event-store`).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash infra/postgres/ensure.sh
bash infra/kafka/kafka.sh start
export DATABASE_URL="${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/onestop_test}"
export KAFKA_BROKERS="${KAFKA_BROKERS:-127.0.0.1:9092}"
if [[ $# -eq 0 ]]; then
  echo '[test] typecheck' >&2
  pnpm exec tsc -b
  echo '[test] lint' >&2
  pnpm exec biome check .
fi
exec pnpm exec vitest run "$@"
