//===- npy.c - Reading float32/int64 and writing float32 .npy files -------===//
//
// Format: "\x93NUMPY", major, minor, a little-endian header length (2 bytes
// in version 1, 4 in versions 2 and 3), an ASCII Python dict literal
//   {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }
// padded with spaces and a newline, then the raw data.
//
//===----------------------------------------------------------------------===//

#include "npy.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

_Static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__,
               "sora-run reads '<f4' and '<i8' data in place");

/// Refuse headers larger than this: real ones are under 200 bytes.
#define MAX_HEADER_BYTES (1 << 20)

static const char kMagic[6] = {'\x93', 'N', 'U', 'M', 'P', 'Y'};

const char *npy_format_shape(char *buffer, size_t size, int32_t rank,
                             const int64_t *dims) {
  size_t used = (size_t)snprintf(buffer, size, "(");
  for (int32_t d = 0; d < rank && used < size; ++d)
    used += (size_t)snprintf(buffer + used, size - used, "%s%lld",
                             d ? ", " : "", (long long)dims[d]);
  if (used < size)
    snprintf(buffer + used, size - used, rank == 1 ? ",)" : ")");
  return buffer;
}

/// Returns the text after `'key':` (spaces skipped) in the header, or NULL.
static const char *find_value(const char *header, const char *key) {
  char quoted[32];
  snprintf(quoted, sizeof(quoted), "'%s'", key);
  const char *p = strstr(header, quoted);
  if (!p)
    return NULL;
  p += strlen(quoted);
  while (*p == ' ')
    ++p;
  if (*p++ != ':')
    return NULL;
  while (*p == ' ')
    ++p;
  return p;
}

/// Parses "(2, 3)" / "(6,)" / "()" into `out`.
static bool parse_shape(const char *p, npy_array_t *out) {
  if (!p || *p != '(')
    return false;
  ++p;
  out->rank = 0;
  out->num_elements = 1;
  for (;;) {
    while (*p == ' ' || *p == ',')
      ++p;
    if (*p == ')')
      return true;
    if (out->rank == NPY_MAX_RANK || *p < '0' || *p > '9')
      return false;
    char *end;
    errno = 0;
    long long dim = strtoll(p, &end, 10);
    if (errno != 0 || (dim > 0 && out->num_elements > INT64_MAX / 4 / dim))
      return false;
    out->dims[out->rank++] = dim;
    out->num_elements *= dim;
    p = end;
    if (*p != ',' && *p != ')' && *p != ' ')
      return false;
  }
}

/// Checks the header dict and fills rank, dims and num_elements.
static bool parse_header(const char *path, const char *header, npy_array_t *out,
                         char *error, size_t error_size) {
  const char *descr = find_value(header, "descr");
  if (!descr || (*descr != '\'' && *descr != '"')) {
    snprintf(error, error_size, "%s: malformed .npy header (no 'descr')", path);
    return false;
  }
  size_t descr_length = strcspn(descr + 1, "'\"");
  bool f32 = descr_length == 3 && strncmp(descr + 1, "<f4", 3) == 0;
  bool i64 = descr_length == 3 && strncmp(descr + 1, "<i8", 3) == 0;
  if (!f32 && !i64) {
    snprintf(error, error_size,
             "%s: dtype '%.*s' is not supported (sora-run reads float32 "
             "'<f4' and int64 '<i8')",
             path, (int)(descr_length > 16 ? 16 : descr_length), descr + 1);
    return false;
  }
  out->dtype = f32 ? NPY_F32 : NPY_I64;
  const char *fortran = find_value(header, "fortran_order");
  if (!fortran) {
    snprintf(error, error_size,
             "%s: malformed .npy header (no "
             "'fortran_order')",
             path);
    return false;
  }
  if (strncmp(fortran, "False", 5) != 0) {
    snprintf(error, error_size,
             "%s: Fortran-order arrays are not supported (save with C order)",
             path);
    return false;
  }
  if (!parse_shape(find_value(header, "shape"), out)) {
    snprintf(error, error_size, "%s: malformed .npy shape", path);
    return false;
  }
  return true;
}

static uint32_t read_le(const unsigned char *bytes, int count) {
  uint32_t value = 0;
  for (int i = count - 1; i >= 0; --i)
    value = value << 8 | bytes[i];
  return value;
}

/// Reads the preamble and header; leaves `file` at the data.
static bool read_header(const char *path, FILE *file, npy_array_t *out,
                        char *error, size_t error_size) {
  unsigned char preamble[12];
  if (fread(preamble, 1, 8, file) != 8 ||
      memcmp(preamble, kMagic, sizeof(kMagic)) != 0) {
    snprintf(error, error_size, "%s: not a .npy file", path);
    return false;
  }
  int major = preamble[6];
  int length_bytes = major == 1 ? 2 : 4;
  if (major < 1 || major > 3 ||
      fread(preamble + 8, 1, (size_t)length_bytes, file) !=
          (size_t)length_bytes) {
    snprintf(error, error_size, "%s: unsupported .npy version %d", path, major);
    return false;
  }
  uint32_t header_length = read_le(preamble + 8, length_bytes);
  if (header_length > MAX_HEADER_BYTES) {
    snprintf(error, error_size, "%s: malformed .npy header", path);
    return false;
  }
  char *header = malloc(header_length + 1);
  bool ok = header && fread(header, 1, header_length, file) == header_length;
  if (ok && memchr(header, '\0', header_length)) {
    snprintf(error, error_size, "%s: malformed .npy header (a NUL byte)", path);
    ok = false;
  } else if (ok) {
    header[header_length] = '\0';
    ok = parse_header(path, header, out, error, error_size);
  } else {
    snprintf(error, error_size, "%s: truncated .npy header", path);
  }
  free(header);
  return ok;
}

const char *npy_dtype_descr(npy_dtype_t dtype) {
  return dtype == NPY_F32 ? "<f4" : "<i8";
}

bool npy_read(const char *path, npy_array_t *out, char *error,
              size_t error_size) {
  memset(out, 0, sizeof(*out));
  FILE *file = fopen(path, "rb");
  if (!file) {
    snprintf(error, error_size, "%s: %s", path, strerror(errno));
    return false;
  }
  bool ok = read_header(path, file, out, error, error_size);
  // The shape is checked against the file's size before any allocation.
  struct stat st;
  long data_start = ok ? ftell(file) : -1;
  size_t element = out->dtype == NPY_F32 ? sizeof(float) : sizeof(int64_t);
  size_t bytes = (size_t)out->num_elements * element;
  if (ok && (data_start < 0 || fstat(fileno(file), &st) != 0 ||
             (S_ISREG(st.st_mode) &&
              (uint64_t)st.st_size - (uint64_t)data_start != bytes))) {
    snprintf(error, error_size,
             "%s: data size does not match shape (expected %zu bytes)", path,
             bytes);
    ok = false;
  }
  if (ok) {
    out->data = malloc(bytes ? bytes : 1);
    size_t got = out->data ? fread(out->data, 1, bytes, file) : 0;
    if (!out->data) {
      snprintf(error, error_size, "%s: out of memory", path);
      ok = false;
    } else if (got != bytes || fgetc(file) != EOF) {
      snprintf(error, error_size,
               "%s: data size does not match shape (expected %zu bytes)", path,
               bytes);
      ok = false;
    }
  }
  fclose(file);
  if (!ok)
    npy_array_free(out);
  return ok;
}

void npy_array_free(npy_array_t *array) {
  free(array->data);
  array->data = NULL;
}

/// Writes the preamble, header and data of a version 1.0 file.
static bool write_contents(FILE *file, int32_t rank, const int64_t *dims,
                           const float *data) {
  char shape[NPY_MAX_RANK * 24 + 8];
  char header[sizeof(shape) + 128];
  int64_t elements = 1;
  for (int32_t d = 0; d < rank; ++d)
    elements *= dims[d];
  int length = snprintf(header, sizeof(header),
                        "{'descr': '<f4', 'fortran_order': False, "
                        "'shape': %s, }",
                        npy_format_shape(shape, sizeof(shape), rank, dims));
  // Pad with spaces and end with '\n' so the data starts 64-byte aligned.
  int total = (10 + length + 1 + 63) / 64 * 64;
  while (10 + length + 1 < total)
    header[length++] = ' ';
  header[length++] = '\n';
  unsigned char preamble[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  preamble[8] = (unsigned char)(length & 0xff);
  preamble[9] = (unsigned char)(length >> 8);
  return fwrite(preamble, 1, sizeof(preamble), file) == sizeof(preamble) &&
         fwrite(header, 1, (size_t)length, file) == (size_t)length &&
         fwrite(data, sizeof(float), (size_t)elements, file) ==
             (size_t)elements &&
         fflush(file) == 0 && fsync(fileno(file)) == 0;
}

bool npy_write_f32(const char *path, int32_t rank, const int64_t *dims,
                   const float *data, char *error, size_t error_size) {
  if (rank < 0 || rank > NPY_MAX_RANK) {
    snprintf(error, error_size, "%s: cannot write rank %d", path, (int)rank);
    return false;
  }
  char temp[PATH_MAX];
  if (snprintf(temp, sizeof(temp), "%s.tmp.XXXXXX", path) >=
      (int)sizeof(temp)) {
    snprintf(error, error_size, "%s: path too long", path);
    return false;
  }
  int fd = mkstemp(temp);
  FILE *file = fd >= 0 ? fdopen(fd, "wb") : NULL;
  if (!file) {
    snprintf(error, error_size, "%s: %s", temp, strerror(errno));
    if (fd >= 0) {
      close(fd);
      unlink(temp);
    }
    return false;
  }
  mode_t mask = umask(0);
  umask(mask);
  bool ok =
      fchmod(fd, 0666 & ~mask) == 0 && write_contents(file, rank, dims, data);
  ok = fclose(file) == 0 && ok;
  if (ok)
    ok = rename(temp, path) == 0;
  if (!ok) {
    snprintf(error, error_size, "%s: %s", path, strerror(errno));
    unlink(temp);
  }
  return ok;
}
