"""Auth0's official Python SDK (auth0-python, unchanged) against porter serve: every route,
queries with spaces, quotes, `+`, `&` and unicode, and each answer's shape field by field."""
import gzip, json, os, sys, tempfile, time, urllib.error, urllib.request, urllib.parse
from auth0.management import Auth0
from auth0.management.core.api_error import ApiError

base, client_id, secret, users_file = sys.argv[1:5]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL", what)


def dump(model):
    return model.model_dump(exclude_unset=True, by_alias=True) if hasattr(model, "model_dump") else dict(model)


def post_token(fields):
    req = urllib.request.Request(base + "/oauth/token", urllib.parse.urlencode(fields).encode(),
                                 {"content-type": "application/x-www-form-urlencoded"})
    try:
        with urllib.request.urlopen(req) as r:
            return r.status, json.load(r)
    except urllib.error.HTTPError as e:
        return e.code, json.load(e)


# Token: the documented answer, and OAuth-shaped errors.
status, tok = post_token({"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret, "audience": base + "/api/v2/"})
check(status == 200 and set(tok) == {"access_token", "expires_in", "scope", "token_type"}, f"token shape {tok}")
status, bad = post_token({"grant_type": "client_credentials", "client_id": client_id, "client_secret": "wrong", "audience": base + "/api/v2/"})
check(status == 401 and set(bad) == {"error", "error_description"} and bad["error"] == "access_denied", f"token error {status} {bad}")
api = Auth0(base_url=base + "/api/v2", token=tok["access_token"])

# Connections (checkpoint paging, as the SDK asks), every documented field.
conns = list(api.connections.list(strategy="auth0"))
print("connections", [c.name for c in conns])
c0 = dump(conns[0])
for key in ["id", "name", "display_name", "strategy", "enabled_clients", "is_domain_connection", "realms", "options", "metadata"]:
    check(key in c0, f"connection field {key}: {c0}")
check(c0.get("realms") == [c0.get("name")] and c0.get("strategy") == "auth0", f"connection values {c0}")
named = list(api.connections.list(name="Username-Password-Authentication", fields="id,name", include_fields=True))
check(len(named) == 1 and set(dump(named[0])) == {"id", "name"}, f"connections fields {[dump(n) for n in named]}")
cid = conns[0].id


def run_import(path):
    with open(path, "rb") as f:
        job = api.jobs.users_imports.create(users=f, connection_id=cid, upsert=False)
    jd = dump(job)
    for key in ["id", "type", "status", "connection_id", "connection", "created_at", "upsert"]:
        check(key in jd, f"import job field {key}: {jd}")
    for _ in range(200):
        j = api.jobs.get(job.id)
        if j.status in ("completed", "failed"):
            return j
        time.sleep(0.1)
    return j


# Import: the test's users, then users whose values need every kind of escaping.
j = run_import(users_file)
print("import job", j.id, j.status)
jd = dump(j)
check(j.status == "completed" and {"inserted", "updated", "failed", "total"} <= set(jd.get("summary", {})), f"job {jd}")
check(jd.get("connection") == "Username-Password-Authentication", f"job connection {jd}")
errs = api.jobs.errors.get(j.id)
print("errors", type(errs).__name__)
special = [
    {"email": "zoe+tag@acme.com", "name": "Zoë O'Brien & Co+", "given_name": "Zoëlle", "user_metadata": {"city": "Zürich"}},
    {"email": "dennis.thompson@acme.com", "name": "Dennis Thompson"},
    {"email": "broken", "custom_password_hash": "$2b$10$SHOULDNOTLEAK"},
]
tmp = os.path.join(tempfile.mkdtemp(), "special.json")
with open(tmp, "w", encoding="utf-8") as f:
    json.dump(special, f, ensure_ascii=False)
j2 = run_import(tmp)
check(dump(j2).get("summary", {}).get("inserted") == 2, f"special import {dump(j2)}")
errs2 = api.jobs.errors.get(j2.id)
raw = json.dumps([dump(e) for e in errs2] if isinstance(errs2, list) else dump(errs2), ensure_ascii=False)
check("SHOULDNOTLEAK" not in raw and "FORMAT" in raw, f"job errors redacted, with codes: {raw}")
if isinstance(errs2, list) and errs2:
    e0 = dump(errs2[0])
    check(set(e0) == {"user", "errors"} and {"code", "message", "path"} <= set(e0["errors"][0]), f"job error shape {e0}")

# Search: phrases with spaces, quotes, `+`, `&` and unicode reach the server as typed.
for q, expect in [('name:"Dennis Thompson"', "dennis.thompson@acme.com"),
                  ('name:"Zoë O\'Brien & Co+"', "zoe+tag@acme.com"),
                  ('email:"zoe+tag@acme.com"', "zoe+tag@acme.com"),
                  ('given_name:Zoëlle AND email.domain:acme.com', "zoe+tag@acme.com")]:
    found = [u.email for u in api.users.list(q=q, search_engine="v3", per_page=10)]
    check(found == [expect], f"search {q!r}: {found}")
page = api.users.list(q="email.domain:acme.com", search_engine="v3", per_page=5, include_totals=True)
first = page.response if hasattr(page, "response") else None
if first is not None:
    check({"start", "limit", "length", "total", "users"} <= set(dump(first)), f"totals shape {dump(first).keys()}")
users = list(page)
print("users", len(users), users[0].email if users else None)
u0 = dump(users[0])
for key in ["user_id", "email", "email_verified", "created_at", "updated_at", "identities"]:
    check(key in u0, f"user field {key}: {sorted(u0)}")
check({"connection", "provider", "user_id", "isSocial"} <= set(u0["identities"][0]), f"identity {u0['identities'][0]}")
only = list(api.users.list(q='name:"Dennis Thompson"', fields="email,name", include_fields=True))
check(len(only) == 1 and set(dump(only[0])) == {"email", "name"}, f"search fields {[dump(o) for o in only]}")
drop = list(api.users.list(q='name:"Dennis Thompson"', fields="identities", include_fields=False))
check(len(drop) == 1 and "identities" not in dump(drop[0]) and "email" in dump(drop[0]), f"include_fields=false {[dump(o) for o in drop]}")
try:
    api.users.list(per_page=101)
    check(False, "per_page=101 accepted")
except ApiError as e:
    check(e.status_code == 400 and "greater than maximum 100" in json.dumps(e.body), f"per_page=101: {e.status_code} {e.body}")

# By id (with `|`) and by email (with `+`), with fields.
one = api.users.get(users[0].user_id)
print("get", one.email)
check(dump(one).get("user_id") == users[0].user_id, "get by id")
sub = api.users.get(users[0].user_id, fields="user_id,email", include_fields=True)
check(set(dump(sub)) == {"user_id", "email"}, f"get fields {dump(sub)}")
by = api.users.list_users_by_email(email="zoe+tag@acme.com")
print("by email", len(by))
check(len(by) == 1 and by[0].name == "Zoë O'Brien & Co+", f"by email {[dump(b) for b in by]}")
by_fields = api.users.list_users_by_email(email="zoe+tag@acme.com", fields="email", include_fields=True)
check(len(by_fields) == 1 and set(dump(by_fields[0])) == {"email"}, f"by email fields {[dump(b) for b in by_fields]}")
try:
    api.users.get("auth0|nobody")
    check(False, "unknown user found")
except ApiError as e:
    check(e.status_code == 404 and e.body.get("errorCode") == "inexistent_user" and {"statusCode", "error", "message"} <= set(e.body), f"404 body {e.body}")

# Export: limit and fields echoed, the connection named, the file as asked.
exp = api.jobs.users_exports.create(connection_id=cid, format="json", limit=3, fields=[{"name": "email"}, {"name": "name", "export_as": "full name"}])
ed = dump(exp)
print("export", exp.id, exp.status)
check(ed.get("limit") == 3 and ed.get("connection") == "Username-Password-Authentication" and ed.get("format") == "json", f"export job {ed}")
check([f.get("name") for f in ed.get("fields", [])] == ["email", "name"], f"export fields {ed}")
for _ in range(200):
    done = api.jobs.get(exp.id)
    if done.status in ("completed", "failed"):
        break
    time.sleep(0.1)
check(done.status == "completed" and done.location, f"export done {dump(done)}")
lines = gzip.decompress(urllib.request.urlopen(done.location).read()).decode().splitlines()
check(len(lines) == 3 and all(set(json.loads(l)) <= {"email", "full name"} for l in lines), f"export file {lines}")
try:
    api.jobs.users_exports.create(connection_id="con_nothere", format="xml")
    check(False, "bad export accepted")
except ApiError as e:
    check(e.status_code == 400 and e.body.get("errorCode") == "invalid_body", f"bad export {e.body}")

print("FAILURES", len(failures))
print("SDK OK" if not failures else "SDK FAILED")
sys.exit(1 if failures else 0)
