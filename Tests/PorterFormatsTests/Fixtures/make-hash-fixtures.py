#!/usr/bin/env python3
"""Generates password-hash-fixtures.json with independent implementations (hashlib, hmac,
bcrypt, argon2-cffi, passlib): one custom_password_hash per algorithm variant Auth0 accepts,
with the right password. Run once; the output is committed. pip install bcrypt argon2-cffi passlib"""
import base64, hashlib, hmac, json
import bcrypt
from argon2 import PasswordHasher, Type
from passlib.hash import pbkdf2_sha1, pbkdf2_sha256, pbkdf2_sha512

PW = "correct horse battery staple é"
out = []

def add(name, chash, password=PW, expect="match"):
    out.append({"name": name, "password": password, "custom_password_hash": chash, "expect": expect})

def enc(b, e):
    return b.hex() if e == "hex" else base64.b64encode(b).decode()

for algo in ["md5", "sha1", "sha256", "sha512"]:
    for e in ["hex", "base64"]:
        add(f"{algo}-{e}", {"algorithm": algo, "hash": {"value": enc(hashlib.new(algo, PW.encode()).digest(), e), "encoding": e}})
        for pos in ["prefix", "suffix"]:
            salt = b"s4lt!"
            data = salt + PW.encode() if pos == "prefix" else PW.encode() + salt
            add(f"{algo}-{e}-salt-{pos}", {"algorithm": algo, "hash": {"value": enc(hashlib.new(algo, data).digest(), e), "encoding": e,
                "salt": {"value": base64.b64encode(salt).decode(), "encoding": "base64", "position": pos}}})
    for pe, codec in [("utf16le", "utf-16-le"), ("latin1", "latin-1")]:
        add(f"{algo}-password-{pe}", {"algorithm": algo, "hash": {"value": hashlib.new(algo, PW.encode(codec)).hexdigest(), "encoding": "hex"},
            "password": {"encoding": pe}})

for d in ["md5", "sha1", "sha256", "sha384", "sha512"]:
    key = b"hmac-key"
    add(f"hmac-{d}", {"algorithm": "hmac", "hash": {"value": hmac.new(key, PW.encode(), d).hexdigest(), "encoding": "hex", "digest": d,
        "key": {"value": key.decode(), "encoding": "utf8"}}})

for algo, h in [("sha1", pbkdf2_sha1), ("sha256", pbkdf2_sha256), ("sha512", pbkdf2_sha512)]:
    value = h.using(rounds=1000, salt_size=16).hash(PW)
    # passlib: $pbkdf2-sha256$1000$<ab64 salt>$<ab64 hash>; Auth0 wants i=…,l=…
    parts = value.split("$")
    raw_len = len(base64.b64decode(parts[4].replace(".", "+") + "=" * (-len(parts[4]) % 4)))
    prefix = "pbkdf2" if algo == "sha1" else f"pbkdf2-{algo}"
    add(f"pbkdf2-{algo}", {"algorithm": "pbkdf2", "hash": {"value": f"${prefix}$i={parts[2]},l={raw_len}${parts[3]}${parts[4]}", "encoding": "utf8"}})

for scheme, algo, salted in [("MD5", "md5", False), ("SMD5", "md5", True), ("SHA", "sha1", False), ("SSHA", "sha1", True),
                             ("SHA256", "sha256", False), ("SSHA256", "sha256", True), ("SHA512", "sha512", False), ("SSHA512", "sha512", True)]:
    salt = b"ldapsalt" if salted else b""
    value = "{%s}%s" % (scheme, base64.b64encode(hashlib.new(algo, PW.encode() + salt).digest() + salt).decode())
    add(f"ldap-{scheme}", {"algorithm": "ldap", "hash": {"value": value, "encoding": "utf8"}})

for prefix in [b"2a", b"2b"]:
    h = bcrypt.hashpw(PW.encode(), bcrypt.gensalt(rounds=4, prefix=prefix)).decode()
    add(f"bcrypt-{prefix.decode()}", {"algorithm": "bcrypt", "hash": {"value": h, "encoding": "utf8"}})
h = bcrypt.hashpw(PW.encode(), bcrypt.gensalt(rounds=4)).decode().replace("$2b$", "$2y$", 1)
add("bcrypt-2y", {"algorithm": "bcrypt", "hash": {"value": h, "encoding": "utf8"}})

for t, name in [(Type.ID, "argon2id"), (Type.I, "argon2i"), (Type.D, "argon2d")]:
    add(name, {"algorithm": "argon2", "hash": {"value": PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1, type=t).hash(PW), "encoding": "utf8"}})

salt = b"scrypt-salt"
add("scrypt", {"algorithm": "scrypt", "hash": {"value": base64.b64encode(hashlib.scrypt(PW.encode(), salt=salt, n=1024, r=8, p=1, dklen=32)).decode(),
    "encoding": "base64", "salt": {"value": salt.decode(), "encoding": "utf8"}}, "keylen": 32, "cost": 1024, "blockSize": 8, "parallelization": 1})

# The same hashes with a wrong password must not match.
for f in list(out):
    out.append(dict(f, name=f["name"] + "-wrong", password=PW + "x", expect="mismatch"))

json.dump(out, open("password-hash-fixtures.json", "w"), indent=1, ensure_ascii=False)
print(len(out), "fixtures")
