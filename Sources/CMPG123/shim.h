#ifndef AST_CMPG123_SHIM_H
#define AST_CMPG123_SHIM_H
#include <stddef.h>
#include <sys/types.h>
#include <mpg123.h>

/* Opens the MPEG audio stream at an open descriptor for decoding to 32-bit floats at its
   own rate, with nothing printed: libmpg123's notes and warnings go to standard error
   unless MPG123_QUIET is set. The handle is NULL on failure, with *error set. The
   length is counted by a scan of the frame headers. */
static inline mpg123_handle *ast_mpg123_open(int descriptor, int *error) {
  mpg123_handle *handle = mpg123_new(NULL, error);
  if (handle == NULL) return NULL;
  mpg123_param(handle, MPG123_ADD_FLAGS, MPG123_QUIET | MPG123_GAPLESS, 0.0);
  mpg123_param(handle, MPG123_REMOVE_FLAGS, MPG123_AUTO_RESAMPLE, 0.0);
  mpg123_format_none(handle);
  const long *rates = NULL;
  size_t count = 0;
  mpg123_rates(&rates, &count);
  for (size_t index = 0; index < count; index++) {
    mpg123_format(handle, rates[index], MPG123_MONO | MPG123_STEREO, MPG123_ENC_FLOAT_32);
  }
  *error = mpg123_open_fd(handle, descriptor);
  if (*error == MPG123_OK) *error = mpg123_scan(handle);
  if (*error != MPG123_OK) {
    mpg123_delete(handle);
    return NULL;
  }
  return handle;
}

/* The stream's rate and channel count; MPG123_OK or an error code. */
static inline int ast_mpg123_format(mpg123_handle *handle, long *rate, int *channels) {
  int encoding = 0;
  return mpg123_getformat(handle, rate, channels, &encoding);
}

/* The stream's length in frames (samples per channel), or a negative number when unknown. */
static inline long long ast_mpg123_length(mpg123_handle *handle) {
  return (long long)mpg123_length(handle);
}

#endif
