#!/usr/bin/env sh
# The project's test command (README: `npm test`): lint + format check, typecheck, unit and
# integration tests that need no cluster. Lab-backed tests run with `npm run test:lab`.
set -eu
cd "$(dirname "$0")/.."
echo "== node $(node --version)"
echo "== lint (biome)"
npx biome check .
echo "== typecheck (tsc)"
npx tsc -p tsconfig.json
echo "== tests (mocha)"
npx mocha "$@"
