#!/usr/bin/env bash
# Make sure a local Redis is installed and running.
# Prints the REDIS_URL to use on its last line.
set -euo pipefail

if ! command -v redis-server >/dev/null 2>&1; then
  echo "installing Redis" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq redis-server >&2
fi

answers() {
  [ "$(redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null)" = "PONG" ]
}

if ! answers; then
  echo "starting Redis" >&2
  # Nothing written to disk: the tests' keys are throwaway.
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no >&2
fi

ready=0
for _ in $(seq 1 30); do
  if answers; then
    ready=1
    break
  fi
  sleep 1
done
if [ "$ready" != 1 ]; then
  echo "Redis did not come up on 127.0.0.1:6379" >&2
  exit 1
fi
echo "redis://127.0.0.1:6379"
