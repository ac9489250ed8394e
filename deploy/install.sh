#!/usr/bin/env bash
# Installs Crawlscope as a systemd service. The service runs a published, self-contained build (no .NET SDK on the
# server, nothing built at start) as an unprivileged user.
#
#   sudo deploy/install.sh                      # then: sudo systemctl enable --now crawlscope
#   deploy/install.sh --prefix /tmp/try         # the same layout under a folder, nothing registered with systemd
#
# Options:
#   --prefix DIR     install under DIR instead of / (the unit names DIR's paths)
#   --user NAME      the user the service runs as (default crawlscope; created as a system user when missing)
#   --from DIR       a folder published elsewhere (dotnet publish src/Crawlscope.Cli -c Release -r linux-x64
#                    --self-contained -o DIR) instead of publishing here, for servers without the SDK
#
# Layout (under the prefix): opt/crawlscope/ the published program; usr/local/bin/crawlscope a link to it;
# etc/crawlscope.toml the configuration (kept when present); etc/crawlscope.env the token (mode 600, kept when
# present); var/lib/crawlscope/ the state (the store), owned by the user, mode 700;
# etc/systemd/system/crawlscope.service the unit.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix="" user="crawlscope" from=""

usage() { echo "usage: deploy/install.sh [--prefix DIR] [--user NAME] [--from PUBLISHED_DIR]" >&2; exit 2; }
while [ $# -gt 0 ]; do
  case "$1" in
    --prefix) [ $# -ge 2 ] || usage; prefix="$(realpath -m "$2")"; shift 2 ;;
    --user) [ $# -ge 2 ] || usage; user="$2"; shift 2 ;;
    --from) [ $# -ge 2 ] || usage; from="$(realpath "$2")"; shift 2 ;;
    -h|--help) sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "install.sh: unknown option '$1'" >&2; usage ;;
  esac
done
[ "$prefix" = "/" ] && prefix=""
if [ "$(id -u)" != 0 ]; then
  echo "install.sh: run it as root (it creates the user and gives it the state directory)" >&2
  exit 1
fi

app="$prefix/opt/crawlscope"
state="$prefix/var/lib/crawlscope"
config="$prefix/etc/crawlscope.toml"
env_file="$prefix/etc/crawlscope.env"
unit="$prefix/etc/systemd/system/crawlscope.service"

# 1. The program, published self-contained: the server needs neither the SDK nor the runtime.
staging="$(mktemp -d)"
trap 'rm -rf "$staging"' EXIT
if [ -z "$from" ]; then
  echo "install.sh: publishing (self-contained, linux-x64) ..." >&2
  dotnet publish "$repo/src/Crawlscope.Cli/Crawlscope.Cli.csproj" -c Release -r linux-x64 --self-contained \
    -o "$staging/app" -nologo -v q -clp:ErrorsOnly >&2
  from="$staging/app"
fi
[ -x "$from/Crawlscope.Cli" ] || { echo "install.sh: $from has no Crawlscope.Cli (not a published folder)" >&2; exit 1; }
mkdir -p "$prefix/opt" "$prefix/usr/local/bin" "$prefix/etc/systemd/system"
rm -rf "$app.new" && cp -r "$from" "$app.new" && chmod -R a+rX,go-w "$app.new"
rm -rf "$app" && mv "$app.new" "$app"
ln -sfn "$app/Crawlscope.Cli" "$prefix/usr/local/bin/crawlscope"

# 2. The user and its state directory: the only place the service writes.
if ! id -u "$user" >/dev/null 2>&1; then
  useradd --system --home-dir "$state" --no-create-home --shell /usr/sbin/nologin "$user"
fi
mkdir -p "$state"
chown "$user:$(id -gn "$user")" "$state"
chmod 700 "$state"

# 3. Configuration (crawls nothing until seeds are set) and the token, readable by root only (systemd reads it).
[ -f "$config" ] || install -m 644 "$repo/deploy/crawlscope.toml" "$config"
if [ ! -f "$env_file" ]; then
  (umask 077 && printf 'CRAWLSCOPE_TOKEN=%s\n' "$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" > "$env_file")
fi
chmod 600 "$env_file"

# 4. The unit, with this layout's paths and user.
sed -e "s#/opt/crawlscope#$app#g" -e "s#/var/lib/crawlscope#$state#g" -e "s#/etc/crawlscope#$prefix/etc/crawlscope#g" \
    -e "s#^User=.*#User=$user#" -e "s#^Group=.*#Group=$(id -gn "$user")#" \
    "$repo/deploy/crawlscope.service" > "$unit"

echo "installed: $app (program), $config, $env_file (token), $state (state), $unit"
if [ -z "$prefix" ] && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  echo "start it: systemctl enable --now crawlscope   (token: $env_file; inspector: http://127.0.0.1:5080/)"
fi
