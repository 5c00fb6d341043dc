#ifndef CFUZZGUARD_H
#define CFUZZGUARD_H

#include <stddef.h>
#include <stdint.h>

/// The largest input the guard keeps for a crash report; longer inputs are cut.
#define AST_FUZZ_GUARD_CAPACITY (1 << 20)

/// Installs handlers for SIGSEGV, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE and SIGALRM on
/// an alternate stack of the calling thread. On a crash, or when an input runs longer
/// than `timeout_seconds`, the handler writes the seed, the index and the input to
/// standard error (and, when `crash_directory` is not NULL, to
/// `crash_directory/crash-SEED-INDEX.ast`), then ends the process with `_exit`: status
/// 124 for a hang, 128 plus the signal number for a crash. Returns 0, or -1 when a
/// handler could not be installed.
int ast_fuzz_guard_install(unsigned int timeout_seconds, const char *crash_directory);

/// Copies the input about to run into the guard's buffer and arms the watchdog.
void ast_fuzz_guard_begin(uint64_t seed, uint64_t index, const uint8_t *bytes, size_t count);

/// Disarms the watchdog after an input has run.
void ast_fuzz_guard_end(void);

#endif
