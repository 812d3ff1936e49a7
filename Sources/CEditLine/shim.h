// What Swift cannot call directly: libedit's C globals, variadic functions, signal handling.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <poll.h>
#include <errno.h>
#include <editline/readline.h>

static volatile sig_atomic_t porter_sigint_flag = 0;
/* The kernel may deliver SIGINT to any thread (Dispatch and GRDB start some); only the main
   thread's read() must see EINTR for readline() to return, so the signal is passed on to it. */
static void porter_sigint_handler(int s) {
    porter_sigint_flag = 1;
#ifdef __linux__
    /* The main thread's id is the process id. */
    pid_t pid = getpid();
    if ((pid_t)syscall(SYS_gettid) != pid) syscall(SYS_tgkill, pid, pid, s);
#endif
}

/* libedit's own read retries once after EINTR and, with its signal handlers on, puts the
   terminal in cooked mode when a signal lands between the prompt and the read: either way a
   Ctrl-C at the prompt could be lost. So porter reads the keys itself, waking every 100 ms to
   look at the flag, and a Ctrl-C ends readline() as an end of input (told apart by the flag). */
static int porter_getc(FILE *f) {
    int fd = fileno(f);
    for (;;) {
        if (porter_sigint_flag) return -1;
        struct pollfd p = { fd, POLLIN, 0 };
        int r = poll(&p, 1, 100);
        if (r > 0) {
            unsigned char c;
            ssize_t n = read(fd, &c, 1);
            if (n == 1) {
                /* libedit takes the int as a whole character: decode UTF-8 here. */
                if (c < 0x80) return c;
                int more = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
                if (more == 0) return 0xFFFD;
                int cp = c & (0x3F >> more);
                for (int i = 0; i < more; i++) {
                    unsigned char b;
                    if (read(fd, &b, 1) != 1 || (b & 0xC0) != 0x80) return 0xFFFD;
                    cp = (cp << 6) | (b & 0x3F);
                }
                return cp;
            }
            if (n == 0) return -1;
            if (errno != EINTR && errno != EAGAIN) return -1;
        } else if (r < 0 && errno != EINTR) {
            return -1;
        }
    }
}

/// SIGINT sets a flag instead of killing the process; readline() returns when it is set.
static inline void porter_install_sigint(void) {
    rl_catch_signals = 0;
    rl_getc_function = porter_getc;
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = porter_sigint_handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    sigaction(SIGINT, &sa, NULL);
    sigset_t set;  /* a parent may have blocked it */
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
}
static inline int porter_sigint_pending(void) { return porter_sigint_flag; }
static inline int porter_take_sigint(void) { int f = porter_sigint_flag; porter_sigint_flag = 0; return f; }

typedef char *(*porter_generator)(const char *, int);
static porter_generator porter_completion_generator = 0;
static char **porter_attempted_completion(const char *text, int start, int end) {
    (void)start; (void)end;
    rl_attempted_completion_over = 1;
    return rl_completion_matches(text, porter_completion_generator);
}
static inline void porter_install_completion(porter_generator g) {
    porter_completion_generator = g;
    rl_attempted_completion_function = porter_attempted_completion;
    rl_basic_word_break_characters = " \t\n\"'=(";
}
/// No space after a completed directory, so that Tab can go on into it.
static inline void porter_set_completion_append(int c) { rl_completion_append_character = c; }
static inline const char *porter_line_buffer(void) { return rl_line_buffer ? rl_line_buffer : ""; }

/// Reads a line from the terminal without echo (for passwords).
static inline void porter_echo(int on) {
    struct termios t;
    if (tcgetattr(0, &t) != 0) return;
    if (on) t.c_lflag |= ECHO; else t.c_lflag &= ~ECHO;
    tcsetattr(0, TCSANOW, &t);
}
