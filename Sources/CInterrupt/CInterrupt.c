#include <stdio.h>
#include "CInterrupt.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

/* The one definition of the flag and of the wake-up pipe: all the state a signal handler
   touches. */
static volatile sig_atomic_t interrupt_flag = 0;
static int wake_pipe[2] = {-1, -1};

static void interrupt_handler(int signal_number) {
  (void)signal_number;
  int saved = errno;
  interrupt_flag = 1;
  if (wake_pipe[1] >= 0) {
    char byte = 1;
    /* Non-blocking: when the pipe is full a wake-up is already pending. */
    (void)write(wake_pipe[1], &byte, 1);
  }
  errno = saved;
}

static int make_wake_pipe(void) {
  if (wake_pipe[0] >= 0) return 0;
  int ends[2];
  if (pipe(ends) != 0) return -1;
  for (int index = 0; index < 2; index++) {
    int flags = fcntl(ends[index], F_GETFL);
    if (flags < 0 || fcntl(ends[index], F_SETFL, flags | O_NONBLOCK) != 0 ||
        fcntl(ends[index], F_SETFD, FD_CLOEXEC) != 0) {
      close(ends[0]);
      close(ends[1]);
      return -1;
    }
  }
  wake_pipe[0] = ends[0];
  wake_pipe[1] = ends[1];
  return 0;
}

int ast_install_interrupt_handler(void) {
  /* Without the pipe Ctrl-C still sets the flag; only a waiter's wake-up is lost. */
  (void)make_wake_pipe();
  struct sigaction action;
  memset(&action, 0, sizeof(action));
  action.sa_handler = interrupt_handler;
  sigemptyset(&action.sa_mask);
  action.sa_flags = 0;
  sigset_t interrupt;
  sigemptyset(&interrupt);
  sigaddset(&interrupt, SIGINT);
  sigprocmask(SIG_UNBLOCK, &interrupt, NULL);
  return sigaction(SIGINT, &action, NULL);
}

void ast_note_interrupt(void) { interrupt_flag = 1; }

int ast_take_interrupt(void) {
  int was = interrupt_flag;
  interrupt_flag = 0;
  return was;
}

int ast_interrupt_wake_descriptor(void) { return wake_pipe[0]; }

void ast_drain_interrupt_wakes(void) {
  if (wake_pipe[0] < 0) return;
  char bytes[64];
  while (read(wake_pipe[0], bytes, sizeof(bytes)) > 0) {
  }
}

int ast_flush_standard_output(void) {
  errno = 0;
  if (fflush(stdout) != 0) return errno != 0 ? errno : EIO;
  if (ferror(stdout)) return EIO;
  return 0;
}
