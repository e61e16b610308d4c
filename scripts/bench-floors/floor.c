/* The C floor: a program that does nothing but is linked against the C libraries licensor uses, so its start-up
 * cost is what loading libpq, libsqlite3, libcrypto, libcurl and libyaml costs on this machine. One symbol of each
 * is referenced so no linker drops a library. */
#include <curl/curl.h>
#include <libpq-fe.h>
#include <openssl/crypto.h>
#include <sqlite3.h>
#include <stdio.h>
#include <yaml.h>

int main(int argc, char **argv) {
    if (argc > 99) { /* never true: keeps the references without calling anything */
        printf("%p %p %p %p %p\n", (void *)PQlibVersion, (void *)sqlite3_libversion, (void *)OpenSSL_version,
               (void *)curl_version, (void *)yaml_get_version_string);
    }
    return 0;
}
