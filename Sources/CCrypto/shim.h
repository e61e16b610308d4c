#ifndef CCRYPTO_SHIM_H
#define CCRYPTO_SHIM_H
#include <openssl/bio.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <sys/random.h>  // getrandom(2), which the Glibc module does not export

/// BIO_get_mem_data is a macro over BIO_ctrl with a cast, which Swift cannot import.
static inline long CCrypto_BIO_get_mem_data(BIO *bio, char **data) { return BIO_get_mem_data(bio, data); }

/// Initialises libcrypto without registering its atexit clean-up: a one-request process would otherwise spend
/// milliseconds at exit tearing down provider tables that the kernel frees anyway.
static inline int CCrypto_init_without_atexit(void) {
    return OPENSSL_init_crypto(OPENSSL_INIT_NO_ATEXIT, NULL);
}

#endif
