#!/usr/bin/env bash
# A real single-node Kafka (KRaft) without Docker: jars from Maven Central, run on the local JVM.
#   kafka.sh fetch   download the broker jars once into the cache (idempotent)
#   kafka.sh start   fetch if needed, format storage on first use, start, wait, create topics (idempotent)
#   kafka.sh stop    stop the broker started from this data dir, by PID (idempotent)
#   kafka.sh status  exit 0 when the broker answers on 127.0.0.1:9092
#   kafka.sh kill    SIGKILL the broker (fault tests)
# Env: ONESTOP_KAFKA_DATA (data + pid + log; default <repo>/.data/kafka),
#      ONESTOP_KAFKA_CACHE (jar cache; default ~/.cache/onestop), KAFKA_HEAP_OPTS (default -Xms256m -Xmx768m),
#      ONESTOP_KAFKA_PORT / ONESTOP_KAFKA_CONTROLLER_PORT (default 9092 / 9093; tests run a second broker).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
version="$(sed -n 's:.*<kafka.version>\(.*\)</kafka.version>.*:\1:p' "$here/pom.xml")"
cache="${ONESTOP_KAFKA_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/onestop}/kafka-$version"
libs="$cache/libs"
data="${ONESTOP_KAFKA_DATA:-$repo/.data/kafka}"
pidfile="$data/kafka.pid"
logfile="$data/kafka.log"
host=127.0.0.1
port="${ONESTOP_KAFKA_PORT:-9092}"
controller_port="${ONESTOP_KAFKA_CONTROLLER_PORT:-9093}"
topic=onestop.dossier-events.v1

log() { printf '[kafka] %s\n' "$*" >&2; }

java_cmd() { "${JAVA_HOME:+$JAVA_HOME/bin/}java" "$@"; }

fetch() {
  if [[ -f "$libs/.complete" ]]; then return 0; fi
  log "fetching Apache Kafka $version jars into $libs (first run only)"
  rm -rf "$libs.tmp"
  mvn -q -B -f "$here/pom.xml" dependency:copy-dependencies \
    -DoutputDirectory="$libs.tmp" -DincludeScope=runtime
  rm -rf "$libs" && mv "$libs.tmp" "$libs" && touch "$libs/.complete"
}

answers() { (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null; }

running_pid() {
  [[ -f "$pidfile" ]] || return 1
  local pid; pid="$(cat "$pidfile")"
  kill -0 "$pid" 2>/dev/null || return 1
  # the pid may have been reused by an unrelated process after a reboot
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'kafka.Kafka' || return 1
  echo "$pid"
}

tool() { java_cmd -Xmx256m -cp "$libs/*" -Dlog4j2.configurationFile="$here/log4j2.properties" "$@"; }

create_topics() {
  local bootstrap="$host:$port"
  # retention -1 = infinite; compaction off: the topic is the replayable log of record for projections.
  tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$bootstrap" --create --if-not-exists \
    --topic "$topic" --partitions 12 --replication-factor 1 \
    --config retention.ms=-1 --config retention.bytes=-1 --config cleanup.policy=delete >/dev/null
  tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$bootstrap" --create --if-not-exists \
    --topic "$topic.dlq" --partitions 12 --replication-factor 1 \
    --config retention.ms=-1 --config cleanup.policy=delete >/dev/null
}

start() {
  fetch
  mkdir -p "$data"
  if pid="$(running_pid)"; then
    log "already running (pid $pid) on $host:$port"
    return 0
  fi
  if answers; then
    log "a broker not started from $data already answers on $host:$port; reusing it"
    create_topics
    return 0
  fi
  local cfg="$data/server.properties"
  sed -e "s/:9092/:$port/g" -e "s/:9093/:$controller_port/g" "$here/server.properties" >"$cfg"
  echo "log.dirs=$data/log" >>"$cfg"
  if [[ ! -f "$data/log/meta.properties" ]]; then
    local cluster_id
    cluster_id="$(node -e "process.stdout.write(require('crypto').randomBytes(16).toString('base64url'))")"
    log "formatting storage in $data/log (cluster $cluster_id)"
    tool kafka.tools.StorageTool format -t "$cluster_id" -c "$cfg" >/dev/null
  fi
  log "starting Kafka $version on $host:$port (log: $logfile)"
  local started; started=$(date +%s)
  # setsid: the broker must outlive the shell that started it (tests, CI steps)
  KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx768m}"
  setsid "${JAVA_HOME:+$JAVA_HOME/bin/}java" $KAFKA_HEAP_OPTS -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
    -Djava.awt.headless=true -Dlog4j2.configurationFile="$here/log4j2.properties" \
    -cp "$libs/*" kafka.Kafka "$cfg" >>"$logfile" 2>&1 < /dev/null &
  echo $! >"$pidfile"
  local pid=$!
  for _ in $(seq 1 120); do
    # kill -0, not running_pid: until the background shell has exec'd java its command line is this script's,
    # and a loaded machine showed that window as "the broker exited".
    if ! kill -0 "$pid" 2>/dev/null; then
      log "broker exited during start-up; last lines of $logfile:"; tail -n 30 "$logfile" >&2; return 1
    fi
    if answers; then break; fi
    sleep 0.25
  done
  answers || { log "broker did not answer within 30 s"; tail -n 30 "$logfile" >&2; return 1; }
  create_topics
  log "ready in $(( $(date +%s) - started )) s (pid $(cat "$pidfile"))"
}

stop() {
  local pid
  if ! pid="$(running_pid)"; then rm -f "$pidfile"; log "not running"; return 0; fi
  log "stopping pid $pid"
  kill -TERM "$pid"
  for _ in $(seq 1 120); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  if kill -0 "$pid" 2>/dev/null; then log "still alive after 30 s; SIGKILL"; kill -KILL "$pid"; fi
  rm -f "$pidfile"
}

case "${1:-}" in
  fetch) fetch ;;
  start) start ;;
  stop) stop ;;
  status) answers ;;
  kill) if pid="$(running_pid)"; then kill -KILL "$pid"; while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done; rm -f "$pidfile"; fi ;;
  *) echo "usage: $0 fetch|start|stop|status|kill" >&2; exit 2 ;;
esac
