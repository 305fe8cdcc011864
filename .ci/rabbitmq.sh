#!/usr/bin/env bash
# Make sure a local RabbitMQ is installed and running.
# Prints the AMQP_URL to use on its last line.
set -euo pipefail

if ! command -v rabbitmq-server >/dev/null 2>&1; then
  echo "installing RabbitMQ" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq rabbitmq-server >&2
fi

port_open() {
  (exec 3<>/dev/tcp/127.0.0.1/5672) 2>/dev/null
}

if ! port_open && ! timeout 30 rabbitmqctl -q status >/dev/null 2>&1; then
  echo "starting RabbitMQ" >&2
  rabbitmq-server -detached >&2
fi

# await_startup waits for the node to boot (it fails at once while the node is not up yet).
ready=0
for _ in $(seq 1 60); do
  if timeout 30 rabbitmqctl -q await_startup >/dev/null 2>&1 && port_open; then
    ready=1
    break
  fi
  sleep 1
done
if [ "$ready" != 1 ]; then
  echo "RabbitMQ did not come up on 127.0.0.1:5672" >&2
  exit 1
fi
echo "amqp://guest:guest@127.0.0.1:5672"
