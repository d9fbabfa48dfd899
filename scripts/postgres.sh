#!/usr/bin/env bash
# A throwaway PostgreSQL on loopback for the reference server's tests (Debian `postgresql`,
# installed when missing). `scripts/postgres.sh start DIR` prints the database URL;
# `scripts/postgres.sh stop DIR` stops it. Trust authentication, 127.0.0.1 only.
set -euo pipefail
cmd="$1"; dir="$2"; port="${CERTIFY_PG_PORT:-55432}"
find_bin() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1; }
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
bin="$(find_bin)"
case "$cmd" in
  start)
    if [ -z "$bin" ]; then
      echo "postgres: installing postgresql (Debian)" >&2
      if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
      $SUDO apt-get update -qq >/dev/null
      DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >/dev/null
      bin="$(find_bin)"
    fi
    rm -rf "$dir"; mkdir -p "$dir"
    [ "$(id -u)" = 0 ] && chown postgres "$dir"
    as_pg "$bin/initdb" -D "$dir/data" -U certify --auth=trust -E UTF8 >/dev/null
    as_pg "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=on" start >/dev/null
    as_pg "$bin/createdb" -h 127.0.0.1 -p "$port" -U certify certify_test
    echo "postgres://certify@127.0.0.1:$port/certify_test"
    ;;
  stop)
    [ -n "$bin" ] && as_pg "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    ;;
  *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
