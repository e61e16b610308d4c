// The token format, JSON, timestamps, base64url and the constant-time compare live in LicensorVerifier, which a
// seller's app embeds; the server uses the same code through this one re-export, with `package` access.
@_exported import LicensorVerifier
