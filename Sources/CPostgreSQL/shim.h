#ifndef CPOSTGRESQL_SHIM_H
#define CPOSTGRESQL_SHIM_H

// libpq's public client API (Debian 12: libpq-dev, headers in /usr/include/postgresql). The types come from the header; the functions are loaded with dlopen on first use, so an
// invocation on SQLite never pays for loading libpq and the Kerberos, LDAP and TLS libraries it pulls in.
#include <dlfcn.h>
#include <postgresql/libpq-fe.h>
#include <pthread.h>
#include <stddef.h>

// Every libpq function licensor calls.
#define CPOSTGRESQL_FUNCTIONS(X) \
    X(PQcancel) \
    X(PQclear) \
    X(PQcmdStatus) \
    X(PQcmdTuples) \
    X(PQconnectPoll) \
    X(PQconnectStartParams) \
    X(PQconninfoFree) \
    X(PQconninfoParse) \
    X(PQconsumeInput) \
    X(PQerrorMessage) \
    X(PQfinish) \
    X(PQflush) \
    X(PQfname) \
    X(PQfreeCancel) \
    X(PQfreemem) \
    X(PQgetCancel) \
    X(PQgetResult) \
    X(PQgetisnull) \
    X(PQgetlength) \
    X(PQgetvalue) \
    X(PQhost) \
    X(PQisBusy) \
    X(PQnfields) \
    X(PQntuples) \
    X(PQport) \
    X(PQresStatus) \
    X(PQresultErrorField) \
    X(PQresultErrorMessage) \
    X(PQresultStatus) \
    X(PQsendQueryParams) \
    X(PQsetErrorVerbosity) \
    X(PQsetNoticeProcessor) \
    X(PQsetnonblocking) \
    X(PQsocket) \
    X(PQstatus) \
    X(PQtransactionStatus)

/// Pointers to the libpq functions, all non-null once loaded.
typedef struct {
#define CPOSTGRESQL_FIELD(name) __typeof__(&name) _Nonnull name;
    CPOSTGRESQL_FUNCTIONS(CPOSTGRESQL_FIELD)
#undef CPOSTGRESQL_FIELD
} CPostgreSQL_Functions;

/// The loader's state, in a function-local static: Swift's importer emits no storage for file-scope statics.
typedef struct {
    pthread_once_t once;
    const char *_Nullable error;
    CPostgreSQL_Functions functions;
} CPostgreSQL_State;

static inline CPostgreSQL_State *_Nonnull CPostgreSQL_state(void) {
    static CPostgreSQL_State state = {PTHREAD_ONCE_INIT, NULL};
    return &state;
}

static inline void CPostgreSQL_load_once(void) {
    CPostgreSQL_State *state = CPostgreSQL_state();
    // RTLD_LAZY binds as a program linked against libpq would: the libraries Debian builds with -z now (libpq, OpenSSL,
    // GnuTLS, LDAP) bind everything at load anyway, and the rest (Kerberos, gmp) only what they call. RTLD_NOW bound
    // every Kerberos entry point too: 1.8 M instructions of the 12.6 M that loading libpq costs. The functions below
    // are still looked up, and checked, at load.
    void *library = dlopen("libpq.so.5", RTLD_LAZY | RTLD_LOCAL);
    if (library == NULL) {
        state->error = dlerror();
        return;
    }
#define CPOSTGRESQL_LOAD(name) \
    if ((*(void **)&state->functions.name = dlsym(library, #name)) == NULL) { \
        state->error = "libpq.so.5 lacks " #name; \
        return; \
    }
    CPOSTGRESQL_FUNCTIONS(CPOSTGRESQL_LOAD)
#undef CPOSTGRESQL_LOAD
}

/// Loads libpq once; returns the functions, or NULL with `*error` set to why it could not be loaded.
static inline const CPostgreSQL_Functions *_Nullable CPostgreSQL_load(const char *_Nullable *_Nonnull error) {
    CPostgreSQL_State *state = CPostgreSQL_state();
    pthread_once(&state->once, CPostgreSQL_load_once);
    *error = state->error;
    return state->error == NULL ? &state->functions : NULL;
}

#endif
