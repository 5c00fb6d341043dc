#ifndef AST_CFFTW_SHIM_H
#define AST_CFFTW_SHIM_H
#include <fftw3.h>
#endif
