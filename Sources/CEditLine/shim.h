// What Swift cannot call directly: libedit's C globals, variadic functions, signal handling.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>
#include <sys/syscall.h>
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

/// SIGINT sets a flag instead of killing the process; no SA_RESTART, so readline() returns.
static inline void porter_install_sigint(void) {
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
static inline const char *porter_line_buffer(void) { return rl_line_buffer ? rl_line_buffer : ""; }

/// Reads a line from the terminal without echo (for passwords).
static inline void porter_echo(int on) {
    struct termios t;
    if (tcgetattr(0, &t) != 0) return;
    if (on) t.c_lflag |= ECHO; else t.c_lflag &= ~ECHO;
    tcsetattr(0, TCSANOW, &t);
}
