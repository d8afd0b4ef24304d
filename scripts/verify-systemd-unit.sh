#!/usr/bin/env bash
# Verifies contrib/switchyard.service with systemd-analyze, installing Debian's systemd package
# first when systemd-analyze is missing (needs root and apt). Not part of CI: `npm test` runs the
# same verification whenever systemd-analyze is installed.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v systemd-analyze >/dev/null; then
  echo "--- installing systemd (for systemd-analyze)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd >/dev/null
fi
npx vitest run test/integration/package/systemd-unit.test.ts
