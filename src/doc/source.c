/* Sources: the bytes of one input file and a line map computed on first use. */
#include <regionlint/doc.h>

#include "../base/utf8.h"
#include "doc_private.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct rl_source {
    char *path;
    char *data;
    size_t len;
    size_t *lines; /* byte offset of each line start; built lazily */
    size_t *ascii; /* bytes of each line before its first non-ASCII byte (with lines) */
    uint32_t nlines;
};

static int make(rl_source **out, const char *display, char *data, size_t len)
{
    rl_source *s = calloc(1, sizeof(*s));
    if (!s) {
        free(data);
        return RL_ENOMEM;
    }
    s->path = strdup(display ? display : "-");
    if (!s->path) {
        free(data);
        free(s);
        return RL_ENOMEM;
    }
    s->data = data;
    s->len = len;
    *out = s;
    return RL_OK;
}

int rl_source_new(rl_source **out, const char *display, const char *data, size_t len)
{
    char *copy = malloc(len + 1);
    if (!copy)
        return RL_ENOMEM;
    if (len)
        memcpy(copy, data, len);
    copy[len] = '\0';
    return make(out, display, copy, len);
}

int rl_source_read(rl_source **out, const char *fs_path, const char *display, size_t max_size,
                   rl_error *err)
{
    int fd = -1;
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc = RL_OK;

    *out = NULL;
    if (!display)
        display = fs_path;
    fd = strcmp(fs_path, "-") ? open(fs_path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
    if (fd < 0) {
        rc = rl_error_set(err, RL_EIO, display, 0, 0, "cannot open: %s", strerror(errno));
        goto cleanup;
    }
    struct stat st;
    if (fstat(fd, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            rc = rl_error_set(err, RL_EIO, display, 0, 0, "is a directory");
            goto cleanup;
        }
        if (S_ISREG(st.st_mode) && (uint64_t)st.st_size > max_size) {
            rc = rl_error_set(err, RL_ELIMIT, display, 0, 0,
                              "file is %lld bytes, over the size limit of %zu bytes "
                              "(raise it with --max-file-size)",
                              (long long)st.st_size, max_size);
            goto cleanup;
        }
        /* +2: room for the NUL and for the read() that sees EOF, so a regular file is
         * read into one buffer without the realloc a full buffer would trigger */
        if (S_ISREG(st.st_mode))
            cap = (size_t)st.st_size + 2;
    }
    if (cap < 4096)
        cap = 4096;
    buf = malloc(cap);
    if (!buf) {
        rc = rl_error_set(err, RL_ENOMEM, display, 0, 0, "out of memory");
        goto cleanup;
    }
    for (;;) {
        if (len + 1 >= cap) {
            if (cap - 1 > max_size) { /* not max_size + 1: SIZE_MAX means no limit */
                rc = rl_error_set(err, RL_ELIMIT, display, 0, 0,
                                  "input is over the size limit of %zu bytes "
                                  "(raise it with --max-file-size)",
                                  max_size);
                goto cleanup;
            }
            size_t ncap = cap * 2;
            char *nb = realloc(buf, ncap);
            if (!nb) {
                rc = rl_error_set(err, RL_ENOMEM, display, 0, 0, "out of memory");
                goto cleanup;
            }
            buf = nb;
            cap = ncap;
        }
        ssize_t n = read(fd, buf + len, cap - len - 1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            rc = rl_error_set(err, RL_EIO, display, 0, 0, "read error: %s", strerror(errno));
            goto cleanup;
        }
        if (n == 0)
            break;
        len += (size_t)n;
        if (len > max_size) {
            rc = rl_error_set(err, RL_ELIMIT, display, 0, 0,
                              "input is over the size limit of %zu bytes "
                              "(raise it with --max-file-size)",
                              max_size);
            goto cleanup;
        }
    }
    buf[len] = '\0';
    rc = make(out, display, buf, len);
    buf = NULL;
    if (rc < 0)
        rl_error_set(err, rc, display, 0, 0, "out of memory");

cleanup:
    if (fd > STDIN_FILENO)
        close(fd);
    free(buf);
    return rc;
}

void rl_source_free(rl_source *src)
{
    if (!src)
        return;
    free(src->path);
    free(src->data);
    free(src->lines);
    free(src->ascii);
    free(src);
}

const char *rl_source_path(const rl_source *src)
{
    return src->path;
}

const char *rl_source_data(const rl_source *src, size_t *len)
{
    if (len)
        *len = src->len;
    return src->data;
}

static int build_lines(rl_source *s)
{
    size_t count = 1;
    for (const char *p = s->data; (p = memchr(p, '\n', (size_t)(s->data + s->len - p))); p++)
        count++;
    if (count > UINT32_MAX)
        return -1;
    s->lines = malloc(count * sizeof(*s->lines));
    s->ascii = malloc(count * sizeof(*s->ascii));
    if (!s->lines || !s->ascii) {
        free(s->lines);
        free(s->ascii);
        s->lines = s->ascii = NULL;
        return -1;
    }
    size_t i = 0;
    /* Columns never count a UTF-8 byte order mark, so line 1's text starts after it. */
    bool bom = s->len >= 3 && (unsigned char)s->data[0] == 0xEF &&
               (unsigned char)s->data[1] == 0xBB && (unsigned char)s->data[2] == 0xBF;
    s->lines[i++] = bom ? 3 : 0;
    for (const char *p = s->data; (p = memchr(p, '\n', (size_t)(s->data + s->len - p))); p++)
        s->lines[i++] = (size_t)(p - s->data) + 1;
    s->nlines = (uint32_t)count;
    /* columns count code points: on an ASCII prefix a column is a byte offset, so a long
     * minified line is not rescanned for every position asked on it */
    for (i = 0; i < count; i++) {
        size_t start = s->lines[i], end = i + 1 < count ? s->lines[i + 1] : s->len, k = start;
        while (k < end && !((unsigned char)s->data[k] & 0x80))
            k++;
        s->ascii[i] = k - start;
    }
    return 0;
}

uint32_t rl_source_line_count(const rl_source *src)
{
    rl_source *s = (rl_source *)src; /* the line map is a cache */
    if (!s->lines && build_lines(s) < 0)
        return 0;
    return s->nlines;
}

size_t rl_source_column_byte(const rl_source *src, uint32_t line, const char *text, size_t len,
                             size_t cps)
{
    size_t a = line && line <= rl_source_line_count(src) ? src->ascii[line - 1] : 0;
    if (a > len)
        a = len;
    if (cps <= a)
        return cps;
    return a + rl_utf8_offset(text + a, len - a, cps - a);
}

int rl_source_line(const rl_source *src, uint32_t line, const char **text, size_t *len)
{
    if (line == 0 || line > rl_source_line_count(src))
        return -1;
    size_t start = src->lines[line - 1];
    size_t end = line < src->nlines ? src->lines[line] - 1 : src->len;
    if (end > start && src->data[end - 1] == '\r')
        end--;
    *text = src->data + start;
    *len = end - start;
    return 0;
}
