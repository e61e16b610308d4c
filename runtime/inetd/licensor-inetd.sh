#!/bin/sh
# Wrapper for inetd and xinetd: load the environment file, then become licensor (raw HTTP/1.1 on stdin/stdout).
set -a
. /etc/licensor/licensor.env
set +a
cd /var/lib/licensor || exit 1
exec /usr/local/bin/licensor --format http 2>>/var/log/licensor/licensor.log
