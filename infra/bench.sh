#!/usr/bin/env bash
# The performance bench: builds the three function binaries as Lambda runs them (release
# profile) and an empty lambda_runtime binary, installs the Python + Powertools peer (pinned,
# infra/bench/peer/requirements.txt), starts DynamoDB Local and the SES emulator
# (infra/services.sh, stopped again at exit), runs every binary under a Lambda runtime-API
# emulator and prints one table (README "Performance"). Not part of ./infra/test.sh.
#
#   ./infra/bench.sh          BENCH_COLD_N=15 BENCH_WARM_N=200 BENCH_REQUEST_ROUNDS=5
#                             BENCH_STORE_WARM_N=200 by default
#
# CARGO_PROFILE_RELEASE_* variables (e.g. CARGO_PROFILE_RELEASE_OPT_LEVEL=z) change the profile
# of every binary it builds. Logs and the table: target/tmp/bench/.
set -euo pipefail

INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(dirname "$INFRA_DIR")"
BENCH_DIR="$INFRA_DIR/bench"
OUT="$REPO_DIR/target/tmp/bench"
VENV="$BENCH_DIR/.venv"
VENV_STAMP="$VENV/.selectpay-installed"
STATE="$OUT/services"
export PYTHONDONTWRITEBYTECODE=1  # no __pycache__ in the work tree

log() { printf 'bench.sh: %s\n' "$*" >&2; }

peer_venv() {
  local want
  want="$(sha256sum "$BENCH_DIR/peer/requirements.txt" | cut -d' ' -f1)"
  if [[ -f "$VENV_STAMP" && "$(cat "$VENV_STAMP")" == "$want" ]]; then
    return 0
  fi
  log "installing the peer's pinned packages into infra/bench/.venv ..."
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps \
    -r "$BENCH_DIR/peer/requirements.txt" >&2
  printf '%s\n' "$want" >"$VENV_STAMP"
}

stop_services() { "$INFRA_DIR/services.sh" stop "$STATE" || true; }

main() {
  mkdir -p "$OUT"
  python3 "$BENCH_DIR/build.py" "$OUT/binaries.json"
  peer_venv
  trap stop_services EXIT
  "$INFRA_DIR/services.sh" start "$STATE" >"$OUT/services.env"
  # shellcheck disable=SC1091
  source "$OUT/services.env"
  python3 "$BENCH_DIR/bench.py" "$OUT/binaries.json" "$VENV/bin/python" "$OUT"
}

main "$@"
