# shellcheck shell=bash
# Shared by scripts/cluster and scripts/broker. Source it; it defines functions and REPO only.
# Every process is addressed by the PID in its node's PID file, never looked up by name.

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
NODE_MAIN="dev.quorum.node.BrokerNode"
CLI_MAIN="dev.quorum.cli.BrokerCli"
HOST="127.0.0.1"

log() { printf '%s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# Builds the project when one of the given jars is missing or QUORUM_REBUILD=1; QUORUM_SKIP_BUILD=1 never builds.
# -DskipITs too: failsafe 3.6 no longer honours -DskipTests, and the chaos ITs themselves run these scripts.
build_if_needed() {
  [[ "${QUORUM_SKIP_BUILD:-0}" == 1 ]] && return 0
  local jar missing="${QUORUM_REBUILD:-0}"
  for jar in "$@"; do
    [[ -f "$jar" ]] || missing=1
  done
  if [[ "$missing" == 1 ]]; then
    log "building (./mvnw -q -B install -DskipTests -DskipITs) ..."
    (cd "$REPO" && ./mvnw -q -B install -DskipTests -DskipITs) >&2 || die "build failed"
  fi
  for jar in "$@"; do
    require_jar "$jar"
  done
}

require_jar() {
  [[ -f "$1" ]] || die "$1 is missing: build with ./mvnw -B install -DskipTests (or unset QUORUM_SKIP_BUILD)"
}

java_bin() {
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]]; then
    printf '%s\n' "$JAVA_HOME/bin/java"
  else
    command -v java || die "java not found: install a JDK 17+ or set JAVA_HOME"
  fi
}

# Runs the CLI with the given arguments (exec: replaces the calling shell).
exec_cli() {
  require_jar "$REPO/cli/target/cli.jar"
  # Short-lived process: a quick JIT and the serial GC start fastest.
  # shellcheck disable=SC2086
  exec "$(java_bin)" ${QUORUM_CLI_JAVA_OPTS:--XX:TieredStopAtLevel=1 -XX:+UseSerialGC} \
    -cp "$REPO/cli/target/cli.jar:$REPO/cli/target/lib/*" "$CLI_MAIN" "$@"
}

# Runs the CLI in a child process (for the cluster script's health checks).
run_cli() {
  (exec_cli "$@")
}

# True when PID is a live (not zombie) process running the node main class.
# Guards against a PID file whose process died and whose PID was reused.
is_node_process() {
  local pid="$1"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  local state
  state="$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" || return 1
  [[ "$state" != Z && "$state" != X ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -F "$NODE_MAIN" >/dev/null
}

# True while the process exists and is not a zombie, whatever it runs (a node being launched runs
# setsid for a moment before it becomes the JVM).
is_alive() {
  local pid="$1" state
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  state="$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" || return 1
  [[ -n "$state" && "$state" != Z && "$state" != X ]]
}

# "T" when stopped by SIGSTOP, otherwise the /proc state letter.
process_state() {
  awk '{print $3}' "/proc/$1/stat" 2>/dev/null || true
}

new_uuid() {
  if [[ -r /proc/sys/kernel/random/uuid ]]; then
    cat /proc/sys/kernel/random/uuid
  else
    od -An -N16 -tx1 /dev/urandom | tr -d ' \n' | sed -E 's/(.{8})(.{4})(.{4})(.{4})(.{12})/\1-\2-\3-\4-\5/'
    echo
  fi
}

# True when something accepts connections on 127.0.0.1:PORT.
port_in_use() {
  (exec 3<>"/dev/tcp/$HOST/$1") 2>/dev/null
}
