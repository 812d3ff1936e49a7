#!/usr/bin/env python3
"""Generates schema-corpus.json for the schema differential test: users made at random (fixed
seed) and mutated, each with the verdict of Python's jsonschema (draft 7) against
auth0-user-import-schema.json, Auth0's published schema plus the rules of its prose. porter's
validator must agree on every user in both directions (accept what it accepts, reject what it
rejects); porter's stricter checks are warnings and do not count. The output is committed.
  .build/hash-venv/bin/python Tests/PorterFormatsTests/Fixtures/make-schema-corpus.py
Email format: jsonschema's own checker only looks for '@', so the one documented in
ImportValidator.isEmail is registered (local part <= 64, whole <= 254, no spaces or <>(),,
a dotted domain without empty labels)."""
import copy, json, os, random, re
import jsonschema

here = os.path.dirname(os.path.abspath(__file__))
schema = json.load(open(os.path.join(here, "auth0-user-import-schema.json")))
checker = jsonschema.FormatChecker()
EMAIL = re.compile(r"^[^\s@<>(),]{1,64}@[^\s@<>(),.]+(\.[^\s@<>(),.]+)+$")
@checker.checks("email")
def is_email(s):
    if not isinstance(s, str): return True
    local, _, _ = s.rpartition("@")
    return len(s.encode()) <= 254 and bool(EMAIL.match(s)) and "@" not in local
validator = jsonschema.Draft7Validator(schema, format_checker=checker)

R = random.Random(20261201)
def pick(xs): return R.choice(xs)
def maybe(p=0.5): return R.random() < p
B32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
counter = [0]

def email():
    counter[0] += 1
    return pick(["u{n}@example.com", "First.Last+{n}@Sub.Example.co.uk", "ü{n}@bücher.de", "o'neil{n}@x.io", "{n}@a.b"]).format(n=counter[0])

def text(lo=1, hi=20):
    return "".join(pick("abcXYZ éß中 -'") for _ in range(R.randint(lo, hi)))

def metadata(depth=0):
    o = {}
    for _ in range(R.randint(0, 3)):
        k = pick(["plan", "tier", "prefs", "a_b", "x-y", "ключ", "n1"])
        o[k] = pick([1, 2.5, True, None, "s", [1, "two"], {}]) if depth > 1 or maybe(0.6) else metadata(depth + 1)
    return o

def custom_hash():
    a = pick(["argon2", "bcrypt", "hmac", "ldap", "md4", "md5", "sha1", "sha256", "sha512", "pbkdf2", "scrypt"])
    h = {"algorithm": a, "hash": {"value": "x" * R.randint(1, 20)}}
    if a in ("md4", "md5", "sha1", "sha256", "sha512", "hmac", "scrypt"):
        if maybe(0.8): h["hash"]["encoding"] = pick(["hex", "base64"])
    elif maybe(0.7):
        h["hash"]["encoding"] = "utf8"
    if a == "hmac":
        h["hash"]["digest"] = pick(["md4", "md5", "ripemd160", "sha1", "sha224", "sha256", "sha384", "sha512", "whirlpool"])
        h["hash"]["key"] = {"value": "k"}
        if maybe(): h["hash"]["key"]["encoding"] = pick(["utf8", "hex", "base64"])
    if a in ("md4", "md5", "sha1", "sha256", "sha512", "hmac", "bcrypt", "scrypt") and maybe(0.6):
        h["salt"] = {"value": "s"}
        if maybe(): h["salt"]["encoding"] = pick(["utf8", "hex", "base64"])
        if maybe(): h["salt"]["position"] = pick(["prefix", "suffix"])
    if maybe(0.3): h["password"] = {"encoding": pick(["ascii", "utf8", "utf16le", "ucs2", "latin1", "binary"])}
    if a == "scrypt":
        h["keylen"] = pick([16, 32, 64])
        if maybe(): h["cost"] = pick([2, 1024, 16384, 1 << 20])
        if maybe(): h["blockSize"] = pick([1, 8])
        if maybe(): h["parallelization"] = pick([1, 2])
    return h

def factor():
    k = pick(["totp", "phone", "email", "empty"])
    if k == "totp": return {"totp": {"secret": "".join(pick(B32) for _ in range(R.randint(1, 40)))}}
    if k == "phone": return {"phone": {"value": "+" + "".join(pick("0123456789") for _ in range(R.randint(1, 15)))}}
    if k == "email": return {"email": {"value": email()}}
    return {}

def valid_user():
    u = {"email": email()}
    if maybe(): u["email_verified"] = maybe()
    if maybe(0.4): u["user_id"] = pick(["id{}".format(R.randint(0, 10**9)), pick(["x" * 255, "x" * 256]), "", "a|b"])
    if maybe(0.4): u["username"] = pick(["ada_l", "has space", "bob@home", "ö", "", "x" * 129, "a.b-c"])
    for k in ["given_name", "family_name", "name", "nickname"]:
        if maybe(0.4): u[k] = pick([text(), text(), text(), text(), "", "n" * 150, "n" * 151])
    if maybe(0.3): u["picture"] = "https://example.com/p.png"
    if maybe(0.2): u["blocked"] = maybe()
    if maybe(0.3): u["phone_number"] = "+" + "".join(pick("0123456789") for _ in range(R.randint(1, 15)))
    if maybe(0.2): u["phone_verified"] = maybe()
    r = R.random()
    if r < 0.2: u["password_hash"] = pick(["$2b$10$" + "a" * 53, "$2a$10$" + "b" * 53, "$2y$10$" + "c" * 53, "not-bcrypt"])
    elif r < 0.6: u["custom_password_hash"] = custom_hash()
    if maybe(0.4): u["app_metadata"] = metadata()
    if maybe(0.4): u["user_metadata"] = metadata()
    if maybe(0.3): u["mfa_factors"] = [factor() for _ in range(pick([1, 2, 3, 10]))]
    return u

def chp(u):
    if "custom_password_hash" not in u:
        u.pop("password_hash", None)
        u["custom_password_hash"] = custom_hash()
    return u["custom_password_hash"]

def deep_meta(u, key):
    md = u.setdefault(pick(["app_metadata", "user_metadata"]), {})
    if maybe(): md = md.setdefault("nested", {})
    md[key] = 1

MUTATIONS = [
    ("no-email", lambda u: u.pop("email")),
    ("email-number", lambda u: u.__setitem__("email", 42)),
    ("email-bad", lambda u: u.__setitem__("email", pick(["nope", "a@b", "a b@c.io", "@x.io", "a@.io", "a@b..io", "a@b.io.", "x" * 65 + "@b.io"]))),
    ("extra-property", lambda u: u.__setitem__(pick(["extra", "password", "identities", "Email"]), 1)),
    ("bool-as-string", lambda u: u.__setitem__(pick(["email_verified", "blocked", "phone_verified"]), "true")),
    ("string-as-number", lambda u: u.__setitem__(pick(["user_id", "username", "name", "nickname", "picture", "given_name", "password_hash"]), 7)),
    ("phone-bad", lambda u: u.__setitem__("phone_number", pick(["555-1234", "+", "+1234567890123456", "+1 555", "0033", "+१२"]))),
    ("phone-edge-valid", lambda u: u.__setitem__("phone_number", pick(["+0", "+1", "+012345678901234"]))),
    ("username-email", lambda u: u.__setitem__("username", "someone@example.com")),
    ("metadata-dot", lambda u: deep_meta(u, pick(["a.b", "$set", "x$"]))),
    ("metadata-not-object", lambda u: u.__setitem__(pick(["app_metadata", "user_metadata"]), pick([[1], "s", 3]))),
    ("app-metadata-reserved", lambda u: u.setdefault("app_metadata", {}).__setitem__(pick(["blocked", "user_id", "__tenant", "loginsCount"]), 1)),
    ("both-hashes", lambda u: (chp(u), u.__setitem__("password_hash", "$2b$10$" + "a" * 53))),
    ("chp-extra", lambda u: chp(u).__setitem__(pick(["iterations", "digest", "key", "Salt"]), 1)),
    ("chp-algorithm-bad", lambda u: chp(u).__setitem__("algorithm", pick(["rot13", "MD5", 5, "sha384"]))),
    ("chp-no-hash", lambda u: chp(u).pop("hash")),
    ("chp-no-algorithm", lambda u: chp(u).pop("algorithm")),
    ("hash-no-value", lambda u: chp(u)["hash"].pop("value")),
    ("hash-value-number", lambda u: chp(u)["hash"].__setitem__("value", 1)),
    ("hash-not-object", lambda u: chp(u).__setitem__("hash", "abc")),
    ("hash-encoding-any", lambda u: chp(u)["hash"].__setitem__("encoding", pick(["hex", "base64", "utf8", "latin1", "HEX"]))),
    ("hash-extra-allowed", lambda u: chp(u)["hash"].__setitem__("note", "x")),
    ("digest-key-anywhere", lambda u: chp(u)["hash"].__setitem__(pick(["digest", "key"]), pick(["sha256", {"value": "k"}]))),
    ("hmac-missing", lambda u: (chp(u).update({"algorithm": "hmac", "hash": {"value": "v", "encoding": "hex", "digest": "sha1", "key": {"value": "k"}}}),
                                chp(u)["hash"].pop(pick(["digest", "key"])))),
    ("hmac-digest-alias", lambda u: chp(u).update({"algorithm": "hmac", "hash": {"value": "v", "encoding": "hex", "digest": pick(["RSA-SHA256", "SHA256", "sha3-256", "md2"]), "key": {"value": "k"}}})),
    ("key-bad", lambda u: chp(u).update({"algorithm": "hmac", "hash": {"value": "v", "digest": "md5", "key": pick([{"encoding": "hex"}, {"value": 1}, "k", {"value": "k", "encoding": "b32"}, {"value": "k", "x": 1}])}})),
    ("salt-no-value", lambda u: chp(u).__setitem__("salt", pick([{"position": "prefix"}, {}, {"value": 3}]))),
    ("salt-not-object", lambda u: chp(u).__setitem__("salt", "s")),
    ("salt-bad-enum", lambda u: chp(u).__setitem__("salt", pick([{"value": "s", "position": "middle"}, {"value": "s", "encoding": "latin1"}]))),
    ("salt-extra-allowed", lambda u: chp(u).__setitem__("salt", {"value": "s", "note": 1})),
    ("salt-any-algorithm", lambda u: chp(u).__setitem__("salt", {"value": "s"})),
    ("scrypt", lambda u: chp(u).update({"algorithm": "scrypt", "hash": {"value": "00", "encoding": "hex"}, "keylen": pick([64, 0, -1, 1.5, "64"]),
                                       "cost": pick([16384, 1, 3, 1000, 2, 1.0, 2.5])})),
    ("scrypt-no-keylen", lambda u: chp(u).update({"algorithm": "scrypt", "hash": {"value": "00", "encoding": "hex"}})),
    ("scrypt-params-type", lambda u: chp(u).update({"algorithm": "scrypt", "hash": {"value": "00", "encoding": "base64"}, "keylen": 32, pick(["blockSize", "parallelization"]): pick([0, "8", 8.5, True])})),
    ("params-other-algorithm", lambda u: chp(u).__setitem__(pick(["keylen", "cost", "blockSize"]), pick([3, 0, "x"]))),
    ("password-encoding", lambda u: chp(u).__setitem__("password", pick([{"encoding": "utf-8"}, {"encoding": "hex"}, "utf8", {"encoding": "ascii", "x": 1}]))),
    ("mfa-empty", lambda u: u.__setitem__("mfa_factors", [])),
    ("mfa-eleven", lambda u: u.__setitem__("mfa_factors", [factor() for _ in range(11)])),
    ("mfa-two-kinds", lambda u: u.__setitem__("mfa_factors", [{"totp": {"secret": "JBSWY3DPEHPK3PXP"}, "email": {"value": "a@b.io"}}])),
    ("mfa-extra", lambda u: u.__setitem__("mfa_factors", [pick([{"sms": {"value": "+1"}}, {"totp": {"secret": "AB"}, "x": 1}, {"phone": {"value": "+1", "x": 1}}, {"totp": {"secret": "AB", "issuer": "x"}}])])),
    ("mfa-bad-values", lambda u: u.__setitem__("mfa_factors", [pick([{"totp": {"secret": pick(["jbswy3dp", "", "AB=", "ABC1"])}}, {"phone": {"value": pick(["123", "+", "+1234567890123456"])}},
                                                                      {"email": {"value": "nope"}}, {"totp": {}}, {"phone": {}}, {"totp": "x"}, "totp", None, []])])),
    ("mfa-not-array", lambda u: u.__setitem__("mfa_factors", {"totp": {"secret": "AB"}})),
    ("mfa-valid-edges", lambda u: u.__setitem__("mfa_factors", [pick([{}, {"totp": {"secret": "A"}}, {"phone": {"value": "+0"}}, {"totp": {"secret": "A" * 200}}])])),
    ("not-an-object", lambda u: None),
]

corpus = []
for i in range(800):
    corpus.append(("random", valid_user()))
for i in range(45 * len(MUTATIONS)):
    name, m = MUTATIONS[i % len(MUTATIONS)]
    u = valid_user()
    if name == "not-an-object":
        u = pick([[1], "user", 3, None, True])
    else:
        m(u)
    corpus.append((name, u))

out = []
for name, u in corpus:
    errors = sorted({"/".join(str(p) for p in e.absolute_path) or "(user)" for e in validator.iter_errors(u)})
    out.append({"kind": name, "user": u, "valid": not errors, "errors": errors})
with open(os.path.join(here, "schema-corpus.json"), "w") as fh:
    fh.write("[\n" + ",\n".join(json.dumps(o, ensure_ascii=False, separators=(",", ":")) for o in out) + "\n]\n")
print(len(out), "users:", sum(o["valid"] for o in out), "valid,", sum(not o["valid"] for o in out), "invalid")
