#ifndef AST_CSOXR_SHIM_H
#define AST_CSOXR_SHIM_H
#include <soxr.h>
#endif
