#ifndef AST_CPNG_SHIM_H
#define AST_CPNG_SHIM_H
#include <png.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* Writes 8-bit RGB rows as a PNG to the open file `descriptor`, which it closes; returns
   0 on success, or copies libpng's message into `message` and returns -1. */
static inline int ast_png_write_rgb_fd(int descriptor, const unsigned char *pixels,
                                       int width, int height, char *message,
                                       size_t capacity) {
  FILE *file = fdopen(descriptor, "wb");
  if (!file) {
    close(descriptor);
    strncpy(message, "cannot open the file", capacity - 1);
    message[capacity - 1] = 0;
    return -1;
  }
  png_image image;
  memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  image.width = (png_uint_32)width;
  image.height = (png_uint_32)height;
  image.format = PNG_FORMAT_RGB;
  int written = png_image_write_to_stdio(&image, file, 0, pixels, 0, NULL);
  int closed = fclose(file);
  if (written && closed == 0) return 0;
  strncpy(message, written ? "cannot finish the file" : image.message, capacity - 1);
  message[capacity - 1] = 0;
  return -1;
}

/* Reads the size of a PNG file; returns 0 on success. */
static inline int ast_png_size(const char *path, int *width, int *height) {
  png_image image;
  memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&image, path)) return -1;
  *width = (int)image.width;
  *height = (int)image.height;
  png_image_free(&image);
  return 0;
}

/* Reads a PNG file as 8-bit RGB into `pixels` (width * height * 3 bytes); 0 on success. */
static inline int ast_png_read_rgb(const char *path, unsigned char *pixels, size_t size) {
  png_image image;
  memset(&image, 0, sizeof image);
  image.version = PNG_IMAGE_VERSION;
  if (!png_image_begin_read_from_file(&image, path)) return -1;
  image.format = PNG_FORMAT_RGB;
  if (PNG_IMAGE_SIZE(image) > size) { png_image_free(&image); return -1; }
  if (!png_image_finish_read(&image, NULL, pixels, 0, NULL)) return -1;
  return 0;
}
#endif
