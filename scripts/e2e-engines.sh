#!/usr/bin/env bash
# Prepare rootful Podman for amulet's end-to-end tests and serve its
# Docker-compatible API on a unix socket, so that docker-compose can run real
# containers on a machine without a Docker engine.
#
# Usage (as root):
#   scripts/e2e-engines.sh [start]   configure, import the image, start or reuse
#                                    the API service; the last stdout line is
#                                    DOCKER_HOST=unix://<socket>
#   scripts/e2e-engines.sh stop      stop the API service that start launched
#   scripts/e2e-engines.sh status    exit 0 if the API service responds to /_ping
#
# Every step is idempotent. Progress messages go to stderr so that callers can
# read the DOCKER_HOST line from stdout alone.
#
# Environment:
#   AMULET_E2E_RUN_DIR  directory for the socket, PID file and service log
#                       (default /run/amulet-e2e)
#   AMULET_E2E_IMAGE    image reference to import (default
#                       localhost/amulet-e2e-busybox:latest)
#   CI=true             install missing Debian packages with apt-get instead of
#                       failing
set -euo pipefail

RUN_DIR=${AMULET_E2E_RUN_DIR:-/run/amulet-e2e}
SOCKET=$RUN_DIR/podman.sock
PID_FILE=$RUN_DIR/podman.pid
LOG_FILE=$RUN_DIR/podman.log
IMAGE=${AMULET_E2E_IMAGE:-localhost/amulet-e2e-busybox:latest}
CONF_DIR=/etc/containers/containers.conf.d
CONF_FILE=$CONF_DIR/50-amulet-e2e.conf
# Podman 4.3 lowers its own RLIMIT_NPROC to 32768 when it starts (seen with
# strace on Debian 12), so a container cannot be given a higher nproc limit.
PODMAN_NPROC_MAX=32768

# Temporary directory of ensure_image, removed on exit if an import fails.
WORK_DIR=
trap '[ -z "$WORK_DIR" ] || rm -rf "$WORK_DIR"' EXIT

log() { printf 'e2e-engines: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

# Install the Debian packages that provide the commands the tests need. Outside
# CI, only print the apt-get command, because installing packages on a
# developer's machine should be their decision.
ensure_packages() {
  local missing=()
  command -v podman >/dev/null || missing+=(podman)
  command -v runc >/dev/null || missing+=(runc)
  command -v docker-compose >/dev/null || missing+=(docker-compose)
  command -v curl >/dev/null || missing+=(curl)
  # The image needs a statically linked busybox, which only busybox-static
  # ships as /bin/busybox (the plain busybox package links against glibc).
  dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed' \
    || missing+=(busybox-static)
  [ ${#missing[@]} -eq 0 ] && return 0
  # NOTE: this branch has not run yet, because every package was already
  # installed on the machine where the script was written.
  if [ "${CI:-}" = true ] && [ "$(id -u)" -eq 0 ]; then
    log "installing missing packages: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update >&2
    apt-get install -y "${missing[@]}" >&2
  else
    die "missing packages: ${missing[*]} (run: apt-get install -y ${missing[*]})"
  fi
}

# Print the lower of a hard resource limit and a cap. `ulimit -H` prints
# "unlimited" when there is no limit.
limit_at_most() {
  local hard=$1 cap=$2
  if [ "$hard" = unlimited ] || [ "$hard" -gt "$cap" ]; then
    printf '%s' "$cap"
  else
    printf '%s' "$hard"
  fi
}

# Write the containers.conf drop-in. Podman merges files in containers.conf.d
# over /usr/share/containers/containers.conf and /etc/containers/containers.conf,
# so a user's own configuration stays untouched. Prints "changed" when the file
# was written, so that a running service can be restarted to pick it up.
write_config() {
  local nofile nproc tmp
  # Podman's default nofile limit (1048576) exceeds the hard limit here (20000
  # in the test sandbox), and any nproc limit above PODMAN_NPROC_MAX exceeds
  # Podman's own. Root here lacks CAP_SYS_RESOURCE, so runc then fails with
  # "error setting rlimit type 7 (or 6): operation not permitted".
  nofile=$(limit_at_most "$(ulimit -Hn)" 1048576)
  nproc=$(limit_at_most "$(ulimit -Hu)" "$PODMAN_NPROC_MAX")
  tmp=$(mktemp)
  cat >"$tmp" <<EOF
# Written by amulet's scripts/e2e-engines.sh for its end-to-end tests.
# Delete this file to return to Podman's defaults.

[containers]
# The limits must not exceed the hard limits of the process that starts Podman,
# since raising them needs CAP_SYS_RESOURCE, which this machine's root lacks.
default_ulimits = [
  "nofile=${nofile}:${nofile}",
  "nproc=${nproc}:${nproc}",
]

[engine]
# This machine has runc but not crun, the default runtime of Podman 4.3.
runtime = "runc"
# No systemd runs as PID 1, so the systemd cgroup manager cannot create scopes.
cgroup_manager = "cgroupfs"
# No journald runs, so events go to a file (/run/libpod/events/events.log).
events_logger = "file"
EOF
  mkdir -p "$CONF_DIR"
  if [ -f "$CONF_FILE" ] && cmp -s "$tmp" "$CONF_FILE"; then
    rm -f "$tmp"
  else
    install -m 0644 "$tmp" "$CONF_FILE"
    rm -f "$tmp"
    log "wrote $CONF_FILE"
    echo changed
  fi
}

# Import a minimal image from the busybox-static binary, because no container
# registry can be reached. Skipped when the image already exists.
ensure_image() {
  if podman image exists "$IMAGE"; then
    log "image $IMAGE exists"
    return 0
  fi
  local work applet
  work=$(mktemp -d)
  WORK_DIR=$work
  mkdir -p "$work/rootfs/bin" "$work/rootfs/etc" "$work/rootfs/tmp" "$work/rootfs/root"
  chmod 1777 "$work/rootfs/tmp"

  install -m 0755 /bin/busybox "$work/rootfs/bin/busybox"
  # Link every applet at the path busybox itself lists (bin/sh, usr/bin/env,
  # usr/bin/printf, ...), as `busybox --install` would do inside the image.
  while IFS= read -r applet; do
    [ "$applet" = bin/busybox ] && continue
    mkdir -p "$work/rootfs/$(dirname "$applet")"
    ln -sf /bin/busybox "$work/rootfs/$applet"
  done < <(/bin/busybox --list-full)

  printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
    >"$work/rootfs/etc/passwd"
  printf 'root:x:0:\nnogroup:x:65534:\n' >"$work/rootfs/etc/group"

  tar -C "$work/rootfs" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 \
    -cf "$work/rootfs.tar" .

  podman import --quiet \
    --change 'ENV PATH=/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/sh"]' \
    --message 'amulet e2e busybox image' \
    "$work/rootfs.tar" "$IMAGE" >/dev/null
  rm -rf "$work"
  WORK_DIR=
  log "imported $IMAGE"
}

# Return 0 if the API service on $SOCKET replies to the Docker ping endpoint.
service_answers() {
  [ -S "$SOCKET" ] || return 1
  [ "$(curl -fsS --max-time 2 --unix-socket "$SOCKET" http://d/_ping 2>/dev/null)" = OK ]
}

# Print the PID from $PID_FILE if that process is the API service this script
# started. A PID left over from an earlier boot may belong to another program.
service_pid() {
  local pid
  [ -f "$PID_FILE" ] || return 1
  pid=$(cat "$PID_FILE")
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF "system service --time=0 unix://$SOCKET" || return 1
  printf '%s' "$pid"
}

stop_service() {
  local pid
  if pid=$(service_pid); then
    log "stopping API service (PID $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      [ -d "/proc/$pid" ] || break
      sleep 0.2
    done
    if [ -d "/proc/$pid" ]; then
      log "API service did not exit within 10 s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$PID_FILE" "$SOCKET"
}

start_service() {

  mkdir -p "$RUN_DIR"
  chmod 0700 "$RUN_DIR"
  if service_pid >/dev/null && service_answers; then
    log "reusing API service on $SOCKET"
    return 0
  fi
  # A socket without a live service, or a service that stopped responding, is
  # left over from an earlier run.
  stop_service
  log "starting API service on $SOCKET"
  # setsid and the redirections detach the service from the caller's session
  # and pipes, so a caller that waits for stdout to close (such as execa) returns.
  setsid podman system service --time=0 "unix://$SOCKET" \
    </dev/null >>"$LOG_FILE" 2>&1 &
  echo $! >"$PID_FILE"
  for _ in $(seq 1 100); do
    service_answers && return 0
    if ! [ -d "/proc/$(cat "$PID_FILE")" ]; then
      tail -n 20 "$LOG_FILE" >&2 || true
      die "API service exited; see $LOG_FILE"
    fi
    sleep 0.1
  done
  tail -n 20 "$LOG_FILE" >&2 || true
  die "API service did not respond to /_ping on $SOCKET within 10 s; see $LOG_FILE"
}

main() {
  local command=${1:-start}
  case $command in
    start)
      [ "$(id -u)" -eq 0 ] || die "run as root: the tests use rootful Podman"
      ensure_packages
      if [ "$(write_config)" = changed ] && service_pid >/dev/null; then
        log "configuration changed; restarting the API service"
        stop_service
      fi
      ensure_image
      start_service
      echo "DOCKER_HOST=unix://$SOCKET"
      ;;
    stop)
      stop_service
      ;;
    status)
      service_answers
      ;;
    *)
      die "unknown command '$command' (expected start, stop or status)"
      ;;
  esac
}

main "$@"
