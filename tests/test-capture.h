/* Captures what a test's code writes to stderr (the file defining it must define
 * _POSIX_C_SOURCE 200809L before any include, for dup, dup2 and fileno). */
#ifndef SOLACE_TEST_CAPTURE_H
#define SOLACE_TEST_CAPTURE_H

#include <stdio.h>
#include <unistd.h>

/* stderr redirected into a temporary file. */
struct capture {
  FILE *file;
  int saved_fd;
};

/* Redirects stderr into a fresh temporary file. */
static inline void capture_begin(struct capture *c) {
  fflush(stderr);
  c->file = tmpfile();
  c->saved_fd = dup(STDERR_FILENO);
  dup2(fileno(c->file), STDERR_FILENO);
}

/* Restores stderr and copies what was written into text (size bytes, NUL-terminated). */
static inline void capture_end(struct capture *c, char *text, size_t size) {
  fflush(stderr);
  dup2(c->saved_fd, STDERR_FILENO);
  close(c->saved_fd);
  rewind(c->file);
  size_t n = fread(text, 1, size - 1, c->file);
  text[n] = '\0';
  fclose(c->file);
}

#endif
