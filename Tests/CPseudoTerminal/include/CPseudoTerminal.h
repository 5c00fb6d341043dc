#ifndef AST_CPSEUDOTERMINAL_H
#define AST_CPSEUDOTERMINAL_H
#include <sys/types.h>

/* Starts `path` with `argv` and `envp` in a new session whose controlling terminal is
   a new pseudo-terminal; stores the terminal's master side in `master`. Returns the
   child's process id, or -1. For tests that drive interactive programs. */
int ast_test_spawn_on_pty(const char *path, char *const argv[], char *const envp[], int *master);

#endif
