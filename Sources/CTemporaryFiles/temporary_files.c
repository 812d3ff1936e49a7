#include "porter_temporary_files.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>

/* The registered paths: a linked list under a mutex (only the cleanup thread and ordinary
   code touch it, never the signal handler). */
struct entry {
    long token;
    char *path;
    struct entry *next;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct entry *entries = NULL;
static long next_token = 1;
static int pipe_fds[2] = { -1, -1 };
static pthread_once_t once = PTHREAD_ONCE_INIT;

static const int caught[] = { SIGINT, SIGTERM, SIGHUP };

static void on_signal(int sig) {
    int saved = errno;
    unsigned char b = (unsigned char)sig;
    ssize_t n = write(pipe_fds[1], &b, 1);
    (void)n;
    errno = saved;
}

static void *cleanup_thread(void *arg) {
    (void)arg;
    for (;;) {
        unsigned char b;
        ssize_t n = read(pipe_fds[0], &b, 1);
        if (n < 0 && errno == EINTR) continue;
        if (n != 1) return NULL;
        int sig = b;
        /* Held until the end: no path is registered or forgotten meanwhile. */
        pthread_mutex_lock(&lock);
        for (struct entry *e = entries; e; e = e->next) unlink(e->path);
        struct sigaction dfl;
        memset(&dfl, 0, sizeof dfl);
        dfl.sa_handler = SIG_DFL;
        sigemptyset(&dfl.sa_mask);
        sigaction(sig, &dfl, NULL);
        /* This thread must take the signal it raises (it inherited its creator's mask). */
        sigset_t one;
        sigemptyset(&one);
        sigaddset(&one, sig);
        pthread_sigmask(SIG_UNBLOCK, &one, NULL);
        raise(sig);
        /* Not reached for these signals' default action (termination). */
        _exit(128 + sig);
    }
}

static void install(void) {
    /* The signals the installing thread blocks (porter installs from the main thread at start,
       so: the mask porter inherited) are left alone, as ignored ones are. */
    sigset_t blocked;
    sigemptyset(&blocked);
    pthread_sigmask(SIG_BLOCK, NULL, &blocked);
    if (pipe(pipe_fds) != 0) return;
    fcntl(pipe_fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(pipe_fds[1], F_SETFD, FD_CLOEXEC);
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    int created = pthread_create(&t, &attr, cleanup_thread, NULL);
    pthread_attr_destroy(&attr);
    if (created != 0) return;
    for (size_t i = 0; i < sizeof caught / sizeof caught[0]; i++) {
        struct sigaction old;
        if (sigaction(caught[i], NULL, &old) != 0) continue;
        /* Ignored on entry (nohup, '&'), or already handled (the shell's Ctrl-C): left alone. */
        if (old.sa_handler != SIG_DFL || (old.sa_flags & SA_SIGINFO) || sigismember(&blocked, caught[i])) continue;
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_signal;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        sigaction(caught[i], &sa, NULL);
    }
}

void porter_temporary_install(void) { pthread_once(&once, install); }

long porter_temporary_register(const char *path) {
    pthread_once(&once, install);
    struct entry *e = malloc(sizeof *e);
    if (!e) return -1;
    e->path = strdup(path);
    if (!e->path) { free(e); return -1; }
    pthread_mutex_lock(&lock);
    e->token = next_token++;
    e->next = entries;
    entries = e;
    pthread_mutex_unlock(&lock);
    return e->token;
}

void porter_temporary_unregister(long token) {
    pthread_mutex_lock(&lock);
    for (struct entry **p = &entries; *p; p = &(*p)->next) {
        if ((*p)->token == token) {
            struct entry *e = *p;
            *p = e->next;
            free(e->path);
            free(e);
            break;
        }
    }
    pthread_mutex_unlock(&lock);
}
