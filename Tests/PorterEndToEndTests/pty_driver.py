"""The pseudo-terminal plumbing the shell's PTY drivers share (pty_session.py, pty_display.py):
start porter on a terminal as a user's shell would, read its output up to a marker, type."""
import fcntl, os, pty, select, signal, struct, sys, termios, time

current_pid = 0
current_fd = -1
# Output read past a marker, kept for the next read_until on that terminal.
pending = {}

def spawn(binary, home, env, size=None):
    """porter on a new terminal (`size` = (rows, columns)), in `home`, with exactly `env`."""
    global current_pid, current_fd
    pid, fd = pty.fork()
    if pid == 0:
        # A test runner may block or ignore signals; a user's terminal does not.
        signal.pthread_sigmask(signal.SIG_SETMASK, [])
        for sig in (signal.SIGINT, signal.SIGQUIT, signal.SIGPIPE, signal.SIGHUP, signal.SIGTERM):
            signal.signal(sig, signal.SIG_DFL)
        if size:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", size[0], size[1], 0, 0))
        os.chdir(home)
        os.execve(binary, [binary], env)
    current_pid, current_fd = pid, fd
    return pid, fd

def read_until(fd, needle, timeout=30):
    """Returns output up to and including `needle`; what follows stays for the next call."""
    buf = pending.get(fd, b"")
    end = time.time() + timeout
    while needle not in buf and time.time() < end:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                data = os.read(fd, 65536)
            except OSError:
                break
            if not data:
                break
            buf += data
    if needle not in buf:
        sys.exit("timeout waiting for %r; last output: %r; child: %s" % (needle, buf[-600:], child_state()))
    cut = buf.index(needle) + len(needle)
    pending[fd] = buf[cut:]
    return buf[:cut]

def send(fd, text):
    os.write(fd, text)

def child_state():
    """The child's scheduler state and signal masks (and with PORTER_PTY_DEBUG, its terminal
    modes and a backtrace), for a timeout's message."""
    state = ""
    try:
        status = open("/proc/%d/status" % current_pid).read()
        state = " ".join(l for l in status.splitlines() if l.startswith(("State", "SigBlk", "SigIgn")))
        state += " wchan=" + open("/proc/%d/wchan" % current_pid).read()
    except Exception as e:
        state = str(e)
    if os.environ.get("PORTER_PTY_DEBUG"):
        import subprocess
        try:
            lflag = termios.tcgetattr(current_fd)[3]
            state += " ICANON=%d ECHO=%d ISIG=%d" % (bool(lflag & termios.ICANON), bool(lflag & termios.ECHO), bool(lflag & termios.ISIG))
        except Exception as e:
            state += " termios: %s" % e
        state += subprocess.run(["gdb", "-p", str(current_pid), "-batch", "-ex", "bt 30"], capture_output=True, text=True).stdout[-5000:]
    return state
