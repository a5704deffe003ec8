#!/usr/bin/env sh
# The project's test command (README: `npm test`): lint + format check, typecheck, unit and
# integration tests that need no cluster. Lab-backed tests (`*.lab.test.ts`) are in the same run and skip
# unless asked for: SCS_KAAS_LAB_KUBECONFIG names the running lab's kubeconfig (under the lab lock), or
# SCS_KAAS_LAB_TESTS=1 (as root, no lab up) for the lab's own teardown test.
set -eu
cd "$(dirname "$0")/.."
echo "== node $(node --version)"
echo "== lint (biome)"
npx biome check .
echo "== typecheck (tsc)"
npx tsc -p tsconfig.json
echo "== tests (mocha)"
npx mocha "$@"
