#include <zlib.h>
// deflateInit2 is a macro Swift cannot call.
static inline int porter_deflate_init_gzip(z_stream *s, int level) {
    return deflateInit2(s, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}
// inflateInit2 likewise; 15 + 32 reads gzip or zlib, and concatenated gzip members.
static inline int porter_inflate_init_auto(z_stream *s) {
    return inflateInit2(s, 15 + 32);
}
