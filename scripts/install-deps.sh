#!/usr/bin/env bash
# Installs every system package licensor needs to build and test on Debian 12 with the Swift toolchain.
set -euo pipefail
packages=(
    pkg-config libsqlite3-dev libssl-dev libyaml-dev libpq-dev libcurl4-openssl-dev  # the C libraries
    libstdc++-12-dev                      # libstdc++.a (release builds link the C++ runtime statically)
    ca-certificates sqlite3 openssl curl python3 python3-pip                      # demo and test tools
    postgresql-15 pgbouncer                                                       # PostgreSQL tests
    systemd lighttpd zip                   # runner tests: systemd-socket-activate, mod_cgi; Lambda packaging
)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# An independent PASETO implementation, used only by the interoperability tests.
if ! python3 -c 'import pyseto' 2>/dev/null; then
    python3 -m pip install --quiet --disable-pip-version-check pyseto 2>/dev/null \
        || python3 -m pip install --quiet --disable-pip-version-check --break-system-packages pyseto
fi
# The seed service's SQLAlchemy 2 models, for the schema-upgrade test (Debian's python3-sqlalchemy is 1.4, too old).
# The test may start either the first python3 on PATH or the system one, so both get them.
for python in python3 /usr/bin/python3; do
    if ! "$python" -c 'import sys, sqlalchemy, psycopg2; sys.exit(int(sqlalchemy.__version__.split(".")[0]) < 2)' \
        2>/dev/null; then
        "$python" -m pip install --quiet --disable-pip-version-check 'sqlalchemy>=2' psycopg2-binary 2>/dev/null \
            || "$python" -m pip install --quiet --disable-pip-version-check --break-system-packages 'sqlalchemy>=2' \
                psycopg2-binary
    fi
done
echo "dependencies installed"
