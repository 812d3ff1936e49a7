#!/usr/bin/env python3
"""Drives the interactive shell through a 60x20 pseudo-terminal (used by InteractiveTests):
expanded display when columns do not fit, the pager for tall output, the start-up file,
completion of a path with a space, and history kept when porter is killed. Exits non-zero
with a reason."""
import os, select, signal, sys, time

binary, home = sys.argv[1], sys.argv[2]
os.makedirs(home + "/config/porter", exist_ok=True)
with open(home + "/config/porter/porterrc", "w") as f:
    f.write("set preview 3   # from the start-up file\n")
os.makedirs(home + "/my dir", exist_ok=True)
open(home + "/my dir/users file.json", "w").write("[]")
env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home, "LANG": "C.UTF-8", "TERM": "xterm",
       "PORTER_TENANT": home + "/t.sqlite", "XDG_STATE_HOME": home + "/state", "XDG_CONFIG_HOME": home + "/config",
       "PAGER": "cat > '%s/paged.txt'" % home}

from pty_driver import pending, read_until
import pty_driver

def spawn():
    return pty_driver.spawn(binary, home, env, size=(20, 60))

P = b"Authentication)> "
pid, fd = spawn()
read_until(fd, P)
os.write(fd, b"show\r")
out = read_until(fd, P)
if b"preview 3" not in out:
    sys.exit("the start-up file was not run: %r" % out)
os.write(fd, b"seed 5\r")
read_until(fd, b"seeded 5 users")
read_until(fd, P)
os.write(fd, b"columns default\r")
read_until(fd, P)
os.write(fd, b"preview 1\r")               # 11 columns never fit 60: one record per block
out = read_until(fd, P)
if b"-[ RECORD 1 ]" not in out or b"Email" not in out:
    sys.exit("no expanded display at 60 columns: %r" % out[-600:])
for line in out.decode("utf-8", "replace").split("\r\n"):
    if len(line) > 60 and "\x1b" not in line:
        sys.exit("a line wider than the terminal: %r" % line)
os.write(fd, b"set expanded off\r")
read_until(fd, P)
os.write(fd, b"preview 1\r")
out = read_until(fd, P)
if b"RECORD" in out:
    sys.exit("expanded off still expanded")
os.write(fd, b"help\r")                    # taller than 20 rows: through $PAGER
read_until(fd, P)
time.sleep(0.2)
paged = open(home + "/paged.txt").read() if os.path.exists(home + "/paged.txt") else ""
if "porter commands" not in paged:
    sys.exit("help was not paged: %r" % paged[:200])
os.write(fd, b"validate my\\ d\t")          # a path with a space completes, escaped
read_until(fd, b"dir/")
os.write(fd, b"u\t")
read_until(fd, b"file.json")
os.write(fd, b"\r")
out = read_until(fd, P)
if b"0 users" not in out:
    sys.exit("the completed path did not validate: %r" % out[-300:])
os.write(fd, b"count\r")
read_until(fd, P)
time.sleep(0.3)
os.kill(pid, signal.SIGKILL)               # a crash keeps the history of what ran
os.waitpid(pid, 0)
history = open(home + "/state/porter/history", encoding="utf-8", errors="replace").read().replace("\\040", " ")
if "columns default" not in history or "count" not in history:
    sys.exit("history lost on a kill: %r" % history)
print("ok")
