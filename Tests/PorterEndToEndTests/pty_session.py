#!/usr/bin/env python3
"""Drives the interactive porter shell through a pseudo-terminal (used by InteractiveTests).
Checks: tab completion, Ctrl-C at the prompt and during a command keeps the shell, Ctrl-D quits,
history across two runs, secrets (and verify's password, asked for without echo) never reach the history file. Exits non-zero with a reason."""
import os, select, signal, sys, time

binary, home = sys.argv[1], sys.argv[2]
# A user's environment, not the test runner's.
env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home, "LANG": "C.UTF-8", "TERM": "xterm",
       "PORTER_TENANT": home + "/t.sqlite", "XDG_STATE_HOME": home + "/state", "COLUMNS": "100",
       # Imports store users in batches of 1,000 with a pause after each: a Ctrl-C lands mid-import.
       "PORTER_TEST_IMPORT_BATCH": "1000", "PORTER_TEST_IMPORT_PAUSE_MS": "50"}

from pty_driver import child_state, pending, read_until, send
import pty_driver

def spawn():
    return pty_driver.spawn(binary, home, env)

def settle(fd):
    """Waits until the shell has run everything typed so far: a marker its echo cannot contain."""
    send(fd, b'eval "set" + "tled"\r')
    read_until(fd, b"settled")
    read_until(fd, P)

def wait_exit(pid, fd, why, timeout=60):
    end = time.time() + timeout
    seen = pending.pop(fd, b"")
    while time.time() < end:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return status
        try:
            r, _, _ = select.select([fd], [], [], 0.1)
            if r:
                seen += os.read(fd, 65536)
        except OSError:
            time.sleep(0.1)
    state = child_state()
    os.kill(pid, signal.SIGKILL)
    sys.exit("porter did not exit within %ds after %s; output: %r; child: %s" % (timeout, why, seen[-300:], state))

P = b"Authentication)> "                  # the end of the prompt
pid, fd = spawn()
read_until(fd, P)
send(fd, b"conn\t")                       # Tab completes to the common prefix of connect/connections
read_until(fd, b"ect")
send(fd, b"ions\r")
read_until(fd, b"Username-Password-Authentication")
read_until(fd, P)
send(fd, b"seed 30\r")
read_until(fd, b"seeded 30 users")
read_until(fd, P)
send(fd, b"query logins_count:>=0\r")
read_until(fd, b"30 users match")
read_until(fd, P)
send(fd, b"eval user.em\t")               # attribute paths learned from users: user.email…
read_until(fd, b"ail")
send(fd, b"\r")
read_until(fd, b"@")
read_until(fd, P)
send(fd, 'eval "héllo → 😀"\r'.encode())   # non-ASCII typed keys arrive whole
read_until(fd, ': "héllo → 😀"'.encode())
read_until(fd, P)
send(fd, b"half typed line\x03")          # Ctrl-C at the prompt clears the line
read_until(fd, P)
send(fd, b"count\r")
read_until(fd, b"30\r\n")
read_until(fd, P)
send(fd, b"set secret=hunter2 x\r")      # fails, and must never be recorded
read_until(fd, b"unknown option")
read_until(fd, P)
send(fd, b"verify nobody@example.com\r")   # the password is asked for without echo, and never recorded
read_until(fd, b"password for nobody@example.com: ")
send(fd, b"Typed-Pw-4711\r")
out = read_until(fd, P)
if b"Typed-Pw-4711" in out:
    sys.exit("the password was echoed: %r" % out)
if b"no user with the email nobody@example.com" not in out:
    sys.exit("verify did not answer: %r" % out)
send(fd, b"seed 1000000\r")               # Ctrl-C during a command cancels it, the shell stays
time.sleep(1.5)
send(fd, b"\x03")
out = read_until(fd, P, timeout=90)
if b"seeded 1000000" in out:
    sys.exit("Ctrl-C did not cancel the seed")
send(fd, b"columns default\r")
read_until(fd, b"11 columns")
read_until(fd, P)
send(fd, b"export big.csv\r")
time.sleep(0.05)
send(fd, b"\x03")
out = read_until(fd, P, timeout=90)
if b"cancelled" in out and os.path.exists(home + "/big.csv"):
    sys.exit("a cancelled export left big.csv behind")
leftovers = [f for f in os.listdir(home) if ".porter-" in f and f.endswith(".tmp")]
if leftovers:
    sys.exit("temporary files left behind: %r" % leftovers)

# Ctrl-C during a local import: the import is cancelled, only whole batches landed (as many as
# the message says), no temporary file stays, the shell stays and its next command works.
import re
with open(home + "/import.json", "w") as f:
    f.write("[" + ",\n".join('{"email":"i%d@example.com"}' % i for i in range(30000)) + "]")
send(fd, b"set pager off\r")                # the previews below must not wait in less
read_until(fd, P)
send(fd, b"query\r")
before = int(re.search(rb"(\d+) users? match", read_until(fd, P)).group(1))
send(fd, b"import import.json\r")
time.sleep(1.5)
send(fd, b"\x03")
out = read_until(fd, P, timeout=90)
m = re.search(rb"cancelled after (\d+) users: (\d+) inserted", out)
if not m:
    sys.exit("Ctrl-C did not cancel the import: %r" % out[-400:])
inserted = int(m.group(2))
if inserted % 1000 != 0 or inserted >= 30000:
    sys.exit("a cancelled import half-landed: %d users" % inserted)
send(fd, b"query\r")
after = int(re.search(rb"(\d+) users? match", read_until(fd, P)).group(1))
if after != before + inserted:
    sys.exit("the message says %d users landed, the tenant has %d more" % (inserted, after - before))
leftovers = [f for f in os.listdir(home) if ".porter-" in f and f.endswith(".tmp")]
if leftovers:
    sys.exit("temporary files left behind by the import: %r" % leftovers)
# Ctrl-C during eval: a long expression is stopped at its next check, the shell stays.
send(fd, b"eval 'ab'.repeat(45000).split('')" + b".map(c => c + c)" * 9 + b".join('').length\r")
time.sleep(0.5)
send(fd, b"\x03")
out = read_until(fd, P, timeout=30)
if b"cancelled (Ctrl-C)" not in out:
    sys.exit("Ctrl-C did not stop the evaluation: %r" % out[-400:])
send(fd, b"count\r")
settle(fd)
# libedit prints the prompt a moment before it puts the terminal in raw mode; a ^D typed in that
# moment is the cooked-mode EOF of a non-empty line and is lost. A person never types that fast.
time.sleep(0.5)
send(fd, b"\x04")                          # Ctrl-D quits
wait_exit(pid, fd, "Ctrl-D")

# libedit's history format vis-encodes lines (a space is \\040).
history = open(home + "/state/porter/history", encoding="utf-8", errors="replace").read().replace("\\040", " ")
if "count" not in history or "seed 30" not in history:
    sys.exit("history not saved: %r" % history)
if "hunter2" in history or "Typed-Pw-4711" in history:
    sys.exit("a secret reached the history file")
if "verify nobody@example.com" not in history:
    sys.exit("verify's command line is history like any other: %r" % history)

pid, fd = spawn()                          # history across runs: Up recalls the last command
read_until(fd, P)
send(fd, b"\x1b[A")                        # the last command of the first run was settle()'s
read_until(fd, b'"tled"')
send(fd, b"\r")
read_until(fd, b"settled")
read_until(fd, P)
send(fd, b"quit\r")
wait_exit(pid, fd, "quit")
print("ok")
