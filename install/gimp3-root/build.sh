#!/usr/bin/env bash
# Build (or refresh) a Debian minbase root with GIMP 3 from Debian packages.
#
# Usage: [GIMP_SERIES=3.0|3.2] [GIMP3_ROOT=DIR] [DEBIAN_MIRROR=URI] [FORCE=1] bash install/gimp3-root/build.sh
#
# GIMP_SERIES picks the release: 3.0 (default) from Debian 13 "trixie", 3.2 from Debian "sid".
# Each root is a machine-wide cache in its own folder (default
# /var/tmp/halloween-mask-gimp-<series>-root); a second run with the same (or a shorter) package
# list returns at once. Needs root, debootstrap (installed via apt-get when missing), unshare and network
# access to a Debian mirror.
set -euo pipefail

SERIES="${GIMP_SERIES:-3.0}"
case "$SERIES" in
    3.0) SUITE=trixie ;;
    # Debian 12's debootstrap has no forky script; sid's Release file may be past Valid-Until.
    3.2) SUITE=sid ;;
    *) printf '[gimp3-root] ERROR: GIMP_SERIES must be 3.0 or 3.2, not %s\n' "$SERIES" >&2; exit 2 ;;
esac
ROOT="${GIMP3_ROOT:-/var/tmp/halloween-mask-gimp-$SERIES-root}"
APT_OPTS=""
[[ "$SUITE" == sid ]] && APT_OPTS="-o Acquire::Check-Valid-Until=false"
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
# Not python3-requests / python3-pil: the plug-in must run on its bundled dependencies only.
PACKAGES="gimp python3 python3-gi gir1.2-gimp-3.0 gir1.2-gegl-0.4 gir1.2-babl-0.1 xvfb xauth x11-apps imagemagick xdotool dbus-daemon fonts-dejavu-core locales-all fonts-droid-fallback"
STAMP="$ROOT/.gimp3-ready"
STAMP_TEXT="$SUITE: $PACKAGES"
BOOTSTRAPPED="$ROOT/.debootstrap-done"
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# Up to date: built from this suite with at least these packages (a branch that adds packages
# does not make the others rebuild after it).
ready() {
    [[ -f "$STAMP" && "${FORCE:-}" != 1 ]] || return 1
    local built pkg
    built="$(cat "$STAMP")"
    [[ "${built%%:*}" == "$SUITE" ]] || return 1
    for pkg in $PACKAGES; do
        [[ " ${built#*: } " == *" $pkg "* ]] || return 1
    done
}

log() { printf '[gimp3-root %s] %s\n' "$SERIES" "$*" >&2; }
die() { printf '[gimp3-root] ERROR: %s\n' "$*" >&2; exit 1; }

if ready; then
    log "up to date: $ROOT"
    exit 0
fi

[[ "$(id -u)" == 0 ]] || die "must run as root (debootstrap, chroot and unshare need it)"
command -v unshare >/dev/null || die "unshare not found (util-linux)"
command -v chroot >/dev/null || die "chroot not found (coreutils)"
command -v flock >/dev/null || die "flock not found (util-linux)"
[[ "$ROOT" == /* && "$ROOT" != / ]] || die "GIMP3_ROOT must be an absolute path other than /: $ROOT"

host_mirror() {
    local src=/etc/apt/sources.list.d/debian.sources uri=""
    if [[ -f "$src" ]]; then
        uri="$(awk '/^URIs:/ {print $2; exit}' "$src")"
    fi
    if [[ -z "$uri" && -f /etc/apt/sources.list ]]; then
        uri="$(awk '$1 == "deb" && $2 !~ /^\[/ {print $2; exit}' /etc/apt/sources.list)"
    fi
    printf '%s\n' "${uri:-http://deb.debian.org/debian}"
}
MIRROR="${DEBIAN_MIRROR:-$(host_mirror)}"

has_mounts_under() {
    awk -v r="$1/" 'index($2 "/", r) == 1 {found=1} END {exit !found}' /proc/mounts
}

looks_like_our_root() {
    [[ -z "$(ls -A "$1")" || -d "$1/debootstrap" || -f "$1/etc/debian_version" ]]
}

remove_half_built_root() {
    has_mounts_under "$ROOT" && die "refusing to delete $ROOT: something is mounted under it"
    looks_like_our_root "$ROOT" || die "refusing to delete $ROOT: it does not look like a debootstrap root"
    log "removing half-built root $ROOT"
    rm -rf --one-file-system "$ROOT"
}

in_root() { GIMP3_ROOT="$ROOT" "$HERE/run.sh" "$@"; }

# One build at a time per root (CI's set-up step and the test fixture may both call this).
mkdir -p "$(dirname "$ROOT")"
exec 9>"$ROOT.lock"
flock 9
if ready; then
    log "up to date: $ROOT (built by a concurrent run)"
    exit 0
fi

start=$SECONDS
if [[ -d "$ROOT" && ! -f "$BOOTSTRAPPED" ]]; then
    remove_half_built_root
fi

if [[ ! -f "$BOOTSTRAPPED" ]]; then
    if ! command -v debootstrap >/dev/null; then
        log "installing debootstrap on the host"
        apt-get update -qq
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
    fi
    [[ -f "$KEYRING" ]] || die "missing $KEYRING (package debian-archive-keyring)"
    log "debootstrap $SUITE minbase into $ROOT from $MIRROR (about 30 s)"
    mkdir -p "$(dirname "$ROOT")"
    debootstrap --variant=minbase --keyring="$KEYRING" "$SUITE" "$ROOT" "$MIRROR" \
        >"$(dirname "$ROOT")/$(basename "$ROOT").debootstrap.log" 2>&1 \
        || { tail -n 30 "$(dirname "$ROOT")/$(basename "$ROOT").debootstrap.log" >&2; die "debootstrap failed"; }
    touch "$BOOTSTRAPPED"
fi

log "preparing apt in the root"
printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
chmod +x "$ROOT/usr/sbin/policy-rc.d"
rm -f "$ROOT/etc/resolv.conf"
cp -L /etc/resolv.conf "$ROOT/etc/resolv.conf"
printf 'deb %s %s main\n' "$MIRROR" "$SUITE" >"$ROOT/etc/apt/sources.list"
rm -f "$STAMP"

log "installing GIMP 3 and test tools in the root (about 30 s)"
# shellcheck disable=SC2086  # the package list is meant to split into words
in_root /bin/sh -c "export DEBIAN_FRONTEND=noninteractive; dpkg --configure -a && apt-get update -qq $APT_OPTS && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $PACKAGES >/dev/null && apt-get clean" \
    || die "package install in the root failed"

version="$(in_root "gimp-console-$SERIES" --version 2>/dev/null | head -n 1)" || die "gimp-console-$SERIES does not run in the root"
[[ "$version" == *" $SERIES."* ]] || die "unexpected GIMP version: $version"
printf '%s' "$STAMP_TEXT" >"$STAMP"
log "ready in $((SECONDS - start)) s: $version at $ROOT"
