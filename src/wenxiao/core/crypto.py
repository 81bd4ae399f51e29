"""National (GM/T) cryptography through `cryptography`: SM3 hashes for the audit chain, tokens and files."""

from cryptography.hazmat.primitives import hashes


def sm3_hex(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode()
    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize().hex()
