#!/usr/bin/env bash
# Prepares a fresh machine of this kind (Node 20, Java 17 + Maven, local PostgreSQL) to run onestop:
# pnpm (pinned), the node packages (from the lockfile), and the Kafka broker jars. Idempotent and quick when done.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
log() { printf '[setup] %s\n' "$*" >&2; }

pnpm_version="$(node -p "require('./package.json').packageManager.split('@')[1]")"
if [[ "$(pnpm --version 2>/dev/null || true)" != "$pnpm_version" ]]; then
  log "installing pnpm $pnpm_version"
  npm install -g --no-fund --no-audit "pnpm@$pnpm_version" >/dev/null
fi

# better-sqlite3 compiles against the local Node headers when no prebuilt binary can be fetched;
# Debian's nodejs ships them under /usr/include/node.
if [[ -z "${npm_config_nodedir:-}" && -f /usr/include/node/node.h ]]; then export npm_config_nodedir=/usr; fi

log "installing node packages"
if [[ "${CI:-}" == "true" ]]; then
  pnpm install --frozen-lockfile --reporter=append-only
else
  pnpm install --frozen-lockfile --reporter=silent || pnpm install --reporter=append-only
fi

# The web app's browser tests drive Debian's Chromium through playwright-core (no browser download).
if ! command -v chromium >/dev/null 2>&1; then
  log "installing chromium (for the web app's browser tests)"
  if [[ "$(id -u)" == 0 ]]; then sudo_cmd=(); else sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

if [[ ! -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]]; then
  log "installing fonts-dejavu-core (the Unicode font the PDF reports embed for Vietnamese)"
  if [[ "$(id -u)" == 0 ]]; then sudo_cmd=(); else sudo_cmd=(sudo); fi
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-dejavu-core >/dev/null
fi

bash infra/kafka/kafka.sh fetch
log "done"
