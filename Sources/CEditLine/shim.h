#ifndef AST_CEDITLINE_SHIM_H
#define AST_CEDITLINE_SHIM_H
#include <stdio.h>
#include <string.h>
#include <histedit.h>

/* el_set, el_get and history are variadic, which Swift cannot call: these wrappers
   give each operation the project uses a fixed signature. */

typedef char *(*ast_prompt_function)(EditLine *);
typedef unsigned char (*ast_editline_command)(EditLine *, int);

static inline int ast_el_set_prompt(EditLine *el, ast_prompt_function prompt) {
  return el_set(el, EL_PROMPT, prompt);
}

static inline int ast_el_set_editor(EditLine *el, const char *mode) {
  return el_set(el, EL_EDITOR, mode);
}

static inline int ast_el_set_history(EditLine *el, History *h) {
  return el_set(el, EL_HIST, history, h);
}

static inline int ast_el_set_signal(EditLine *el, int enabled) {
  return el_set(el, EL_SIGNAL, enabled);
}

static inline int ast_el_add_function(EditLine *el, const char *name, const char *help,
                                      ast_editline_command function) {
  return el_set(el, EL_ADDFN, name, help, function);
}

static inline int ast_el_bind(EditLine *el, const char *key, const char *command) {
  return el_set(el, EL_BIND, key, command, NULL);
}

static inline int ast_el_set_client_data(EditLine *el, void *data) {
  return el_set(el, EL_CLIENTDATA, data);
}

static inline void *ast_el_get_client_data(EditLine *el) {
  void *data = NULL;
  if (el_get(el, EL_CLIENTDATA, &data) != 0) {
    return NULL;
  }
  return data;
}

static inline int ast_history_set_size(History *h, HistEvent *event, int size) {
  return history(h, event, H_SETSIZE, size);
}

static inline int ast_history_set_unique(History *h, HistEvent *event, int unique) {
  return history(h, event, H_SETUNIQUE, unique);
}

static inline int ast_history_enter(History *h, HistEvent *event, const char *line) {
  return history(h, event, H_ENTER, line);
}

static inline int ast_history_load(History *h, HistEvent *event, const char *path) {
  return history(h, event, H_LOAD, path);
}

static inline int ast_history_save(History *h, HistEvent *event, const char *path) {
  return history(h, event, H_SAVE, path);
}

static inline int ast_history_count(History *h, HistEvent *event) {
  return history(h, event, H_GETSIZE);
}

static inline int ast_history_first(History *h, HistEvent *event) {
  return history(h, event, H_FIRST);
}

static inline int ast_history_next(History *h, HistEvent *event) {
  return history(h, event, H_NEXT);
}

/* An editor on the standard streams. */
static inline EditLine *ast_el_init_standard(const char *program) {
  return el_init(program, stdin, stdout, stderr);
}

/* At the prompt, Ctrl-C is read as a key instead of raising SIGINT, so that it always
   ends the read however the read is waiting. */
static inline int ast_el_read_interrupt_as_key(EditLine *el) {
  return el_set(el, EL_SETTY, "-d", "-isig", NULL);
}

/* The line being edited and the cursor, for completion. */
static inline const char *ast_el_line(EditLine *el, int *cursor, int *length) {
  const LineInfo *info = el_line(el);
  *cursor = (int)(info->cursor - info->buffer);
  *length = (int)(info->lastchar - info->buffer);
  return info->buffer;
}

#endif
