#!/usr/bin/env python3
"""Drives `diff` in the interactive shell through a pseudo-terminal (used by InteractiveTests):
its progress line shows done/total while comparing, and the total is both sides' users (the
tenant's and the file's, counted as they were sorted). Exits non-zero with a reason."""
import json, os, re, select, signal, sys, time

binary, home = sys.argv[1], sys.argv[2]
env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home, "LANG": "C.UTF-8", "TERM": "xterm",
       "PORTER_TENANT": home + "/t.sqlite", "XDG_STATE_HOME": home + "/state", "COLUMNS": "100"}

TENANT, FILE = 2500, 2600
with open(home + "/users.ndjson", "w") as f:
    for i in range(TENANT):
        f.write(json.dumps({"email": "u%d@example.com" % i, "name": "User %d" % i}) + "\n")
with open(home + "/other.ndjson", "w") as f:
    for i in range(FILE):
        f.write(json.dumps({"email": "u%d@example.com" % i, "name": "User %d" % i}) + "\n")

from pty_driver import read_until as read_from
import pty_driver

pid, fd = pty_driver.spawn(binary, home, env)

def read_until(needle, timeout=60):
    return read_from(fd, needle, timeout)

P = b"Authentication)> "
read_until(P)
os.write(fd, b"import users.ndjson\r")
read_until(b"%d inserted" % TENANT)
read_until(P)
os.write(fd, b"diff other.ndjson\r")
out = read_until(P)
if b"%d missing from the tenant" % (FILE - TENANT) not in out:
    sys.exit("diff did not find the %d users missing from the tenant: %r" % (FILE - TENANT, out[-600:]))
bars = re.findall(rb"diffing: comparing \[[^\]]*\] (\d+)/(\d+)", out)
if not bars:
    sys.exit("no progress bar with a total while comparing: %r" % out[-600:])
for done, total in bars:
    if int(total) != TENANT + FILE or int(done) > int(total):
        sys.exit("the progress says %s/%s; both sides have %d users" % (done.decode(), total.decode(), TENANT + FILE))
if not re.search(rb"diffing: reading \d+", out):
    sys.exit("no progress while reading: %r" % out[-600:])
os.write(fd, b"quit\r")
end = time.time() + 30
while time.time() < end:
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        break
    try:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            os.read(fd, 65536)
    except OSError:
        time.sleep(0.1)
else:
    os.kill(pid, signal.SIGKILL)
    sys.exit("porter did not quit")
print("ok")
