#!/bin/sh
# The image's entrypoint: `fyhub "$@"`, after reading the store's URL from a secret file.
#
# FYHUB_DB__URL holds the PostgreSQL password, so compose and systemd hand it over as a file
# (FYHUB_DB__URL_FILE) rather than as an environment value that `docker inspect` would show. The
# variable is removed before fyhub starts: fyhub refuses every FYHUB_* name it does not know.
set -eu
if [ -n "${FYHUB_DB__URL_FILE:-}" ]; then
    FYHUB_DB__URL="$(cat "$FYHUB_DB__URL_FILE")"
    export FYHUB_DB__URL
fi
unset FYHUB_DB__URL_FILE
# The fyhub beside this script when there is one (a VM's /opt/fyhub/venv/bin), else PATH's.
here="$(dirname "$0")"
if [ -x "$here/fyhub" ]; then
    exec "$here/fyhub" "$@"
fi
exec fyhub "$@"
