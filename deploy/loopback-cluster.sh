#!/usr/bin/env bash
# A ClickHouse cluster on this machine's loopback, from nothing: SHARDS x REPLICAS clickhouse-server processes
# (Debian's clickhouse-server 18.16) and, when there are replicas, one ZooKeeper (Debian's zookeeper, run from its
# jar). For trying the cluster store, benchmarks and development; a real cluster puts each node on its own machine
# with the same config (see docs/reference.md, "Scaling out").
#
#   deploy/loopback-cluster.sh start DIR [SHARDS] [REPLICAS] [FIRST_PORT]   # default 2 shards x 2 replicas, ports 19000+
#   deploy/loopback-cluster.sh stop DIR
#
# start prints the store URL; every process writes its pid, config and data under DIR.
set -euo pipefail

usage() { echo "usage: $0 start DIR [SHARDS] [REPLICAS] [FIRST_PORT] | stop DIR" >&2; exit 2; }
[ $# -ge 2 ] || usage
command="$1" dir="$2"

stop() {
  for pidfile in "$dir"/*/pid; do
    [ -f "$pidfile" ] || continue
    kill "$(cat "$pidfile")" 2>/dev/null || true
    rm -f "$pidfile"
  done
}

case "$command" in
  stop) stop; exit 0 ;;
  start) ;;
  *) usage ;;
esac

shards="${3:-2}" replicas="${4:-2}" port="${5:-19000}"
[ -x /usr/sbin/clickhouse-server ] || { echo "$0: needs clickhouse-server (apt-get install clickhouse-server)" >&2; exit 1; }
mkdir -p "$dir"
dir="$(cd "$dir" && pwd)"

# Every port is checked before anything starts: another process may hold one.
in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
count=$((shards * replicas))
for p in $(seq "$port" $((port + 3 * count))); do
  if in_use "$p"; then echo "$0: port $p is taken; give another FIRST_PORT" >&2; exit 1; fi
done

zk_port=$((port + 3 * count))
zookeeper=""
if [ "$replicas" -gt 1 ]; then
  [ -f /usr/share/java/zookeeper.jar ] || { echo "$0: replicas need ZooKeeper (apt-get install zookeeper)" >&2; exit 1; }
  mkdir -p "$dir/zookeeper/data"
  cat > "$dir/zookeeper/zoo.cfg" <<EOF
tickTime=2000
dataDir=$dir/zookeeper/data
clientPort=$zk_port
clientPortAddress=127.0.0.1
admin.enableServer=false
EOF
  java -Xmx256m -cp /usr/share/java/zookeeper.jar org.apache.zookeeper.server.ZooKeeperServerMain "$dir/zookeeper/zoo.cfg" \
    > "$dir/zookeeper/out.log" 2>&1 &
  echo $! > "$dir/zookeeper/pid"
  zookeeper="<zookeeper><node><host>127.0.0.1</host><port>$zk_port</port></node><session_timeout_ms>30000</session_timeout_ms></zookeeper>"
fi

# remote_servers: the same on every node. Replicas of a shard replicate their tables themselves (internal_replication).
servers=""
for s in $(seq 1 "$shards"); do
  servers+="<shard><internal_replication>$([ "$replicas" -gt 1 ] && echo true || echo false)</internal_replication>"
  for r in $(seq 1 "$replicas"); do
    i=$(( (s - 1) * replicas + r - 1 ))
    servers+="<replica><host>127.0.0.1</host><port>$((port + 3 * i + 1))</port></replica>"
  done
  servers+="</shard>"
done

nodes=()
for s in $(seq 1 "$shards"); do
  for r in $(seq 1 "$replicas"); do
    i=$(( (s - 1) * replicas + r - 1 ))
    http=$((port + 3 * i)) tcp=$((port + 3 * i + 1)) interserver=$((port + 3 * i + 2))
    node="$dir/node$i"
    mkdir -p "$node/data"
    cat > "$node/config.xml" <<EOF
<?xml version="1.0"?>
<yandex>
  <logger><level>warning</level><log>$node/server.log</log><errorlog>$node/error.log</errorlog><size>10M</size><count>1</count></logger>
  <http_port>$http</http_port>
  <tcp_port>$tcp</tcp_port>
  <interserver_http_port>$interserver</interserver_http_port>
  <interserver_http_host>127.0.0.1</interserver_http_host>
  <listen_host>127.0.0.1</listen_host>
  <path>$node/data/</path>
  <tmp_path>$node/tmp/</tmp_path>
  <user_files_path>$node/user_files/</user_files_path>
  <format_schema_path>$node/format_schemas/</format_schema_path>
  <mark_cache_size>536870912</mark_cache_size>
  <users><default><password></password><networks><ip>127.0.0.1</ip></networks><profile>default</profile><quota>default</quota></default></users>
  <profiles><default></default></profiles>
  <quotas><default></default></quotas>
  <remote_servers><crawl>$servers</crawl></remote_servers>
  $zookeeper
  <macros><shard>$(printf %02d "$s")</shard><replica>node$i</replica></macros>
</yandex>
EOF
    (cd "$node" && exec /usr/sbin/clickhouse-server --config-file="$node/config.xml" > "$node/out.log" 2>&1) &
    echo $! > "$node/pid"
    nodes+=("127.0.0.1:$http")
  done
done

# Ready when /ping answers "Ok." (bash's /dev/tcp: no curl needed).
answers() {
  local last
  last="$( { exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'GET /ping HTTP/1.0\r\n\r\n' >&3 && tail -n1 <&3; } 2>/dev/null || true)"
  [ "$last" = "Ok." ]
}
for n in "${nodes[@]}"; do
  ready=""
  for _ in $(seq 1 300); do
    if answers "${n#*:}"; then ready=1; break; fi
    sleep 0.2
  done
  [ -n "$ready" ] || { echo "$0: $n did not answer within 60 s (see its error.log under $dir)" >&2; exit 1; }
done
echo "clickhouse://$(IFS=,; echo "${nodes[*]}")/crawl?cluster=crawl"
