#!/usr/bin/env bash
# Verifies the systemd units and scores their hardening (target: exposure <= 2.0).
set -euo pipefail
cd "$(dirname "$0")/.."
command -v systemd-analyze >/dev/null || { echo "check-systemd: systemd-analyze not found (apt-get install systemd)"; exit 0; }
# verify checks that ExecStart's binary exists: point it at this build when not installed.
if [ ! -x /usr/local/bin/khabar ]; then
    echo "check-systemd: /usr/local/bin/khabar missing; run scripts/install.sh first" >&2
    exit 1
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cp systemd/khabar.service "$tmp/"
cp systemd/khabar-backfill@.service "$tmp/khabar-backfill@example.service"
systemd-analyze verify "$tmp/khabar.service" "$tmp/khabar-backfill@example.service"
echo "check-systemd: verify clean"
status=0
for unit in "$tmp/khabar.service" "$tmp/khabar-backfill@example.service"; do
    exposure=$(systemd-analyze security --offline=true "$unit" 2>/dev/null | sed -n 's/.*Overall exposure level for .*: \([0-9.]*\).*/\1/p')
    echo "check-systemd: $(basename "$unit") exposure $exposure"
    python3 -c "import sys; sys.exit(0 if float('$exposure') <= 2.0 else 1)" || status=1
done
exit $status
