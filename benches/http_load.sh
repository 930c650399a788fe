#!/usr/bin/env bash
# HTTP load benchmark of `youhui serve`: `quote` on the 双11 file with oha (a real HTTP load
# generator) over keep-alive connections, beside the `youhui ask` process on the same
# request. Not run by CI (it takes about a minute plus oha's first build).
#
#   benches/http_load.sh [seconds=10] [connections=16]
#
# oha is installed into target/tools on first use (`cargo install oha`).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_RUN=${1:-10}
CONNECTIONS=${2:-16}
TOOLS=target/tools
OHA=$TOOLS/bin/oha
if ! [ -x "$OHA" ]; then
  echo "installing oha into $TOOLS (once)..." >&2
  cargo install --quiet --locked --root "$TOOLS" oha
fi
cargo build --quiet --release --features serve --bin youhui
YOUHUI=target/release/youhui
RULES=examples/double11.promo
WORK=$(mktemp -d)
SERVER=""
trap 'kill $SERVER 2>/dev/null || true; rm -rf "$WORK"' EXIT

# The README's cart (its Python example): one pair of shoes during the sale, 499.00.
cat > "$WORK/quote.json" <<'JSON'
{"query": "quote", "cart": {"lines": [{"id": "L1", "sku": "SHOE-1", "shop": "nike", "tags": ["双11"], "price": "699.00", "qty": 1}]}, "context": {"now": "2026-11-11T10:00:00+08:00"}}
JSON

$YOUHUI serve "$RULES" --addr 127.0.0.1:0 > "$WORK/addr" 2> "$WORK/log" &
SERVER=$!
for _ in $(seq 100); do
  grep -q listening "$WORK/addr" 2>/dev/null && break
  sleep 0.05
done
ADDR=$(sed -n 's/^listening on //p' "$WORK/addr")
curl -sf "http://$ADDR/v1/ask" -H 'content-type: application/json' -d @"$WORK/quote.json" \
  | grep -q '"payable":"499.00"' || { echo "wrong answer from the server" >&2; exit 1; }

echo "== youhui serve: POST /v1/ask quote, $CONNECTIONS keep-alive connections, ${SECONDS_RUN}s"
"$OHA" --no-tui -z "${SECONDS_RUN}s" -c "$CONNECTIONS" -m POST \
  -H 'content-type: application/json' -D "$WORK/quote.json" \
  --output-format json "http://$ADDR/v1/ask" > "$WORK/oha.json"
python3 - "$WORK/oha.json" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
s, p = r["summary"], r["latencyPercentiles"]
codes = r.get("statusCodeDistribution", {})
print(f"requests/s {s['requestsPerSec']:.0f}  p50 {p['p50']*1e3:.2f} ms  "
      f"p99 {p['p99']*1e3:.2f} ms  success {s['successRate']*100:.1f}%  status {codes}")
EOF

echo "== youhui ask: the same request, 200,000 lines through one process"
python3 - "$WORK/quote.json" > "$WORK/lines.jsonl" <<'EOF'
import sys
line = open(sys.argv[1]).read().strip()
sys.stdout.write((line + "\n") * 200_000)
EOF
START=$(date +%s.%N)
$YOUHUI ask "$RULES" < "$WORK/lines.jsonl" > /dev/null
END=$(date +%s.%N)
python3 -c "import sys; t=float(sys.argv[2])-float(sys.argv[1]); print(f'requests/s {200000/t:.0f}  ({t:.2f} s, one process, one core)')" "$START" "$END"
