#ifndef CSQLITE_SHIM_H
#define CSQLITE_SHIM_H
#include <sqlite3.h>

/// SQLITE_TRANSIENT is a macro casting -1 to a function pointer, which Swift cannot import.
static inline sqlite3_destructor_type CSQLite_transient(void) { return SQLITE_TRANSIENT; }

/// Leaves the WAL in place when the last connection closes: each licensor process is that last connection, and a
/// checkpoint plus WAL re-creation on every exit would cost two extra fsyncs per request. Checkpoints still run
/// automatically as the WAL grows.
static inline int CSQLite_disable_checkpoint_on_close(sqlite3 *db) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)0);
}

#endif
