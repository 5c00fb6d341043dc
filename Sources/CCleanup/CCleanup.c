#include "CCleanup.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/openat2.h>
#include <sys/syscall.h>

enum { SLOTS = 256, PATH_BYTES = 4096 };

/* 0 free, 1 being written, 2 registered (the handler removes it). */
static _Atomic int states[SLOTS];
static char paths[SLOTS][PATH_BYTES];

/* The graceful stop's pipe, made once and kept, and whether the stop is armed. */
static _Atomic int graceful_write = -1;
static _Atomic int graceful_read = -1;
static _Atomic int graceful_armed = 0;
static _Atomic int graceful_signal = 0;

/* Set by the handler before it removes the files; the creations under way, which it
   waits for (a file made by another thread just after the removal would be left). */
static _Atomic int terminating = 0;
static _Atomic int creating = 0;

static const int handled[] = {SIGINT,  SIGTERM, SIGHUP,  SIGQUIT, SIGXCPU,
                              SIGXFSZ, SIGALRM, SIGUSR1, SIGUSR2, SIGPIPE};

static void remove_registered(void) {
  for (int i = 0; i < SLOTS; i++) {
    if (atomic_load(&states[i]) == 2) unlink(paths[i]);
  }
}

static void handler(int number) {
  int saved = errno;
  if (number == SIGINT || number == SIGTERM) {
    int descriptor = atomic_load(&graceful_write);
    if (descriptor >= 0 && atomic_load(&graceful_armed)) {
      int none = 0;
      atomic_compare_exchange_strong(&graceful_signal, &none, number);
      ssize_t ignored = write(descriptor, "s", 1);
      (void)ignored;
      errno = saved;
      return;
    }
  }
  atomic_store(&terminating, 1);
  /* At most a second for a creation under way on another thread to finish (its file is
     then registered and removed below): a few microseconds, unless a loaded machine
     keeps that thread waiting. The creation may be this thread's own, which cannot
     finish while the handler runs. */
  for (int waited = 0; atomic_load(&creating) > 0 && waited < 1000; waited++) {
    struct timespec pause = {0, 1000000};
    nanosleep(&pause, NULL);
  }
  remove_registered();
  /* Ends the process as the signal would have: raised again once this returns. */
  signal(number, SIG_DFL);
  raise(number);
  errno = saved;
}

int ast_cleanup_install(void) {
  int result = 0;
  for (unsigned i = 0; i < sizeof handled / sizeof handled[0]; i++) {
    struct sigaction old;
    if (sigaction(handled[i], NULL, &old) != 0) {
      result = -1;
      continue;
    }
    /* A signal the process was told to ignore (nohup, a parent's SIG_IGN) stays so. */
    if (old.sa_handler == SIG_IGN) continue;
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    for (unsigned j = 0; j < sizeof handled / sizeof handled[0]; j++) {
      sigaddset(&action.sa_mask, handled[j]);
    }
    action.sa_flags = SA_RESTART;
    if (sigaction(handled[i], &action, NULL) != 0) result = -1;
  }
  return result;
}

int ast_cleanup_register(const char *path) {
  size_t length = strlen(path);
  if (length >= PATH_BYTES) return -1;
  for (int i = 0; i < SLOTS; i++) {
    int free_state = 0;
    if (atomic_compare_exchange_strong(&states[i], &free_state, 1)) {
      memcpy(paths[i], path, length + 1);
      atomic_store(&states[i], 2);
      return 0;
    }
  }
  return -1;
}

void ast_cleanup_forget(const char *path) {
  for (int i = 0; i < SLOTS; i++) {
    if (atomic_load(&states[i]) == 2 && strcmp(paths[i], path) == 0) {
      atomic_store(&states[i], 0);
      return;
    }
  }
}

void ast_cleanup_remove_all(void) { remove_registered(); }

int ast_cleanup_creation_begin(void) {
  atomic_fetch_add(&creating, 1);
  if (atomic_load(&terminating)) {
    atomic_fetch_sub(&creating, 1);
    return -1;
  }
  return 0;
}

void ast_cleanup_creation_end(void) { atomic_fetch_sub(&creating, 1); }

int ast_cleanup_graceful_begin(void) {
  if (atomic_load(&graceful_read) < 0) {
    int ends[2];
    if (pipe(ends) != 0) return -1;
    for (int i = 0; i < 2; i++) {
      fcntl(ends[i], F_SETFL, fcntl(ends[i], F_GETFL) | O_NONBLOCK);
      fcntl(ends[i], F_SETFD, FD_CLOEXEC);
    }
    atomic_store(&graceful_read, ends[0]);
    atomic_store(&graceful_write, ends[1]);
  }
  /* Bytes from an earlier armed stop are read and dropped. */
  char bytes[64];
  while (read(atomic_load(&graceful_read), bytes, sizeof bytes) > 0) {
  }
  atomic_store(&graceful_signal, 0);
  atomic_store(&graceful_armed, 1);
  return atomic_load(&graceful_read);
}

int ast_cleanup_graceful_signal(void) { return atomic_load(&graceful_signal); }

void ast_cleanup_graceful_end(void) { atomic_store(&graceful_armed, 0); }

int ast_open_beneath(int root, const char *path, int flags, unsigned mode) {
  struct open_how how;
  memset(&how, 0, sizeof how);
  how.flags = (unsigned long long)flags;
  how.mode = (flags & O_CREAT) ? mode : 0;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  return (int)syscall(SYS_openat2, root, path, &how, sizeof how);
}
