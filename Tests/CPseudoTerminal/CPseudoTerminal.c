#define _GNU_SOURCE
#include "CPseudoTerminal.h"

#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

int ast_test_spawn_on_pty(const char *path, char *const argv[], char *const envp[], int *master) {
  int side = -1;
  pid_t pid = forkpty(&side, NULL, NULL, NULL);
  if (pid < 0) {
    return -1;
  }
  if (pid == 0) {
    /* The test runner's threads may block signals; the child starts with none blocked
       and default handlers, as a program started from a shell does. */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    execve(path, argv, envp);
    _exit(127);
  }
  *master = side;
  return (int)pid;
}
