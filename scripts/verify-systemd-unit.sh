#!/usr/bin/env bash
# Verifies contrib/switchyard.service with systemd-analyze, installing Debian's systemd package
# first when systemd-analyze is missing (needs root and apt). CI (.ci/run) runs it after npm test.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v systemd-analyze >/dev/null; then
  echo "--- installing systemd (for systemd-analyze)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends systemd >/dev/null
fi
npx vitest run --config vitest.system.config.ts
