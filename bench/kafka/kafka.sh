# shellcheck shell=bash
# A 3-broker Kafka (KRaft, combined broker+controller) cluster on 127.0.0.1 for scripts/bench, set up
# the way the team measured Kafka in shared/peers/kafka: Kafka 4.2 jars from Maven Central (fetched
# by Maven into KAFKA_LIBS, never committed), -Xms1g -Xmx1g and the stock kafka-run-class.sh GC flags,
# RF=3, min.insync.replicas=2, broker defaults otherwise (no fsync on the write path).
# Source it; it defines functions only. Processes are addressed by the PIDs this file recorded.

KAFKA_HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
KAFKA_LIBS="${KAFKA_LIBS:-/tmp/bench-kafka-libs}"
KAFKA_HEAP="${KAFKA_HEAP:--Xms1g -Xmx1g}"
KAFKA_JVM_PERF="-server -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 -XX:+ExplicitGCInvokesConcurrent -XX:MaxInlineLevel=15 -Djava.awt.headless=true"

kafka_fetch() { # into $KAFKA_LIBS, once
  if [[ ! -f $KAFKA_LIBS/kafka_2.13-4.2.0.jar ]]; then
    log "fetching Kafka 4.2.0 jars from Maven Central into $KAFKA_LIBS"
    rm -rf "$KAFKA_LIBS"
    "$REPO/mvnw" -q -B -f "$KAFKA_HERE/pom.xml" dependency:copy-dependencies \
      -DoutputDirectory="$KAFKA_LIBS" -DincludeScope=runtime >&2 || die "fetching Kafka failed"
  fi
}

kafka_tool() { # main-class args...
  # shellcheck disable=SC2086
  java -Xmx256m -XX:TieredStopAtLevel=1 -Dlog4j2.configurationFile="$KAFKA_HERE/log4j2.properties" \
    -Dkafka.root.level=WARN -cp "$KAFKA_LIBS/*" "$@"
}

# kafka_start DIR BASE_PORT: broker i listens on BASE+i*100+92 (clients) and +93 (controller)
kafka_start() {
  local dir=$1 base=$2 i cid voters="" boot=""
  mkdir -p "$dir"
  for i in 1 2 3; do
    voters+="${voters:+,}$i@127.0.0.1:$((base + i * 100 + 93))"
    boot+="${boot:+,}127.0.0.1:$((base + i * 100 + 92))"
  done
  cid=$(kafka_tool kafka.tools.StorageTool random-uuid | tail -1)
  for i in 1 2 3; do
    mkdir -p "$dir/n$i"
    cat >"$dir/n$i/server.properties" <<CONF
process.roles=broker,controller
node.id=$i
controller.quorum.voters=$voters
listeners=PLAINTEXT://127.0.0.1:$((base + i * 100 + 92)),CONTROLLER://127.0.0.1:$((base + i * 100 + 93))
advertised.listeners=PLAINTEXT://127.0.0.1:$((base + i * 100 + 92))
controller.listener.names=CONTROLLER
inter.broker.listener.name=PLAINTEXT
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
log.dirs=$dir/n$i/data
num.partitions=1
default.replication.factor=3
min.insync.replicas=2
offsets.topic.replication.factor=3
transaction.state.log.replication.factor=3
transaction.state.log.min.isr=2
share.coordinator.state.topic.replication.factor=3
share.coordinator.state.topic.min.isr=2
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=false
log.segment.delete.delay.ms=1000
CONF
    kafka_tool kafka.tools.StorageTool format -t "$cid" -c "$dir/n$i/server.properties" >>"$dir/format.log" 2>&1 \
      || die "kafka storage format failed (see $dir/format.log)"
  done
  echo "$boot" >"$dir/bootstrap"
  for i in 1 2 3; do kafka_launch "$dir" "$i"; done
  kafka_wait_ready "$dir" 3 120 || die "kafka did not come up (see $dir/n*/broker.log)"
}

kafka_launch() { # DIR N
  local dir=$1 i=$2 pid
  # shellcheck disable=SC2086
  setsid java $KAFKA_HEAP $KAFKA_JVM_PERF -Dlog4j2.configurationFile="$KAFKA_HERE/log4j2.properties" \
    -Dkafka.root.level=WARN -cp "$KAFKA_LIBS/*" kafka.Kafka "$dir/n$i/server.properties" \
    </dev/null >>"$dir/n$i/broker.log" 2>&1 &
  pid=$!
  disown "$pid" # stopped by PID below; no job-control notice when a benchmark kills it
  echo "$pid" >"$dir/n$i/broker.pid"
  log "kafka broker $i started: pid $pid"
}

kafka_pid() { # DIR N -> PID if that broker still runs (its command line names its config)
  local f="$1/n$2/broker.pid" pid
  [[ -f $f ]] || return 1
  pid=$(cat "$f")
  [[ -r /proc/$pid/cmdline ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -F "$1/n$2/server.properties" >/dev/null \
    && echo "$pid"
}

kafka_wait_ready() { # DIR COUNT TIMEOUT_S: until COUNT brokers are registered
  local dir=$1 want=$2 deadline=$((SECONDS + $3)) cnt
  while ((SECONDS < deadline)); do
    cnt=$(kafka_tool org.apache.kafka.tools.BrokerApiVersionsCommand --bootstrap-server "$(cat "$dir/bootstrap")" 2>/dev/null \
      | grep -c '^127.0.0.1:' || true)
    ((cnt >= want)) && return 0
    sleep 1
  done
  return 1
}

kafka_restart() { # DIR N: start a broker that was killed, wait until all three are registered
  local dir=$1 i=$2
  kafka_pid "$dir" "$i" >/dev/null && return 0
  kafka_launch "$dir" "$i"
  kafka_wait_ready "$dir" 3 120 || log "warning: kafka broker $i did not re-register in 120 s"
}

kafka_stop() { # DIR: TERM all brokers at once (a lone survivor cannot finish a controlled shutdown)
  local dir=$1 i pid pids=() deadline
  for i in 1 2 3; do pid=$(kafka_pid "$dir" "$i") && pids+=("$pid"); done
  ((${#pids[@]})) || return 0
  kill "${pids[@]}" 2>/dev/null || true
  deadline=$((SECONDS + 30))
  while ((SECONDS < deadline)); do
    local alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    ((alive)) || break
    sleep 0.5
  done
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null; done
  for i in 1 2 3; do rm -f "$dir/n$i/broker.pid"; done
  log "kafka stopped"
}
