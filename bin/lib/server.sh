# shellcheck shell=bash
# The background server that `bin/ember quickstart` starts (sourced, not run). Its pid file and log
# live in the data dir: $EMBER_DATA_DIR/server.pid, $EMBER_DATA_DIR/server.log.

EMBER_PORT="${EMBER_PORT:-8080}"
SERVER_PID_FILE="$EMBER_DATA_DIR/server.pid"
SERVER_LOG="$EMBER_DATA_DIR/server.log"

# server_healthy: GET /ember/v1/health answers 200 with status ok (bash's /dev/tcp: no curl needed).
server_healthy() {
  (
    exec 3<>"/dev/tcp/127.0.0.1/$EMBER_PORT" || exit 1
    printf 'GET /ember/v1/health HTTP/1.0\r\nHost: 127.0.0.1:%s\r\nConnection: close\r\n\r\n' "$EMBER_PORT" >&3
    response="$(timeout 5 cat <&3)"
    [[ "$response" == HTTP/1.[01]\ 200* && "$response" =~ \"status\"[[:space:]]*:[[:space:]]*\"ok\" ]]
  ) 2>/dev/null
}

server_pid() {  # the pid from our pid file, if that process is still a java running ember.jar
  local pid
  [[ -f "$SERVER_PID_FILE" ]] || return 1
  pid="$(cat "$SERVER_PID_FILE")"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null &&
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q 'ember.jar server' && echo "$pid"
}

wait_healthy() {  # wait_healthy PID SECONDS
  local pid="$1" deadline=$((SECONDS + $2))
  while ((SECONDS < deadline)); do
    server_healthy && return 0
    kill -0 "$pid" 2>/dev/null || return 1
    sleep 0.5
  done
  return 1
}

# ensure_server: reuses a healthy server on the port, else starts one in the background.
ensure_server() {
  local pid
  if pid="$(server_pid)"; then
    if wait_healthy "$pid" 60; then
      say "reusing the Ember server already running (pid $pid, http://127.0.0.1:$EMBER_PORT)"
      return 0
    fi
    fail "the Ember server (pid $pid) does not answer on port $EMBER_PORT; see $SERVER_LOG or stop it: kill $pid"
  fi
  if server_healthy; then
    say "an Ember server already answers on http://127.0.0.1:$EMBER_PORT: using it"
    return 0
  fi
  mkdir -p "$EMBER_DATA_DIR"
  say "starting the Ember server on port $EMBER_PORT (log: $SERVER_LOG)"
  umask 077 # the server's files are its own (docs/jail.md, "Files")
  setsid "$JAVA_HOME/bin/java" -jar "$EMBER_JAR" server --port "$EMBER_PORT" --endpoint-port "$EMBER_ENDPOINT_PORT" \
    --data-dir "$EMBER_DATA_DIR" --assets-dir "$EMBER_ASSETS_DIR" >>"$SERVER_LOG" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$SERVER_PID_FILE"
  if ! wait_healthy "$pid" 90; then
    tail -n 30 "$SERVER_LOG" >&2
    kill -0 "$pid" 2>/dev/null && kill "$pid"
    rm -f "$SERVER_PID_FILE"
    fail "the Ember server did not become healthy on port $EMBER_PORT (log above, full log: $SERVER_LOG)"
  fi
  say "server running: pid $pid, http://127.0.0.1:$EMBER_PORT"
}

stop_server() {
  local pid
  if ! pid="$(server_pid)"; then
    say "no Ember server started by bin/ember is running"
    rm -f "$SERVER_PID_FILE"
    return 0
  fi
  # The server leaves microVMs running across its own restarts (it adopts them at start); stopping it for good
  # through this verb ends them first, so no guest outlives the service that owns it. Every tenant's, not only the
  # admin's (the admin's key lists only its own): the server does it (POST /ember/v1/shutdown, admin only), and
  # refuses new work from then on, so nothing is launched between that call and the signal.
  local out
  if ! out="$("$JAVA_HOME/bin/java" -jar "$EMBER_JAR" --endpoint-url "http://127.0.0.1:$EMBER_PORT" shutdown)"; then
    fail "the server (pid $pid) did not terminate its microVMs (above), so it is left running; once they are dealt with: kill $pid"
  fi
  say "$(printf '%s' "$out" | python3 -c '
import json, sys
r = json.load(sys.stdin)
print("terminated %d microVMs of every tenant%s" % (len(r["terminatedMicrovmIds"]),
      "; could not terminate: " + " ".join(r["failedMicrovmIds"]) if r["failedMicrovmIds"] else ""))' || true)"
  kill "$pid"
  for _ in $(seq 1 60); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  kill -0 "$pid" 2>/dev/null && fail "server pid $pid is still running 30 s after SIGTERM"
  rm -f "$SERVER_PID_FILE"
  say "stopped the Ember server (pid $pid)"
}
