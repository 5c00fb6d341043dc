#ifndef AST_CSNDFILE_SHIM_H
#define AST_CSNDFILE_SHIM_H
#include <stdint.h>
#include <sndfile.h>

/* sf_command takes a void pointer whose meaning depends on the command; these wrappers
   give the commands the project uses a typed signature. */
static inline int ast_sf_set_clipping(SNDFILE *file, int enabled) {
  return sf_command(file, SFC_SET_CLIPPING, NULL, enabled ? SF_TRUE : SF_FALSE);
}

static inline int ast_sf_set_compression_level(SNDFILE *file, double level) {
  return sf_command(file, SFC_SET_COMPRESSION_LEVEL, &level, sizeof(level));
}

/* MP3 at a constant bitrate, which SFC_SET_COMPRESSION_LEVEL then chooses. */
static inline int ast_sf_set_constant_bitrate(SNDFILE *file) {
  int mode = SF_BITRATE_MODE_CONSTANT;
  return sf_command(file, SFC_SET_BITRATE_MODE, &mode, sizeof(mode));
}

static inline int ast_sf_set_vbr_encoding_quality(SNDFILE *file, double quality) {
  return sf_command(file, SFC_SET_VBR_ENCODING_QUALITY, &quality, sizeof(quality));
}

/* sync_file_range(2), declared here: glibc declares it only under _GNU_SOURCE, which
   would change the system headers this module shares with the others. */
extern int sync_file_range(int fd, int64_t offset, int64_t count, unsigned int flags);

/* Asks the kernel to start writing a file's dirty pages to disk (SYNC_FILE_RANGE_WRITE,
   2); returns at once. */
static inline int ast_start_writeback(int descriptor) {
  return sync_file_range(descriptor, 0, 0, 2);
}

#endif
