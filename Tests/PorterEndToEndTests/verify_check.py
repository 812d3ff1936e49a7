"""Fixtures and the SDK check of the verify tests (Tests/PorterEndToEndTests/VerifyTests.swift).

  python3 verify_check.py fixtures HASHES.json DIR   users of every hash algorithm (from the fixtures
      made by passlib/bcrypt/argon2/hashlib): DIR/import.json (Auth0's import schema), DIR/cases.json
  python3 verify_check.py accounts N DIR              N import users with cheap salted digests and the
      accounts file of verify --file: DIR/bulk-import.json, DIR/accounts.json (NDJSON), DIR/accounts.csv, DIR/expected.json
  SDK/python verify_check.py sdk BASE CLIENT SECRET MGMT_CLIENT MGMT_SECRET EMAIL PASSWORD BLOCKED_EMAIL BLOCKED_PASSWORD REALM
      Auth0's Python SDK, unchanged (GetToken.login with a realm), against porter serve: the token's shape,
      the id token checked by the SDK's own TokenVerifier, and the documented errors it raises."""
import csv, hashlib, hmac, json, os, random, sys


def fixtures(hashes, out):
    data = json.load(open(hashes))
    by_alg = {}
    for f in data:
        if f["expect"] == "match":
            by_alg.setdefault(f["custom_password_hash"]["algorithm"], []).append(f)
    users, cases = [], []
    for alg, fs in sorted(by_alg.items()):
        for k, f in enumerate([fs[0], fs[len(fs) // 2], fs[-1]]):
            email = f"{alg}-{k}@fixtures.test"
            users.append({"email": email, "email_verified": True, "custom_password_hash": f["custom_password_hash"]})
            cases.append({"email": email, "password": f["password"], "algorithm": alg, "fixture": f["name"]})
    b = by_alg["bcrypt"][0]
    users.append({"email": "blocked@fixtures.test", "blocked": True, "custom_password_hash": b["custom_password_hash"]})
    users.append({"email": "locked@fixtures.test", "custom_password_hash": b["custom_password_hash"]})
    json.dump(users, open(os.path.join(out, "import.json"), "w"))
    json.dump({"cases": cases, "blocked": {"email": "blocked@fixtures.test", "password": b["password"]},
               "locked": {"email": "locked@fixtures.test", "password": b["password"]}}, open(os.path.join(out, "cases.json"), "w"))


def accounts(n, out):
    """n accounts: 90% with the right password, 6% a wrong one, 3% unknown users, 1% blocked users."""
    rng = random.Random(19)
    users, accts = [], []
    expected = {"right": 0, "wrong": 0, "unknown": 0, "blocked": 0}
    for i in range(n):
        email = f"user{i}@bulk.test"
        pw = f"pw-{rng.getrandbits(64):016x}-{i}"
        salt = os.urandom(8)
        alg = ["md5", "sha1", "sha256", "sha512", "hmac"][i % 5]
        if alg == "hmac":
            key = b"k3y"
            h = {"algorithm": "hmac", "hash": {"value": hmac.new(key, pw.encode(), "sha256").hexdigest(), "encoding": "hex",
                                               "digest": "sha256", "key": {"value": key.decode(), "encoding": "utf8"}}}
        else:
            h = {"algorithm": alg, "hash": {"value": hashlib.new(alg, salt + pw.encode()).hexdigest(), "encoding": "hex"},
                 "salt": {"value": salt.hex(), "encoding": "hex", "position": "prefix"}}
        kind = "right" if i % 100 < 90 else "wrong" if i % 100 < 96 else "unknown" if i % 100 < 99 else "blocked"
        expected[kind] += 1
        if kind != "unknown":
            u = {"email": email, "custom_password_hash": h}
            if kind == "blocked":
                u["blocked"] = True
            users.append(u)
        accts.append({"email": email, "password": pw + "x" if kind == "wrong" else pw})
    json.dump(users, open(os.path.join(out, "bulk-import.json"), "w"))
    with open(os.path.join(out, "accounts.json"), "w") as f:
        f.write("\n".join(json.dumps(a) for a in accts) + "\n")   # NDJSON
    with open(os.path.join(out, "accounts.csv"), "w", newline="") as f:   # the same accounts as CSV
        w = csv.writer(f)
        w.writerow(["email", "password"])
        w.writerows([a["email"], a["password"]] for a in accts)
    json.dump(expected, open(os.path.join(out, "expected.json"), "w"))


def sdk(base, client, secret, mgmt, mgmt_secret, email, password, blocked, blocked_pw, realm):
    from auth0.authentication import GetToken
    from auth0.authentication.exceptions import Auth0Error, RateLimitError
    from auth0.authentication.token_verifier import SymmetricSignatureVerifier, TokenVerifier
    failures = []

    def check(cond, what):
        if not cond:
            failures.append(what)
            print("FAIL", what)

    domain = base.split("://", 1)[1]
    gt = GetToken(domain, client, client_secret=secret, protocol="http")
    tok = gt.login(email, password, realm=realm, scope="openid profile email")
    check(set(tok) == {"access_token", "id_token", "scope", "expires_in", "token_type"} and tok["token_type"] == "Bearer", f"token shape {tok}")
    tv = TokenVerifier(signature_verifier=SymmetricSignatureVerifier(secret), issuer=base + "/", audience=client)
    try:
        claims = tv.verify(tok["id_token"])
        check(claims.get("email") == email and claims.get("sub", "").startswith("auth0|"), f"id token claims {claims}")
    except Exception as e:
        check(False, f"the SDK's TokenVerifier refuses the id token: {e!r}")

    def error_of(call):
        try:
            call()
        except Auth0Error as e:
            return e
        return None

    e = error_of(lambda: gt.login(email, password + "x", realm=realm))
    check(e is not None and e.status_code == 403 and e.error_code == "invalid_grant" and e.message == "Wrong email or password.", f"wrong password {e!r}")
    e = error_of(lambda: gt.login(blocked, blocked_pw, realm=realm))
    check(e is not None and e.status_code == 401 and e.error_code == "unauthorized" and e.message == "user is blocked", f"blocked {e!r}")
    e = error_of(lambda: GetToken(domain, mgmt, client_secret=mgmt_secret, protocol="http").login(email, password, realm=realm))
    check(e is not None and e.status_code == 403 and e.error_code == "unauthorized_client", f"grant not enabled {e!r}")
    e = error_of(lambda: GetToken(domain, client, client_secret="wrong", protocol="http").login(email, password, realm=realm))
    check(e is not None and e.status_code == 401 and e.error_code == "access_denied", f"wrong client secret {e!r}")
    for _ in range(10):
        error_of(lambda: gt.login(email, "not-it", realm=realm))
    e = error_of(lambda: gt.login(email, password, realm=realm))
    check(isinstance(e, RateLimitError) and e.error_code == "too_many_attempts", f"too many attempts {e!r}")
    print("SDK FAILURES", len(failures) if failures else "none")
    print("SDK OK" if not failures else "SDK FAILED")
    return 0 if not failures else 1


if __name__ == "__main__":
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "fixtures":
        fixtures(*args)
    elif cmd == "accounts":
        accounts(int(args[0]), args[1])
    elif cmd == "sdk":
        sys.exit(sdk(*args))
