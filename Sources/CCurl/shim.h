#ifndef CCURL_SHIM_H
#define CCURL_SHIM_H

#include <curl/curl.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>

/*
 * libcurl is opened with dlopen on first use: a request that sends no email never pays for loading it and the
 * TLS, Kerberos, LDAP and HTTP/2 libraries it pulls in. The types come from the header.
 */

// Every libcurl function licensor calls.
#define CCURL_FUNCTIONS(X) \
    X(curl_global_init) \
    X(curl_easy_init) \
    X(curl_easy_cleanup) \
    X(curl_easy_reset) \
    X(curl_easy_perform) \
    X(curl_easy_setopt) \
    X(curl_easy_getinfo) \
    X(curl_easy_strerror) \
    X(curl_slist_append) \
    X(curl_slist_free_all) \
    X(curl_share_init) \
    X(curl_share_setopt) \
    X(curl_share_cleanup)

/// Pointers to the libcurl functions, all non-null once loaded.
typedef struct {
#define CCURL_FIELD(name) __typeof__(&name) _Nonnull name;
    CCURL_FUNCTIONS(CCURL_FIELD)
#undef CCURL_FIELD
} CCurl_Functions;

/// The loader's state, in a function-local static: Swift's importer emits no storage for file-scope statics.
typedef struct {
    pthread_once_t once;
    const char *_Nullable error;
    CCurl_Functions functions;
} CCurl_State;

static inline CCurl_State *_Nonnull CCurl_state(void) {
    static CCurl_State state = {PTHREAD_ONCE_INIT, NULL};
    return &state;
}

static inline void CCurl_load_once(void) {
    CCurl_State *state = CCurl_state();
    // RTLD_LAZY for the reason CPostgreSQL_load_once gives: libraries built with -z now bind at load regardless.
    void *library = dlopen("libcurl.so.4", RTLD_LAZY | RTLD_LOCAL);
    if (library == NULL) {
        state->error = dlerror();
        return;
    }
#define CCURL_LOAD(name) \
    if ((*(void **)&state->functions.name = dlsym(library, #name)) == NULL) { \
        state->error = "libcurl.so.4 lacks " #name; \
        return; \
    }
    CCURL_FUNCTIONS(CCURL_LOAD)
#undef CCURL_LOAD
    if (state->functions.curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        state->error = "curl_global_init failed";
    }
}

/// Loads and initialises libcurl once; returns the functions, or NULL with `*error` set to why not.
static inline const CCurl_Functions *_Nullable CCurl_load(const char *_Nullable *_Nonnull error) {
    CCurl_State *state = CCurl_state();
    pthread_once(&state->once, CCurl_load_once);
    *error = state->error;
    return state->error == NULL ? &state->functions : NULL;
}

/// The loaded functions; only after CCurl_load succeeded.
static inline const CCurl_Functions *_Nonnull CCurl_api(void) {
    return &CCurl_state()->functions;
}

/*
 * curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call.
 * These fixed-type wrappers pass each argument with exactly the C type libcurl expects for the option.
 */

/// Signature of CURLOPT_WRITEFUNCTION and CURLOPT_HEADERFUNCTION callbacks.
typedef size_t (*CCurl_data_callback)(char *data, size_t size, size_t nmemb, void *userdata);

static inline CURLcode CCurl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return CCurl_api()->curl_easy_setopt(handle, option, value);
}

static inline CURLcode CCurl_easy_setopt_off_t(CURL *handle, CURLoption option, curl_off_t value) {
    return CCurl_api()->curl_easy_setopt(handle, option, value);
}

static inline CURLcode CCurl_easy_setopt_string(CURL *handle, CURLoption option, const char *value) {
    return CCurl_api()->curl_easy_setopt(handle, option, value);
}

static inline CURLcode CCurl_easy_setopt_pointer(CURL *handle, CURLoption option, void *value) {
    return CCurl_api()->curl_easy_setopt(handle, option, value);
}

static inline CURLcode CCurl_easy_setopt_slist(CURL *handle, CURLoption option, struct curl_slist *value) {
    return CCurl_api()->curl_easy_setopt(handle, option, value);
}

static inline CURLcode CCurl_easy_setopt_write_function(CURL *handle, CCurl_data_callback callback) {
    return CCurl_api()->curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, callback);
}

static inline CURLcode CCurl_easy_setopt_header_function(CURL *handle, CCurl_data_callback callback) {
    return CCurl_api()->curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, callback);
}

static inline CURLcode CCurl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return CCurl_api()->curl_easy_getinfo(handle, info, value);
}

/// curl_share_setopt for the options that take a `curl_lock_data` (an int through the varargs).
static inline CURLSHcode CCurl_share_setopt_lock_data(CURLSH *share, CURLSHoption option, curl_lock_data value) {
    return CCurl_api()->curl_share_setopt(share, option, (int)value);
}

/// Size of the buffer CURLOPT_ERRORBUFFER needs (a macro Swift may not import).
static inline size_t CCurl_error_size(void) {
    return CURL_ERROR_SIZE;
}

#endif
