#!/usr/bin/env python3
"""Ctrl-C during the long commands pty_session.py does not cover (used by InteractiveTests):
validate, diff (its report is not left half-written), verify --file, each stopped with a clear
message, the shell kept and its next command working. Exits non-zero with a reason."""
import json, os, sys, time

binary, home = sys.argv[1], sys.argv[2]
env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home, "LANG": "C.UTF-8", "TERM": "xterm",
       "PORTER_TENANT": home + "/t.sqlite", "XDG_STATE_HOME": home + "/state", "COLUMNS": "100"}

from pty_driver import read_until, send
import pty_driver

# Big enough that none of them ends in the second before the Ctrl-C, even on a fast machine.
with open(home + "/big.ndjson", "w") as f:
    for i in range(400000):
        f.write(json.dumps({"email": "u%d@example.com" % i, "name": "User %d" % i, "email_verified": i % 2 == 0}) + "\n")
with open(home + "/accounts.csv", "w") as f:
    f.write("email,password\n")
    for i in range(200):
        f.write("u%d@example.com,pw-%d\n" % (i, i))

P = b"Authentication)> "
pid, fd = pty_driver.spawn(binary, home, env)
read_until(fd, P)
send(fd, b"set pager off\r")
read_until(fd, P)
send(fd, b"seed 300\r")
read_until(fd, b"seeded 300 users")
read_until(fd, P)

def cancel(command, expect, wait=1.0):
    send(fd, command + b"\r")
    time.sleep(wait)
    send(fd, b"\x03")
    out = read_until(fd, P, timeout=90)
    if expect not in out:
        sys.exit("Ctrl-C did not stop %r (wanted %r): %r" % (command, expect, out[-500:]))
    return out

cancel(b"validate big.ndjson", b"cancelled")
cancel(b"diff big.ndjson --report diff.csv", b"diff cancelled; ")
if os.path.exists(home + "/diff.csv"):
    sys.exit("a cancelled diff left its report behind")
cancel(b"verify --file accounts.csv --rate 2", b"verify cancelled after ")
leftovers = [f for f in os.listdir(home) if ".porter-" in f and f.endswith(".tmp")]
if leftovers:
    sys.exit("temporary files left behind: %r" % leftovers)
send(fd, b"count\r")
out = read_until(fd, P)
if b"300" not in out:
    sys.exit("the shell did not answer after the cancelled commands: %r" % out)
send(fd, b"quit\r")
end = time.time() + 30
while time.time() < end:
    done, status = os.waitpid(pid, os.WNOHANG)
    if done:
        break
    time.sleep(0.1)
else:
    sys.exit("porter did not quit")
print("ok")
