"""An Opayo Form crypt codec written independently of selectpay, on Python's `cryptography`,
so the Rust codec is checked against another implementation and not only against itself.

    python opayo_crypt.py encrypt PASSWORD < plain bytes   > @HEX
    python opayo_crypt.py decrypt PASSWORD < @HEX          > plain bytes

Run by crates/domain/tests/domain/opayo_python.rs with infra/.venv's interpreter, whose pinned
`cryptography` comes from infra/requirements-lint.txt (installed by `infra/services.sh lint`).
"""

import sys

from cryptography.hazmat.primitives import padding
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes


def cipher(password: bytes) -> Cipher:
    # Opayo Form uses the encryption password as both the AES-128 key and the IV.
    return Cipher(algorithms.AES(password), modes.CBC(password))


def encrypt(plain: bytes, password: bytes) -> str:
    padder = padding.PKCS7(128).padder()
    padded = padder.update(plain) + padder.finalize()
    encryptor = cipher(password).encryptor()
    return "@" + (encryptor.update(padded) + encryptor.finalize()).hex().upper()


def decrypt(crypt: str, password: bytes) -> bytes:
    if not crypt.startswith("@"):
        raise ValueError("crypt does not start with @")
    decryptor = cipher(password).decryptor()
    padded = decryptor.update(bytes.fromhex(crypt[1:])) + decryptor.finalize()
    unpadder = padding.PKCS7(128).unpadder()
    return unpadder.update(padded) + unpadder.finalize()


def main() -> None:
    command, password = sys.argv[1], sys.argv[2].encode("ascii")
    if command == "encrypt":
        sys.stdout.write(encrypt(sys.stdin.buffer.read(), password))
    elif command == "decrypt":
        sys.stdout.buffer.write(decrypt(sys.stdin.read().strip(), password))
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main()
