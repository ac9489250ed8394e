#!/usr/bin/env bash
# Installs what the tests need when it is missing, then runs every test of the solution.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$root"

# Debian packages the tests use: the system Public Suffix List (PSL load-order tests); the original
# boilerpipe 1.2.0 and a JDK to run it (our boilerpipe is compared with it); Chromium for the inspector's
# browser tests (driven by Microsoft.Playwright) and chromium-headless-shell, the crawl's renderer; ClickHouse for the cluster store's tests, which start their
# own clusters on 127.0.0.1 (the package's own service is not used); ZooKeeper for the replicated cluster's tests (run
# from its jar, not as the package's service); etcd for the worker leases' tests; Scrapy for `bench scrapy`'s test.
packages=(publicsuffix libboilerpipe-java openjdk-17-jdk-headless chromium chromium-headless-shell clickhouse-server zookeeper etcd-server python3-scrapy)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else sudo="none"; fi
  if [ "$sudo" = none ]; then
    echo "test.sh: missing Debian packages (${missing[*]}) and no root or sudo to install them" >&2
  else
    echo "test.sh: installing ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
fi

# webrecorder's warcio.js checks our WARC/WET files from outside; it lives in tools/ (ignored by git) and is
# installed with the machine's Node.js and npm (this machine class has them; Debian's npm conflicts with them).
if [ ! -f tools/node/node_modules/warcio/dist/cli.js ]; then
  if command -v npm >/dev/null; then
    npm install --prefix tools/node --no-audit --no-fund --silent warcio@2.4.11 >/dev/null
  else
    echo "test.sh: no npm on this machine: the WARC tests cannot run warcio (they fail under CI=true)" >&2
  fi
fi

dotnet restore Crawlscope.slnx -nologo -v q
dotnet build Crawlscope.slnx -c Release -nologo -v q -clp:ErrorsOnly --no-restore
# The tests drive ./crawlscope too; mark its Release build as fresh so it does not rebuild.
touch artifacts/.crawlscope-release-stamp

results="$root/artifacts/test-results"
rm -rf "$results"
set +e
dotnet test Crawlscope.slnx -c Release --no-build -nologo \
  --logger "console;verbosity=normal" --logger "trx;LogFileName=results.trx" --results-directory "$results"
status=$?
set -e

# One closing line that any reader understands, counted from the TRX files.
python3 - "$results" <<'PY' || true
import sys, glob, xml.etree.ElementTree as ET
# Each test's own outcome is counted: the TRX summary counts a skipped test in none of its counters.
passed = failed = skipped = 0
reasons = {}
for f in glob.glob(sys.argv[1] + "/**/*.trx", recursive=True):
    for result in ET.parse(f).getroot().iter("{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}UnitTestResult"):
        outcome = result.get("outcome")
        if outcome == "Passed": passed += 1
        elif outcome == "NotExecuted":
            skipped += 1
            message = result.find(".//{*}Message")
            reason = (message.text or "no reason given").strip() if message is not None else "no reason given"
            reasons[reason] = reasons.get(reason, 0) + 1
        else: failed += 1
for reason, count in sorted(reasons.items()):
    print(f"skipped {count}: {reason}")
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
exit "$status"
