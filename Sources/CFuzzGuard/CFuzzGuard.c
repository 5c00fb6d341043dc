#include "CFuzzGuard.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

// Everything the handler reads is set up before it can run; it only calls
// async-signal-safe functions (write, open, close, _exit).
static uint8_t input_buffer[AST_FUZZ_GUARD_CAPACITY];
static volatile size_t input_count;
static volatile size_t input_full_count;
static volatile uint64_t input_seed;
static volatile uint64_t input_index;
static unsigned int timeout;
static char directory[1024];
static char alternate_stack[1 << 16];

static void write_all(int fd, const void *bytes, size_t count) {
  const char *next = bytes;
  while (count > 0) {
    ssize_t written = write(fd, next, count);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return;
    next += written;
    count -= (size_t)written;
  }
}

static void write_text(int fd, const char *text) { write_all(fd, text, strlen(text)); }

static void write_number(int fd, uint64_t value) {
  char digits[24];
  size_t at = sizeof digits;
  do {
    digits[--at] = (char)('0' + value % 10);
    value /= 10;
  } while (value > 0);
  write_all(fd, digits + at, sizeof digits - at);
}

static const char *signal_name(int signal_number) {
  switch (signal_number) {
  case SIGSEGV: return "SIGSEGV";
  case SIGILL: return "SIGILL";
  case SIGTRAP: return "SIGTRAP";
  case SIGABRT: return "SIGABRT";
  case SIGBUS: return "SIGBUS";
  case SIGFPE: return "SIGFPE";
  case SIGALRM: return "SIGALRM";
  default: return "a signal";
  }
}

static void save_input(void) {
  if (directory[0] == 0) return;
  char path[1200];
  size_t length = strlen(directory);
  memcpy(path, directory, length);
  const char *parts[] = {"/crash-", "-", ".ast"};
  uint64_t numbers[] = {input_seed, input_index};
  for (int part = 0; part < 3; part++) {
    size_t size = strlen(parts[part]);
    memcpy(path + length, parts[part], size);
    length += size;
    if (part < 2) {
      char digits[24];
      size_t at = sizeof digits;
      uint64_t value = numbers[part];
      do {
        digits[--at] = (char)('0' + value % 10);
        value /= 10;
      } while (value > 0);
      memcpy(path + length, digits + at, sizeof digits - at);
      length += sizeof digits - at;
    }
  }
  path[length] = 0;
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) return;
  write_all(fd, input_buffer, input_count);
  close(fd);
  write_text(2, "ast-fuzz: input saved as ");
  write_text(2, path);
  write_text(2, "\n");
}

static void handle(int signal_number) {
  int is_hang = signal_number == SIGALRM;
  write_text(2, is_hang ? "\nast-fuzz: HANG (no result after " : "\nast-fuzz: CRASH (");
  if (is_hang) {
    write_number(2, timeout);
    write_text(2, " s");
  } else {
    write_text(2, signal_name(signal_number));
  }
  write_text(2, ") at seed ");
  write_number(2, input_seed);
  write_text(2, " index ");
  write_number(2, input_index);
  write_text(2, ", input of ");
  write_number(2, input_full_count);
  write_text(2, input_count < input_full_count ? " bytes (shown cut):\n" : " bytes:\n");
  write_text(2, "-----\n");
  write_all(2, input_buffer, input_count);
  write_text(2, "\n-----\n");
  save_input();
  _exit(is_hang ? 124 : 128 + signal_number);
}

int ast_fuzz_guard_install(unsigned int timeout_seconds, const char *crash_directory) {
  timeout = timeout_seconds;
  directory[0] = 0;
  if (crash_directory != NULL && strlen(crash_directory) < sizeof directory) {
    strcpy(directory, crash_directory);
  }
  stack_t stack;
  memset(&stack, 0, sizeof stack);
  stack.ss_sp = alternate_stack;
  stack.ss_size = sizeof alternate_stack;
  if (sigaltstack(&stack, NULL) != 0) return -1;
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = handle;
  action.sa_flags = SA_ONSTACK | SA_RESETHAND;
  sigemptyset(&action.sa_mask);
  int signals[] = {SIGSEGV, SIGILL, SIGTRAP, SIGABRT, SIGBUS, SIGFPE, SIGALRM};
  sigset_t handled;
  sigemptyset(&handled);
  for (size_t i = 0; i < sizeof signals / sizeof signals[0]; i++) {
    if (sigaction(signals[i], &action, NULL) != 0) return -1;
    sigaddset(&handled, signals[i]);
  }
  // A process may start with signals blocked (Foundation's Process blocks most of them
  // in its children); a blocked SIGALRM would never fire.
  return pthread_sigmask(SIG_UNBLOCK, &handled, NULL) == 0 ? 0 : -1;
}

void ast_fuzz_guard_begin(uint64_t seed, uint64_t index, const uint8_t *bytes, size_t count) {
  size_t kept = count < AST_FUZZ_GUARD_CAPACITY ? count : AST_FUZZ_GUARD_CAPACITY;
  if (kept > 0) memcpy(input_buffer, bytes, kept);
  input_count = kept;
  input_full_count = count;
  input_seed = seed;
  input_index = index;
  if (timeout > 0) alarm(timeout);
}

void ast_fuzz_guard_end(void) {
  if (timeout > 0) alarm(0);
}
