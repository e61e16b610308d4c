#!/usr/bin/env python3
"""Independent check of licensor's tokens: verify a v4.public token with pyseto.

Usage: verify_paseto.py PUBLIC_KEY_PEM_PATH TOKEN [IMPLICIT_ASSERTION]
Prints the payload bytes on stdout and exits 0 if the token verifies; exits 1 otherwise.
"""
import sys

import pyseto
from pyseto import Key


def main() -> int:
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    with open(sys.argv[1], "rb") as handle:
        key = Key.new(version=4, purpose="public", key=handle.read())
    implicit_assertion = sys.argv[3].encode() if len(sys.argv) == 4 else b""
    try:
        token = pyseto.decode(key, sys.argv[2], implicit_assertion=implicit_assertion)
    except (pyseto.PysetoError, ValueError) as error:
        print(f"verification failed: {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    sys.stdout.buffer.write(token.payload)
    return 0


if __name__ == "__main__":
    sys.exit(main())
