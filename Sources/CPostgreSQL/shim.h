#ifndef CPOSTGRESQL_SHIM_H
#define CPOSTGRESQL_SHIM_H

// libpq's public client API (Debian 12: libpq-dev, headers in /usr/include/postgresql,
// found through `pkg-config libpq`).
#include <libpq-fe.h>

#endif
