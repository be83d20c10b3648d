#ifndef KHABAR_CZLIB_SHIM_H
#define KHABAR_CZLIB_SHIM_H
#include <zlib.h>

/* inflateInit2/deflateInit2 are macros; Swift needs functions. */
static inline int khabar_inflate_init2(z_streamp stream, int window_bits) {
    return inflateInit2(stream, window_bits);
}
static inline int khabar_deflate_init2(z_streamp stream, int level, int window_bits) {
    return deflateInit2(stream, level, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY);
}
#endif
