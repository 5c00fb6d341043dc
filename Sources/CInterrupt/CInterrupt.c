#include "CInterrupt.h"

#include <signal.h>
#include <string.h>

/* The one definition of the flag: the only state a signal handler touches. */
static volatile sig_atomic_t interrupt_flag = 0;

static void interrupt_handler(int signal_number) {
  (void)signal_number;
  interrupt_flag = 1;
}

int ast_install_interrupt_handler(void) {
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
