/// Tells GnuTLS not to initialise itself when it is loaded: this is the `GNUTLS_SKIP_GLOBAL_INIT` of gnutls.h, a
/// symbol its library constructor looks up in the program.
///
/// licensor never uses GnuTLS. libpq and libcurl load it only through libldap, which initialises it explicitly
/// before any LDAP over TLS. Without this, every PostgreSQL or Postmark request would pay for that initialisation
/// as the library loads, about 0.7 MiB of RSS and up to a millisecond, and for its teardown at exit.
@_cdecl("_gnutls_global_init_skip")
public func gnutlsGlobalInitSkip() -> Int32 { 1 }
