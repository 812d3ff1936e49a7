#!/usr/bin/env python3
"""Generates password-hash-fixtures.json with implementations independent of porter's (hashlib,
hmac, bcrypt, argon2-cffi, passlib): one custom_password_hash for every algorithm × hash
encoding × salt position/encoding × password encoding × parameter variant Auth0's import
schema allows, each with the right password ("match") and a wrong one ("mismatch").
The output is committed; tests need no network. Run with the venv scripts/bootstrap makes:
  .build/hash-venv/bin/python Tests/PorterFormatsTests/Fixtures/make-hash-fixtures.py"""
import base64, hashlib, hmac, json, os
import bcrypt
from argon2 import PasswordHasher, Type
from passlib.hash import pbkdf2_sha1, pbkdf2_sha256, pbkdf2_sha512, ldap_salted_sha1, ldap_salted_md5, ldap_salted_sha256, ldap_salted_sha512, ldap_sha1, ldap_md5
from passlib.crypto._md4 import md4 as passlib_md4
from passlib.crypto.digest import pbkdf2_hmac as passlib_pbkdf2

PW = "correct horse battery staple é"
WRONG = PW + "x"
out = []

def add(name, chash, password=PW):
    out.append({"name": name, "password": password, "custom_password_hash": chash, "expect": "match"})

def node_encode(s, enc):
    """The bytes node's Buffer.from(s, enc) gives (ascii and binary are latin1 when encoding)."""
    if enc == "utf8": return s.encode()
    if enc in ("ascii", "latin1", "binary"):
        return bytes(u & 0xFF for u in memoryview(s.encode("utf-16-le")).cast("H"))
    if enc in ("utf16le", "ucs2"): return s.encode("utf-16-le")
    raise ValueError(enc)

def enc(b, e):
    if e == "hex": return b.hex()
    if e == "HEX": return b.hex().upper()
    if e == "base64": return base64.b64encode(b).decode()
    if e == "base64url": return base64.urlsafe_b64encode(b).decode().rstrip("=")
    return b.decode()

def schema_encoding(e):
    return {"HEX": "hex", "base64url": "base64"}.get(e, e)

def digest(name, data):
    return passlib_md4(data).digest() if name == "md4" else hashlib.new(name, data).digest()

PASSWORD_ENCODINGS = ["utf8", "ascii", "latin1", "binary", "utf16le", "ucs2"]
SALTS = [("utf8", b"s4lt!"), ("hex", bytes(range(250, 256)) + b"\x00\x01"), ("base64", b"\xfb\xff salt"), ("base64url", b"\xfb\xff\xfe_salt")]

def salt_variants():
    yield "nosalt", None, None
    for pos in ["prefix", "suffix"]:
        for se, raw in SALTS:
            yield f"salt-{pos}-{se}", {"value": enc(raw, se), "encoding": schema_encoding(se), "position": pos}, (pos, raw)
    # position omitted: prefix (Auth0's default); encoding omitted: utf8
    yield "salt-default-position", {"value": "s4lt"}, ("prefix", b"s4lt")

def salted(pw_bytes, s):
    if s is None: return pw_bytes
    pos, raw = s
    return raw + pw_bytes if pos == "prefix" else pw_bytes + raw

# Plain digests: hash encoding × salt × password encoding.
for algo in ["md4", "md5", "sha1", "sha256", "sha512"]:
    for he in ["hex", "HEX", "base64", "base64url"]:
        for sname, sjson, s in salt_variants():
            pe_list = PASSWORD_ENCODINGS if sname in ("nosalt", "salt-prefix-utf8") else ["utf8"]
            for pe in pe_list:
                h = {"algorithm": algo, "hash": {"value": enc(digest(algo, salted(node_encode(PW, pe), s)), he), "encoding": schema_encoding(he)}}
                if sjson: h["salt"] = sjson
                if pe != "utf8": h["password"] = {"encoding": pe}
                add(f"{algo}-{he}-{sname}-pw-{pe}", h)

# Auth0's own example: MD5('salt' + 'password').
add("md5-auth0-example", {"algorithm": "md5", "hash": {"value": "67A1E09BB1F83F5007DC119C14D663AA", "encoding": "hex"},
                          "salt": {"value": "salt", "encoding": "utf8", "position": "prefix"}}, password="password")

# A password outside latin1: node keeps the low byte of each UTF-16 unit.
for pe in ["latin1", "ascii", "binary"]:
    add(f"md5-hex-pw-{pe}-euro", {"algorithm": "md5", "hash": {"value": hashlib.md5(node_encode("pässwörd€", pe)).hexdigest(), "encoding": "hex"},
                                  "password": {"encoding": pe}}, password="pässwörd€")

# hmac: every digest of the schema × hash encoding × key encoding, salts, password encodings.
HMAC_DIGESTS = ["md4", "md5", "ripemd160", "sha1", "sha224", "sha256", "sha384", "sha512"]  # whirlpool: node vectors in the tests
def mac(d, key, data):
    return hmac.new(key, data, passlib_md4 if d == "md4" else d).digest()
for d in HMAC_DIGESTS:
    for he in ["hex", "HEX", "base64", "base64url"]:
        for ke, key in [("utf8", b"hmac-key"), ("hex", b"\x00\xffkey"), ("base64", b"\xfa\xfbkey"), ("base64url", b"\xfb\xffk")]:
            h = {"algorithm": "hmac", "hash": {"value": enc(mac(d, key, PW.encode()), he), "encoding": schema_encoding(he), "digest": d,
                 "key": {"value": enc(key, ke), "encoding": schema_encoding(ke)}}}
            add(f"hmac-{d}-{he}-key-{ke}", h)
    for sname, sjson, s in salt_variants():
        if sjson is None: continue
        add(f"hmac-{d}-hex-{sname}", {"algorithm": "hmac", "hash": {"value": mac(d, b"k", salted(PW.encode(), s)).hex(), "encoding": "hex", "digest": d,
            "key": {"value": "k"}}, "salt": sjson})
    for pe in PASSWORD_ENCODINGS[1:]:
        add(f"hmac-{d}-hex-pw-{pe}", {"algorithm": "hmac", "hash": {"value": mac(d, b"k", node_encode(PW, pe)).hex(), "encoding": "hex", "digest": d,
            "key": {"value": "k"}}, "password": {"encoding": pe}})

# pbkdf2: every digest name node knows (aliases included), PHC with i/l given or omitted.
PBKDF2_NAMES = {  # node name -> the digest Python computes it with
    "md4": "md4", "RSA-MD4": "md4", "md4WithRSAEncryption": "md4",
    "md5": "md5", "RSA-MD5": "md5", "md5WithRSAEncryption": "md5", "ssl3-md5": "md5",
    "sha1": "sha1", "RSA-SHA1": "sha1", "RSA-SHA1-2": "sha1", "sha1WithRSAEncryption": "sha1", "ssl3-sha1": "sha1",
    "sha224": "sha224", "RSA-SHA224": "sha224", "sha224WithRSAEncryption": "sha224",
    "sha256": "sha256", "RSA-SHA256": "sha256", "sha256WithRSAEncryption": "sha256",
    "sha384": "sha384", "RSA-SHA384": "sha384", "sha384WithRSAEncryption": "sha384",
    "sha512": "sha512", "RSA-SHA512": "sha512", "sha512WithRSAEncryption": "sha512",
    "sha512-224": "sha512_224", "RSA-SHA512/224": "sha512_224", "sha512-256": "sha512_256", "RSA-SHA512/256": "sha512_256",
    "sha3-256": "sha3_256", "RSA-SHA3-256": "sha3_256", "sha3-512": "sha3_512",
    "ripemd160": "ripemd160", "ripemd": "ripemd160", "rmd160": "ripemd160", "RSA-RIPEMD160": "ripemd160", "ripemd160WithRSA": "ripemd160",
    "sm3": "sm3", "blake2b512": "blake2b", "blake2s256": "blake2s",
}
def ab64(b): return base64.b64encode(b).decode().rstrip("=")
salt = b"pbkdf2-salt-16by"
for node_name, py in PBKDF2_NAMES.items():
    dk = passlib_pbkdf2(py, PW.encode(), salt, 1000, 32) if py == "md4" else hashlib.pbkdf2_hmac(py, PW.encode(), salt, 1000, 32)
    add(f"pbkdf2-{node_name}", {"algorithm": "pbkdf2", "hash": {"value": f"$pbkdf2-{node_name}$i=1000,l=32${ab64(salt)}${ab64(dk)}", "encoding": "utf8"}})
# passlib's own strings (adapted base64 with '.'), rewritten to Auth0's i=,l= form.
for algo, h in [("sha1", pbkdf2_sha1), ("sha256", pbkdf2_sha256), ("sha512", pbkdf2_sha512)]:
    parts = h.using(rounds=1000, salt_size=16).hash(PW).split("$")
    raw_len = len(base64.b64decode(parts[4].replace(".", "+") + "=" * (-len(parts[4]) % 4)))
    prefix = "pbkdf2" if algo == "sha1" else f"pbkdf2-{algo}"
    add(f"pbkdf2-passlib-{algo}", {"algorithm": "pbkdf2", "hash": {"value": f"${prefix}$i={parts[2]},l={raw_len}${parts[3]}${parts[4]}", "encoding": "utf8"}})
# i and l omitted: Auth0's defaults, 100000 rounds and 64 bytes.
for omit, rounds, length in [("i", 100000, 16), ("l", 1000, 64), ("il", 100000, 64)]:
    dk = hashlib.pbkdf2_hmac("sha256", PW.encode(), salt, rounds, length)
    params = ",".join(p for p in [f"i={rounds}" if "i" not in omit else "", f"l={length}" if "l" not in omit else ""] if p)
    add(f"pbkdf2-sha256-omit-{omit}", {"algorithm": "pbkdf2", "hash": {"value": f"$pbkdf2-sha256${params}${ab64(salt)}${ab64(dk)}", "encoding": "utf8"}})
for pe in PASSWORD_ENCODINGS[1:]:
    dk = hashlib.pbkdf2_hmac("sha256", node_encode(PW, pe), salt, 1000, 32)
    add(f"pbkdf2-sha256-pw-{pe}", {"algorithm": "pbkdf2", "hash": {"value": f"$pbkdf2-sha256$i=1000,l=32${ab64(salt)}${ab64(dk)}", "encoding": "utf8"},
                                   "password": {"encoding": pe}})

# ldap: every RFC 2307 scheme Auth0 lists, salts of several lengths; passlib's where it has them.
for scheme, algo, salted_scheme in [("MD5", "md5", False), ("SMD5", "md5", True), ("SHA", "sha1", False), ("SSHA", "sha1", True),
                                    ("SHA256", "sha256", False), ("SSHA256", "sha256", True), ("SHA384", "sha384", False), ("SSHA384", "sha384", True),
                                    ("SHA512", "sha512", False), ("SSHA512", "sha512", True)]:
    for s in ([b"ab", b"ldapsalt", os.urandom(16)] if salted_scheme else [b""]):
        value = "{%s}%s" % (scheme, base64.b64encode(hashlib.new(algo, PW.encode() + s).digest() + s).decode())
        add(f"ldap-{scheme}-salt{len(s)}", {"algorithm": "ldap", "hash": {"value": value, "encoding": "utf8"}})
    lower = "{%s}%s" % (scheme.lower(), base64.b64encode(hashlib.new(algo, PW.encode() + (b"xy" if salted_scheme else b"")).digest() + (b"xy" if salted_scheme else b"")).decode())
    add(f"ldap-{scheme}-lowercase-scheme", {"algorithm": "ldap", "hash": {"value": lower, "encoding": "utf8"}})
for name, h in [("passlib-ldap_md5", ldap_md5), ("passlib-ldap_sha1", ldap_sha1), ("passlib-ldap_salted_md5", ldap_salted_md5),
                ("passlib-ldap_salted_sha1", ldap_salted_sha1), ("passlib-ldap_salted_sha256", ldap_salted_sha256), ("passlib-ldap_salted_sha512", ldap_salted_sha512)]:
    add(name, {"algorithm": "ldap", "hash": {"value": h.hash(PW), "encoding": "utf8"}})

# bcrypt: $2a$ $2b$ $2y$, costs, salts prefix/suffix, password encodings.
for prefix in [b"2a", b"2b"]:
    for rounds in [4, 5]:
        h = bcrypt.hashpw(PW.encode(), bcrypt.gensalt(rounds=rounds, prefix=prefix)).decode()
        add(f"bcrypt-{prefix.decode()}-cost{rounds}", {"algorithm": "bcrypt", "hash": {"value": h, "encoding": "utf8"}})
h = bcrypt.hashpw(PW.encode(), bcrypt.gensalt(rounds=4)).decode().replace("$2b$", "$2y$", 1)
add("bcrypt-2y", {"algorithm": "bcrypt", "hash": {"value": h, "encoding": "utf8"}})
for sname, sjson, s in salt_variants():
    if sjson is None or sjson.get("encoding") not in (None, "utf8"): continue
    add(f"bcrypt-{sname}", {"algorithm": "bcrypt", "hash": {"value": bcrypt.hashpw(salted(PW.encode(), s), bcrypt.gensalt(rounds=4)).decode(), "encoding": "utf8"},
                            "salt": sjson})
add("bcrypt-pw-utf8-accent", {"algorithm": "bcrypt", "hash": {"value": bcrypt.hashpw(b"caf\xc3\xa9", bcrypt.gensalt(rounds=4)).decode()}}, password="café")

# argon2: the three types, both versions' parameters, password encodings.
for t, name in [(Type.ID, "argon2id"), (Type.I, "argon2i"), (Type.D, "argon2d")]:
    for tc, mc, par in [(1, 1024, 1), (2, 2048, 2)]:
        add(f"{name}-t{tc}-m{mc}-p{par}", {"algorithm": "argon2", "hash": {"value": PasswordHasher(time_cost=tc, memory_cost=mc, parallelism=par, type=t).hash(PW), "encoding": "utf8"}})
add("argon2id-pw-utf16le", {"algorithm": "argon2", "hash": {"value": PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PW.encode("utf-16-le")), "encoding": "utf8"},
                            "password": {"encoding": "utf16le"}})

# scrypt: hash encodings (Auth0's example is hex), salt encodings, key lengths, costs.
for he in ["hex", "HEX", "base64", "base64url"]:
    for se, raw in SALTS:
        for keylen, cost, r, p in [(32, 1024, 8, 1), (64, 2048, 4, 2)]:
            dk = hashlib.scrypt(PW.encode(), salt=raw, n=cost, r=r, p=p, dklen=keylen)
            add(f"scrypt-{he}-salt-{se}-k{keylen}-n{cost}-r{r}-p{p}", {"algorithm": "scrypt", "hash": {"value": enc(dk, he), "encoding": schema_encoding(he)},
                "salt": {"value": enc(raw, se), "encoding": schema_encoding(se)}, "keylen": keylen, "cost": cost, "blockSize": r, "parallelization": p})
# blockSize and parallelization omitted: 8 and 1.
dk = hashlib.scrypt(PW.encode(), salt=b"NaCl", n=1024, r=8, p=1, dklen=64)
add("scrypt-defaults", {"algorithm": "scrypt", "hash": {"value": dk.hex(), "encoding": "hex"}, "salt": {"value": "NaCl"}, "keylen": 64, "cost": 1024})

# The same hashes with a wrong password must not match.
for f in list(out):
    out.append(dict(f, name=f["name"] + "-wrong", password=f["password"] + "x", expect="mismatch"))

here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "password-hash-fixtures.json"), "w") as fh:
    # One fixture a line: small diffs when the generator changes.
    fh.write("[\n" + ",\n".join(json.dumps(f, ensure_ascii=False) for f in out) + "\n]\n")
print(len(out), "fixtures")
