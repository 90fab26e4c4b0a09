#!/usr/bin/env bash
# Installs what casty's tests and demo need: npm packages and the Debian tools the tests use.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v openssl >/dev/null 2>&1; then
  if command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssl >/dev/null
  fi
fi
npm ci --no-audit --no-fund
