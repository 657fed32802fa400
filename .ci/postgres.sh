# Sourced by .ci/run: a PostgreSQL server for the decision-log tests, named in WIVCHECK_TEST_PG.
# The machine's own on 127.0.0.1:5432 (user postgres, trust) when one answers; else Debian's
# `postgresql` is installed and a private cluster started as the postgres user (PostgreSQL refuses to
# run as root) on a free port, stopped again when the script exits. WIVCHECK_PG_PRIVATE=1 forces the
# private cluster. Each test makes and drops its own database on it.

pg_answers() {  # $1 = URL
  command -v psql >/dev/null && psql "$1" -qAtc 'select 1' >/dev/null 2>&1
}

if [ -z "${WIVCHECK_TEST_PG:-}" ]; then
  if [ -z "${WIVCHECK_PG_PRIVATE:-}" ] && pg_answers "postgresql://postgres@127.0.0.1:5432/postgres"; then
    export WIVCHECK_TEST_PG="postgresql://postgres@127.0.0.1:5432/postgres"
  else
    if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
      apt-get update -qq
      # the package's own cluster is not ours: keep it from starting
      DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y -qq postgresql >/dev/null
    fi
    PG_BIN="$(dirname "$(ls -d /usr/lib/postgresql/*/bin/initdb | sort -V | tail -1)")"
    PG_DIR="$(mktemp -d /tmp/wivcheck-pg.XXXXXX)"
    PG_PORT="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    if [ "$(id -u)" = 0 ]; then
      id postgres >/dev/null 2>&1 || useradd --system --home-dir "$PG_DIR" postgres
      chown postgres "$PG_DIR"
      AS_PG=(runuser -u postgres --)
    else
      AS_PG=()
    fi
    "${AS_PG[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 >/dev/null
    "${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -o \
      "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
    trap '"${AS_PG[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast stop >/dev/null 2>&1; rm -rf "$PG_DIR"' EXIT
    export WIVCHECK_TEST_PG="postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
  fi
  echo "PostgreSQL for the tests: $WIVCHECK_TEST_PG"
fi
