#ifndef AST_CINTERRUPT_H
#define AST_CINTERRUPT_H

/* The interactive session's Ctrl-C. The flag behind these functions is defined once,
   in CInterrupt.c, so the signal handler, the prompt's key binding and the render's
   watcher all read and write the same variable whichever module calls them. */

/* Installs a SIGINT handler that only records the signal, without SA_RESTART so that a
   read waiting at the prompt returns; unblocks SIGINT. Returns sigaction's result. */
int ast_install_interrupt_handler(void);

/* Records Ctrl-C as pressed (from a key binding at the prompt). */
void ast_note_interrupt(void);

/* Whether Ctrl-C was pressed since the last call; clears the record. */
int ast_take_interrupt(void);

#endif
