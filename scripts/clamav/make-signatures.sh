#!/usr/bin/env bash
# Rebuild the portal's own ClamAV signature database (deploy/clamav/signatures/): signature downloads are
# impossible in CI, so clamd loads this small database. One body signature (.ndb) of the EICAR test string,
# target type 0 (any file), any offset: EICAR is found inside a PDF, an image or a plain file alike.
set -euo pipefail
cd "$(dirname "$0")/../.."
out=deploy/clamav/signatures/macnss-test.ndb
eicar='X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*'
hex="$(printf '%s' "$eicar" | sigtool --hex-dump)"
printf 'MaCNSS.Test.EICAR:0:*:%s\n' "$hex" > "$out"
echo "wrote $out"
