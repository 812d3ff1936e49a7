#ifndef PORTER_TEMPORARY_FILES_H
#define PORTER_TEMPORARY_FILES_H

/* Temporary files removed when porter is stopped by SIGINT, SIGTERM or SIGHUP (an export's
   file before its rename, say). The signal handler only writes the signal's number to a pipe
   (async-signal-safe); a thread of its own reads it, unlinks every registered path, restores
   the default action and raises the signal again, so porter ends as killed by that signal
   (a shell shows status 128+N) and the previous version of every target is untouched.

   A signal ignored or blocked when porter started (nohup, a background job, a parent that
   blocks it) stays so, and a signal that already has a handler keeps it (the interactive
   shell installs its Ctrl-C handler after this one: Ctrl-C cancels the command, and the
   cancelled command removes its own file). */

/* Installs the handlers (once; porter calls it at start, from the main thread, whose signal
   mask is the one it inherited). register() installs them too if nobody did. */
void porter_temporary_install(void);

/* Registers `path`; installs the handlers the first time. Returns a token for unregister,
   or -1 if the path could not be registered (no memory). */
long porter_temporary_register(const char *path);

/* Forgets a registered path (after its rename or unlink). */
void porter_temporary_unregister(long token);

#endif
