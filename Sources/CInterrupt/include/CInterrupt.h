#ifndef AST_CINTERRUPT_H
#define AST_CINTERRUPT_H

/* The interactive session's Ctrl-C. The flag behind these functions is defined once,
   in CInterrupt.c, so the signal handler, the prompt's key binding and the render's
   watcher all read and write the same variable whichever module calls them. */

/* Installs a SIGINT handler that records the signal and writes a byte to a wake-up pipe,
   without SA_RESTART so that a read waiting at the prompt returns; unblocks SIGINT.
   Returns sigaction's result. */
int ast_install_interrupt_handler(void);

/* Records Ctrl-C as pressed (from a key binding at the prompt). */
void ast_note_interrupt(void);

/* Whether Ctrl-C was pressed since the last call; clears the record. */
int ast_take_interrupt(void);

/* The read end of the wake-up pipe (non-blocking), readable after each SIGINT the
   handler caught; -1 before the handler is installed or when no pipe could be made. */
int ast_interrupt_wake_descriptor(void);

/* Reads every pending byte from the wake-up pipe, so that it is readable again only
   after the next SIGINT. */
void ast_drain_interrupt_wakes(void);

/* Flushes standard output; returns 0 when everything written to it so far reached it,
   else the errno of the failure (EIO when the stream's error flag was set earlier). */
int ast_flush_standard_output(void);

#endif
