#!/usr/bin/env bash
# Installs what casty's tests and demo need: npm packages and the Debian tools the tests use.
#   openssl                                TLS test certificates
#   postgresql                             PostgresJournal tests (a throwaway cluster is started per
#                                          run unless CASTY_PG_URL points at a server of your own)
#   python3-protobuf, python3-grpc-tools   a Python script reads a SqliteJournal with stubs from proto/
#   python3-grpcio                         examples/python-client calls the gateway (test/gateway)
#   chromium                               the live cluster page is checked in headless Chromium
#   iproute2, iptables                     chaos tests put nodes in network namespaces and cut links
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || missing+=(postgresql)
/usr/bin/python3 -c "import google.protobuf" >/dev/null 2>&1 || missing+=(python3-protobuf)
/usr/bin/python3 -c "import grpc_tools.protoc" >/dev/null 2>&1 || missing+=(python3-grpc-tools)
/usr/bin/python3 -c "import grpc" >/dev/null 2>&1 || missing+=(python3-grpcio)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v ip >/dev/null 2>&1 || missing+=(iproute2)
command -v iptables >/dev/null 2>&1 || missing+=(iptables)
if [ ${#missing[@]} -gt 0 ] && command -v apt-get >/dev/null 2>&1; then
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi
npm ci --no-audit --no-fund
