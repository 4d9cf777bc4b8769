#!/usr/bin/env bash
# Runs every check and test of selectpay: formatting, lints, the SAM template lint, the SAM
# build of the three functions (each built bootstrap started on a runtime-API emulator), then
# all test suites, with DynamoDB Local and the SES v2 emulator started for the AWS adapters'
# tests (pinned, on free ports) and stopped afterwards; Debian's chromium (pinned) for the
# dashboard's browser test.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
./infra/services.sh lint
./infra/services.sh build

./infra/services.sh install
./infra/chromium.sh install
state="$(mktemp -d "${TMPDIR:-/tmp}/selectpay-services.XXXXXX")"
trap './infra/services.sh stop "$state"; rm -rf "$state"' EXIT
eval "$(./infra/services.sh start "$state")"

if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --no-fail-fast
else
  cargo test --workspace --no-fail-fast
fi
