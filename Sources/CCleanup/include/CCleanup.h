#ifndef AST_CCLEANUP_H
#define AST_CCLEANUP_H

/* Temporary files removed when a terminating signal arrives, from the first moment of a
   run. Files are registered by path in a fixed table that the signal handler reads
   without locks or allocation; the handler removes every registered file (unlink is
   async-signal-safe) and then lets the signal end the process as it would have,
   unless a graceful stop is armed for SIGINT and SIGTERM (see below). */

/* Installs the handler for SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGXCPU, SIGXFSZ, SIGALRM,
   SIGUSR1, SIGUSR2 and SIGPIPE (each that is not ignored). Returns 0, or -1 when a
   sigaction failed. Safe to call more than once. */
int ast_cleanup_install(void);

/* Registers a path to remove on a terminating signal. Returns 0, or -1 when the path is
   too long or the table is full (the file is then only removed by its owner). */
int ast_cleanup_register(const char *path);

/* Brackets the creation of a registered file (its registration and its open): a
   terminating signal's handler waits for a creation under way before it removes the
   files. Begin returns 0, or -1 when the process is ending (nothing is to be made). */
int ast_cleanup_creation_begin(void);
void ast_cleanup_creation_end(void);

/* Forgets a registered path (after it was renamed into place or removed). */
void ast_cleanup_forget(const char *path);

/* Removes every registered file now (before an exit that skips the owners' cleanup). */
void ast_cleanup_remove_all(void);

/* Arms the graceful stop: SIGINT and SIGTERM no longer end the process but are recorded
   and announced by a byte on a pipe, whose non-blocking read end this returns (the same
   pipe every time; -1 when none could be made: the signals then end the process as
   before). */
int ast_cleanup_graceful_begin(void);

/* The first SIGINT or SIGTERM recorded since the graceful stop was armed, or 0. */
int ast_cleanup_graceful_signal(void);

/* Disarms the graceful stop: SIGINT and SIGTERM end the process again, after the
   cleanup. A signal recorded meanwhile stays readable by ast_cleanup_graceful_signal. */
void ast_cleanup_graceful_end(void);

/* Opens `path` (relative) beneath the directory `root` as openat(2) would, but refusing
   any resolution that leaves `root` (a `..` above it, an absolute symbolic link, a link
   that leads out): openat2 with RESOLVE_BENEATH and RESOLVE_NO_MAGICLINKS. Returns the
   descriptor, or -1 with errno set (EXDEV when the path leads out; ENOSYS where the
   kernel has no openat2). */
int ast_open_beneath(int root, const char *path, int flags, unsigned mode);

#endif
