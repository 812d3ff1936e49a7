"""Auth0's official Python SDK (auth0-python, unchanged) against porter serve."""
import json, sys, time, urllib.request, urllib.parse
from auth0.management import Auth0
base, client_id, secret, users_file = sys.argv[1:5]
form = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret,
                               "audience": base + "/api/v2/"}).encode()
token = json.load(urllib.request.urlopen(base + "/oauth/token", form))["access_token"]
api = Auth0(base_url=base + "/api/v2", token=token)
conns = list(api.connections.list(strategy="auth0"))
print("connections", [c.name for c in conns])
cid = conns[0].id
with open(users_file, "rb") as f:
    job = api.jobs.users_imports.create(users=f, connection_id=cid, upsert=False)
print("import job", job.id, job.status)
for _ in range(100):
    j = api.jobs.get(job.id)
    if j.status in ("completed", "failed"): break
    time.sleep(0.1)
print("job", j.status)
errs = api.jobs.errors.get(job.id)
print("errors", type(errs).__name__)
page = api.users.list(q="email.domain:acme.com", search_engine="v3", per_page=5, include_totals=True)
users = list(page)
print("users", len(users), users[0].email if users else None)
one = api.users.get(users[0].user_id)
print("get", one.email)
by = api.users.list_users_by_email(email=one.email)
print("by email", len(by))
exp = api.jobs.users_exports.create(connection_id=cid, format="json", fields=[{"name": "email"}])
print("export", exp.id, exp.status)
print("SDK OK")
