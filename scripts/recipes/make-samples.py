#!/usr/bin/env python3
"""Writes the recipes' sample files (scripts/recipes/samples/), each in the structure its system
documents, with passwords hashed by independent libraries (bcrypt, passlib, hashlib), and
passwords.json: for each sample, email → password (what `verify` must accept), or null where the
recipe cannot carry the password. Small work factors keep the tests fast. Run with the hash venv:
  .build/hash-venv/bin/python scripts/recipes/make-samples.py
The outputs are committed; tests need no Python. Fixed seed: the same files every run, except
the salts (random by design in the libraries)."""
import base64, csv, hashlib, io, json, os, random

import bcrypt
from passlib.hash import django_argon2, django_pbkdf2_sha1, django_pbkdf2_sha256, django_salted_md5, django_salted_sha1

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "samples")
rnd = random.Random(18)
passwords = {}

def pw(i, tag):
    # Some non-ASCII, some of 14+ characters (Keycloak pads shorter ones with NULs).
    return ["s3cret-%d" % i, "Ünïcødé-%d" % i, "a much longer passphrase %d" % i][i % 3] + tag

def write(name, text):
    with open(os.path.join(OUT, name), "w", encoding="utf-8", newline="") as f:
        f.write(text)

# Generic CSV: a header row, one user per row, a bcrypt column.
rows, pws = [], {}
for i in range(8):
    email = "csv%d@example.com" % i
    p = pw(i, "c")
    pws[email] = p
    rows.append({"email": email, "first_name": "First%d" % i, "last_name": "Last%d" % i, "verified": ["yes", "no"][i % 2],
                 "password_bcrypt": bcrypt.hashpw(p.encode(), bcrypt.gensalt(4)).decode(), "plan": ["free", "pro"][i % 2],
                 "signed_up": "2021-0%d-1%dT10:00:00Z" % (1 + i % 9, i % 10)})
rows[3]["password_bcrypt"] = ""
pws["csv3@example.com"] = None
buf = io.StringIO()
w = csv.DictWriter(buf, fieldnames=list(rows[0].keys()), lineterminator="\r\n")
w.writeheader()
w.writerows(rows)
write("generic.csv", buf.getvalue())
passwords["generic.csv"] = pws

# Firebase `firebase auth:export users.json`: {"users": [...]} with the keys firebase-tools'
# accountExporter writes (localId, email, emailVerified, passwordHash, salt, displayName, photoUrl,
# lastSignedInAt, createdAt, phoneNumber, disabled, customAttributes, providerUserInfo). Its
# passwordHash is Firebase's modified scrypt (the only hashes it exports), which Auth0 cannot
# take: here random bytes of the right size, since no recipe can read them.
users, pws = [], {}
for i in range(6):
    u = {"localId": "fb%020d" % i, "email": "fb%d@example.com" % i, "emailVerified": i % 2 == 0,
         "displayName": "Fire Base %d" % i, "lastSignedInAt": str(1700000000000 + i * 1000), "createdAt": str(1600000000000 + i * 1000)}
    if i != 4:  # user 4 signs in with Google only
        u["passwordHash"] = base64.b64encode(rnd.randbytes(64)).decode()
        u["salt"] = base64.b64encode(rnd.randbytes(12)).decode()
    else:
        u["providerUserInfo"] = [{"providerId": "google.com", "rawId": "1077%d" % i, "email": u["email"], "displayName": u["displayName"],
                                  "photoUrl": "https://lh3.googleusercontent.com/a/x%d" % i}]
    if i % 3 == 0: u["photoUrl"] = "https://example.com/p/%d.png" % i
    if i == 2: u["phoneNumber"] = "+15555550102"
    if i == 5: u["disabled"] = True
    if i % 2 == 1: u["customAttributes"] = json.dumps({"role": "editor", "tier": i})
    users.append(u)
    pws[u["email"]] = None
write("firebase-auth-export.json", '{"users": [' + ",\n".join(json.dumps(u, indent=2) for u in users) + "]}")
passwords["firebase-auth-export.json"] = pws

# Keycloak realm export (kc.sh export / partial export with users): a realm object whose users
# carry credentials with `secretData` and `credentialData` as JSON strings, base64 salt and hash,
# as Keycloak's Pbkdf2PasswordHashProvider writes them (passwords under 14 characters padded with
# NULs before PBKDF2; derived key 256 bits for pbkdf2-sha256, 512 for pbkdf2-sha512 and pbkdf2).
def keycloak_credential(p, algorithm, iterations):
    digest, bits = {"pbkdf2-sha256": ("sha256", 256), "pbkdf2-sha512": ("sha512", 512), "pbkdf2": ("sha1", 512)}[algorithm]
    salt = rnd.randbytes(16)
    padded = p + "\0" * max(0, 14 - len(p))
    key = hashlib.pbkdf2_hmac(digest, padded.encode(), salt, iterations, bits // 8)
    return {"id": "c%031x" % rnd.getrandbits(124), "type": "password", "userLabel": "My password", "createdDate": 1690000000000,
            "secretData": json.dumps({"value": base64.b64encode(key).decode(), "salt": base64.b64encode(salt).decode(), "additionalParameters": {}}),
            "credentialData": json.dumps({"hashIterations": iterations, "algorithm": algorithm, "additionalParameters": {}})}
users, pws = [], {}
algorithms = ["pbkdf2-sha256", "pbkdf2-sha512", "pbkdf2", "pbkdf2-sha256", None, "md5-crypt"]
for i, algorithm in enumerate(algorithms):
    email = "kc%d@example.com" % i
    p = pw(i, "k")
    u = {"id": "%08x-0000-4000-8000-%012x" % (i, i), "createdTimestamp": 1690000000000 + i, "username": "kc%d" % i, "enabled": i != 3,
         "totp": False, "emailVerified": i % 2 == 0, "firstName": "Key%d" % i, "lastName": "Cloak%d" % i, "email": email,
         "attributes": {"locale": ["en"], "department": ["d%d" % i]} if i % 2 == 0 else {},
         "credentials": [], "disableableCredentialTypes": [], "requiredActions": [], "realmRoles": ["default-roles-acme"] + (["admin"] if i == 0 else []),
         "notBefore": 0, "groups": ["/staff"] if i % 2 else []}
    if algorithm is None:
        pws[email] = None
    elif algorithm == "md5-crypt":  # a provider Auth0 has no counterpart for
        u["credentials"].append({"id": "c5", "type": "password", "createdDate": 1690000000000,
                                 "secretData": json.dumps({"value": "$1$abcdefgh$Jx2Ws5ZdvLOGRdkgBfyqu.", "salt": "", "additionalParameters": {}}),
                                 "credentialData": json.dumps({"hashIterations": 1, "algorithm": "md5-crypt", "additionalParameters": {}})})
        pws[email] = None
    else:
        u["credentials"].append(keycloak_credential(p, algorithm, 1000 + i))
        pws[email] = p
    users.append(u)
realm = {"id": "acme", "realm": "acme", "enabled": True, "users": users, "roles": {"realm": []}, "clients": []}
write("keycloak-realm-export.json", json.dumps(realm, indent=2))
passwords["keycloak-realm-export.json"] = pws

# Django's auth_user table as CSV (psql \copy … CSV HEADER): the `password` column in Django's
# encoded form, ALGORITHM$…, as its hashers (and passlib's django_* handlers) write it.
rows, pws = [], {}
kinds = ["pbkdf2_sha256", "pbkdf2_sha1", "argon2", "bcrypt", "sha1", "md5", "bcrypt_sha256", "unusable", "pbkdf2_sha256"]
for i, kind in enumerate(kinds):
    email = "dj%d@example.com" % i
    p = pw(i, "d")
    if kind == "pbkdf2_sha256": h = django_pbkdf2_sha256.using(rounds=1000 + i).hash(p)
    elif kind == "pbkdf2_sha1": h = django_pbkdf2_sha1.using(rounds=1000).hash(p)
    elif kind == "argon2": h = django_argon2.using(type="ID", memory_cost=256, rounds=2, parallelism=1).hash(p)
    elif kind == "bcrypt": h = "bcrypt$" + bcrypt.hashpw(p.encode(), bcrypt.gensalt(4)).decode()
    elif kind == "sha1": h = django_salted_sha1.hash(p)
    elif kind == "md5": h = django_salted_md5.hash(p)
    elif kind == "bcrypt_sha256": h = "bcrypt_sha256$" + bcrypt.hashpw(hashlib.sha256(p.encode()).hexdigest().encode(), bcrypt.gensalt(4)).decode()
    else: h = "!" + "".join(rnd.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in range(40))
    pws[email] = None if kind in ("bcrypt_sha256", "unusable") else p
    rows.append({"id": str(100 + i), "password": h, "last_login": "" if i % 2 else "2024-05-01 10:00:00+00", "is_superuser": "f",
                 "username": "dj%d" % i, "first_name": "Djan%d" % i, "last_name": "Go%d" % i, "email": email, "is_staff": "t" if i == 0 else "f",
                 "is_active": "f" if i == 5 else "t", "date_joined": "2020-01-0%d 09:00:00+00" % (1 + i)})
buf = io.StringIO()
w = csv.DictWriter(buf, fieldnames=list(rows[0].keys()), lineterminator="\n")
w.writeheader()
w.writerows(rows)
write("django-auth-user.csv", buf.getvalue())
passwords["django-auth-user.csv"] = pws

write("passwords.json", json.dumps(passwords, indent=2, ensure_ascii=False) + "\n")
