#!/usr/bin/env bash
# Runs amulet compose on the bundled example with the demo vault: `config` through the first
# compose engine found, or a dry run where none is installed. `npm run demo` builds dist/ first.
set -euo pipefail
cd "$(dirname "$0")/../compose-examples"

amulet=(node -- ../bin/amulet.js)
vault_options=(--vault demo.vault --passphrase-file demo-passphrase.txt)

if command -v docker-compose >/dev/null 2>&1 || command -v podman-compose >/dev/null 2>&1 \
  || docker compose version >/dev/null 2>&1 || podman compose version >/dev/null 2>&1; then
  echo "+ amulet compose --vault demo.vault --passphrase-file demo-passphrase.txt --verbose -f openai-service/docker-compose.yml config" >&2
  exec "${amulet[@]}" compose "${vault_options[@]}" --verbose -f openai-service/docker-compose.yml config
fi

echo "No compose engine is installed, so this is a dry run." >&2
echo "+ amulet compose --vault demo.vault --passphrase-file demo-passphrase.txt --dry-run --check -f openai-service/docker-compose.yml up" >&2
exec "${amulet[@]}" compose "${vault_options[@]}" --dry-run --check -f openai-service/docker-compose.yml up
