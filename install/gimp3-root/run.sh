#!/usr/bin/env bash
# Run a command inside the GIMP 3 root, in a private mount + PID namespace.
#
# Usage: [GIMP_SERIES=3.0|3.2] [GIMP3_ROOT=DIR] install/gimp3-root/run.sh [NAME=VALUE ...] CMD [ARGS ...]
#
# /proc, /dev and /sys are mounted inside the namespace only, so nothing stays mounted on
# the host; every process started inside dies with CMD. Leading NAME=VALUE words are set in
# CMD's environment. The network is the host's, so servers
# on the host's 127.0.0.1 are reachable.
set -euo pipefail

ROOT="${GIMP3_ROOT:-/var/tmp/halloween-mask-gimp-${GIMP_SERIES:-3.0}-root}"
[[ -x "$ROOT/bin/sh" ]] || { echo "[gimp3-root] no root at $ROOT: run install/gimp3-root/build.sh" >&2; exit 2; }

# With GIMP3_RUN_KEEP_ENV=1 the caller's environment is kept as is (the caller makes it clean;
# values such as API keys then never appear on a command line). Otherwise CMD starts from a
# small clean environment.
clean=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 TERM=dumb)
envs=()
if [[ "${GIMP3_RUN_KEEP_ENV:-}" != 1 ]]; then
    envs=(-i "${clean[@]}")
fi
unset GIMP3_ROOT GIMP3_RUN_KEEP_ENV GIMP_SERIES
while [[ $# -gt 0 && "$1" =~ ^[A-Za-z_][A-Za-z0-9_]*= ]]; do
    envs+=("$1")
    shift
done
[[ $# -gt 0 ]] || { echo "usage: $0 [NAME=VALUE ...] CMD [ARGS ...]" >&2; exit 2; }

# shellcheck disable=SC2016  # expanded by the inner shell
exec unshare --mount --propagation private --pid --fork --kill-child -- /bin/sh -c '
    R=$1; shift
    mount -t proc proc "$R/proc" && mount --rbind /dev "$R/dev" && mount --rbind /sys "$R/sys" || exit 125
    exec chroot "$R" /usr/bin/env "$@"' in_root "$ROOT" "${envs[@]}" "$@"
