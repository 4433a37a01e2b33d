// fp16_check.cpp — checks the portable bf16/fp16 conversions of kernels/common/jk_host_fp16.h,
// exactly as the kernels see them without a CUDA toolkit (jk_cuda.h under -DJK_NO_CUDA_HEADERS).
// Run by native/Makefile (target fp16-check, part of `all`) on every build.
//
// Each conversion is compared, bit for bit, with
//   - a table of hand-derived cases (ties, max finite, overflow, subnormals, NaN payloads);
//   - a reference written from the definition (nearest representable value, ties to even, found
//     by search over the decoded values in double precision; CUDA's NaN conventions);
//   - with -DJK_CHECK_WITH_CUDA (where the toolkit's headers exist): the toolkit's own host
//     conversions, linked in from fp16_cuda.cpp.
// Inputs: every fp16 and every bf16 bit pattern (-> float); floats -> fp16/bf16: a strided sweep
// of all 2^32 float bit patterns (stride 251; `fp16_check --full`: all of them), every rounding
// boundary of both formats (each value, each halfway point, one float ulp either side) and the
// table's edge cases. Prints one line of counts; exits 1 on the first 20 mismatches' report.
#include "common/jk_cuda.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vector>

#if defined(JK_CHECK_WITH_CUDA)
extern "C" {
uint16_t jk_check_cuda_float2half(float f);
uint16_t jk_check_cuda_float2half_rn(float f);
float jk_check_cuda_half2float(uint16_t h);
uint16_t jk_check_cuda_float2bfloat16(float f);
uint16_t jk_check_cuda_float2bfloat16_rn(float f);
float jk_check_cuda_bfloat162float(uint16_t b);
}
#endif

namespace {

using jk_fp16::bits_float;
using jk_fp16::float_bits;

long long g_compared = 0;
int g_failures = 0;

void expect16(const char* what, uint32_t input, uint16_t got, uint16_t want, const char* against) {
    ++g_compared;
    if (got != want && ++g_failures <= 20) {
        fprintf(stderr, "fp16_check: %s(0x%08x) = 0x%04x, %s says 0x%04x\n", what, input, got, against, want);
    }
}
void expect32(const char* what, uint32_t input, float got, float want, const char* against) {
    ++g_compared;
    if (float_bits(got) != float_bits(want) && ++g_failures <= 20) {
        fprintf(stderr, "fp16_check: %s(0x%04x) = 0x%08x, %s says 0x%08x\n", what, input, float_bits(got), against,
                float_bits(want));
    }
}

// What the kernels call.
uint16_t port_f2h(float f) { __half h = __float2half(f); uint16_t b; memcpy(&b, &h, 2); return b; }
uint16_t port_f2h_rn(float f) { __half h = __float2half_rn(f); uint16_t b; memcpy(&b, &h, 2); return b; }
float port_h2f(uint16_t b) { __half h; memcpy(&h, &b, 2); return __half2float(h); }
uint16_t port_f2b(float f) { __nv_bfloat16 h = __float2bfloat16(f); uint16_t b; memcpy(&b, &h, 2); return b; }
uint16_t port_f2b_rn(float f) { __nv_bfloat16 h = __float2bfloat16_rn(f); uint16_t b; memcpy(&b, &h, 2); return b; }
float port_b2f(uint16_t b) { __nv_bfloat16 h; memcpy(&h, &b, 2); return __bfloat162float(h); }

// ---- the reference, from the definition ----------------------------------------------------------
bool is_nan_bits(uint32_t x) { return (x & 0x7fffffffu) > 0x7f800000u; }

// fp16 value of a pattern: (-1)^s * 2^(e-15) * 1.m, subnormal 2^-14 * 0.m; NaN as CUDA: 0x7fffffff.
double ref_half_value(uint16_t h) {
    const int s = h >> 15, e = (h >> 10) & 31, m = h & 1023;
    const double v = e == 0 ? ldexp(m, -24) : e == 31 ? INFINITY : ldexp(1024 + m, e - 25);
    return s ? -v : v;
}
float ref_h2f(uint16_t h) {
    if ((h & 0x7c00u) == 0x7c00u && (h & 0x3ffu) != 0) return bits_float(0x7fffffffu);
    return float(ref_half_value(h));  // exact: every fp16 value is a float
}
float ref_b2f(uint16_t b) {
    const int s = b >> 15, e = (b >> 7) & 255, m = b & 127;
    if (e == 255) return bits_float(uint32_t(b) << 16);  // ±Inf; a NaN keeps sign and payload
    const double v = e == 0 ? ldexp(m, -133) : ldexp(128 + m, e - 134);
    return float(s ? -v : v);
}

// Nearest of `lo` < a <= `hi` (two adjacent magnitudes, patterns lo_bits/lo_bits+1), ties to even.
uint32_t nearest(double a, double lo, double hi, uint32_t lo_bits) {
    if (a == lo) return lo_bits;
    const double dlo = a - lo, dhi = hi - a;  // exact: all of them are short binary fractions
    if (dlo < dhi) return lo_bits;
    if (dhi < dlo) return lo_bits + 1;
    return (lo_bits & 1u) ? lo_bits + 1 : lo_bits;
}
uint16_t ref_f2h(float f) {
    const uint32_t x = float_bits(f);
    if (is_nan_bits(x)) return 0x7fff;
    const uint16_t sign = uint16_t((x >> 16) & 0x8000u);
    const double a = fabs(double(f));
    // The largest positive finite pattern whose value is <= a (positive fp16 patterns are ordered).
    uint32_t lo = 0, hi = 0x7bff;
    if (a >= ref_half_value(0x7bff)) {
        lo = 0x7bff;
    } else {
        while (lo < hi) {
            const uint32_t mid = (lo + hi + 1) / 2;
            if (ref_half_value(uint16_t(mid)) <= a) lo = mid; else hi = mid - 1;
        }
    }
    // Past the max finite, the next "value" is 2^16 (what the exponent range would give): 65520
    // and up rounds to Inf.
    const double next = lo == 0x7bff ? 65536.0 : ref_half_value(uint16_t(lo + 1));
    return uint16_t(sign | nearest(a, ref_half_value(uint16_t(lo)), next, lo));
}
uint16_t ref_f2b(float f) {
    const uint32_t x = float_bits(f);
    if (is_nan_bits(x)) return 0x7fff;
    const uint16_t sign = uint16_t((x >> 16) & 0x8000u);
    const double a = fabs(double(f));
    const uint32_t lo = (x & 0x7fffffffu) >> 16;  // truncation: the largest bf16 magnitude <= a
    if (lo == 0x7f80u) return uint16_t(sign | lo);  // ±Inf
    const double next = lo == 0x7f7fu ? ldexp(1.0, 128) : double(ref_b2f(uint16_t(lo + 1)));
    return uint16_t(sign | nearest(a, double(ref_b2f(uint16_t(lo))), next, lo));
}

// ---- the cases ---------------------------------------------------------------------------------
struct Case {
    uint32_t f;  // float bits
    uint16_t h;  // fp16 bits
    uint16_t b;  // bf16 bits
};
// Hand-derived (see the comments); every one is also in the float sweep below.
const Case kTable[] = {
    {0x00000000u, 0x0000, 0x0000}, {0x80000000u, 0x8000, 0x8000},  // ±0
    {0x3f800000u, 0x3c00, 0x3f80},                                  // 1
    {0x3f801000u, 0x3c00, 0x3f80},  // 1 + 2^-11: fp16 tie, to even (down)
    {0x3f801001u, 0x3c01, 0x3f80},  // just past the tie: up
    {0x3f803000u, 0x3c02, 0x3f80},  // 1 + 3*2^-11: fp16 tie between 0x3c01 and 0x3c02: up to even
    {0x3f808000u, 0x3c04, 0x3f80},  // 1 + 2^-8: bf16 tie, to even (down)
    {0x3f818000u, 0x3c0c, 0x3f82},  // bf16 tie between 0x3f81 and 0x3f82: up to even
    {0xbf818000u, 0xbc0c, 0xbf82},
    {0x477fe000u, 0x7bff, 0x4780},  // 65504, fp16 max finite
    {0x477fefffu, 0x7bff, 0x4780},  // just under 65520
    {0x477ff000u, 0x7c00, 0x4780},  // 65520: fp16 tie between max finite (odd) and "2^16": Inf
    {0xc77ff000u, 0xfc00, 0xc780},
    {0x47800000u, 0x7c00, 0x4780},  // 65536 = 2^16: Inf (not the pattern after it)
    {0x47801001u, 0x7c00, 0x4780},  // past 2^16 + half an fp16 ulp there: still Inf, not a NaN
    {0x7f7f7fffu, 0x7c00, 0x7f7f},  // just under bf16's rounding boundary at its max finite
    {0x7f7f8000u, 0x7c00, 0x7f80},  // bf16 tie past max finite (odd): Inf
    {0x7f7fffffu, 0x7c00, 0x7f80},  // float max
    {0xff7fffffu, 0xfc00, 0xff80},
    {0x7f800000u, 0x7c00, 0x7f80}, {0xff800000u, 0xfc00, 0xff80},  // ±Inf
    {0x7fc00000u, 0x7fff, 0x7fff}, {0xffc00000u, 0x7fff, 0x7fff},  // NaN: canonical, sign dropped
    {0x7f800001u, 0x7fff, 0x7fff},  // signalling NaN whose payload truncation would lose (-> Inf)
    {0x7fa00000u, 0x7fff, 0x7fff}, {0xff80ffffu, 0x7fff, 0x7fff}, {0x7fffffffu, 0x7fff, 0x7fff},
    {0x38800000u, 0x0400, 0x3880},  // 2^-14, fp16 min normal
    {0x387fc000u, 0x03ff, 0x3880},  // fp16 max subnormal 1023*2^-24
    {0x387fe000u, 0x0400, 0x3880},  // 1023.5*2^-24: tie, to even (up, into the normals)
    {0x33800000u, 0x0001, 0x3380},  // 2^-24, fp16 min subnormal
    {0x33000000u, 0x0000, 0x3300},  // 2^-25: tie between 0 and min subnormal: 0
    {0x33000001u, 0x0001, 0x3300},  // just past it: min subnormal
    {0xb3000001u, 0x8001, 0xb300},
    {0x32ffffffu, 0x0000, 0x3300},
    {0x33c00000u, 0x0002, 0x33c0},  // 1.5*2^-24: tie, to even (2)
    {0x34200000u, 0x0002, 0x3420},  // 2.5*2^-24: tie, to even (2)
    {0x00000001u, 0x0000, 0x0000},  // float min subnormal
    {0x00008000u, 0x0000, 0x0000},  // bf16 tie at the bottom: to even (0)
    {0x00018000u, 0x0000, 0x0002},  // bf16 tie between 0x0001 and 0x0002: up
    {0x807fffffu, 0x8000, 0x8080},  // float max subnormal, negative: bf16 rounds up to -min normal
};
struct Decode {
    uint16_t in;
    uint32_t f;
};
const Decode kHalfTable[] = {
    {0x0000, 0x00000000u}, {0x8000, 0x80000000u}, {0x0001, 0x33800000u}, {0x8001, 0xb3800000u},
    {0x03ff, 0x387fc000u}, {0x0400, 0x38800000u}, {0x3c00, 0x3f800000u}, {0x7bff, 0x477fe000u},
    {0x7c00, 0x7f800000u}, {0xfc00, 0xff800000u}, {0x7c01, 0x7fffffffu}, {0x7e00, 0x7fffffffu},
    {0xfe00, 0x7fffffffu}, {0xffff, 0x7fffffffu},
};
const Decode kBf16Table[] = {
    {0x0000, 0x00000000u}, {0x8000, 0x80000000u}, {0x0001, 0x00010000u}, {0x3f80, 0x3f800000u},
    {0x7f7f, 0x7f7f0000u}, {0x7f80, 0x7f800000u}, {0xff80, 0xff800000u}, {0x7f81, 0x7f810000u},
    {0xffc1, 0xffc10000u}, {0x7fff, 0x7fff0000u},
};

void check_float(uint32_t x, bool with_ref) {
    const float f = bits_float(x);
    const uint16_t h = port_f2h(f), b = port_f2b(f);
    expect16("__float2half_rn", x, port_f2h_rn(f), h, "__float2half");
    expect16("__float2bfloat16_rn", x, port_f2b_rn(f), b, "__float2bfloat16");
    if (with_ref) {
        expect16("__float2half", x, h, ref_f2h(f), "the reference");
        expect16("__float2bfloat16", x, b, ref_f2b(f), "the reference");
    }
#if defined(JK_CHECK_WITH_CUDA)
    expect16("__float2half", x, h, jk_check_cuda_float2half(f), "CUDA");
    expect16("__float2half_rn", x, h, jk_check_cuda_float2half_rn(f), "CUDA");
    expect16("__float2bfloat16", x, b, jk_check_cuda_float2bfloat16(f), "CUDA");
    expect16("__float2bfloat16_rn", x, b, jk_check_cuda_float2bfloat16_rn(f), "CUDA");
#endif
}

}  // namespace

int main(int argc, char** argv) {
    const bool full = argc > 1 && strcmp(argv[1], "--full") == 0;
#if defined(JK_CHECK_WITH_CUDA)
    const char* against = "the table, the reference and CUDA's host conversions";
    const bool cuda = true;
#else
    const char* against = "the table and the reference (no CUDA headers to compare with)";
    const bool cuda = false;
#endif

    for (const Case& c : kTable) {
        expect16("__float2half", c.f, port_f2h(bits_float(c.f)), c.h, "the table");
        expect16("__float2bfloat16", c.f, port_f2b(bits_float(c.f)), c.b, "the table");
    }
    for (const Decode& d : kHalfTable) expect32("__half2float", d.in, port_h2f(d.in), bits_float(d.f), "the table");
    for (const Decode& d : kBf16Table) expect32("__bfloat162float", d.in, port_b2f(d.in), bits_float(d.f), "the table");

    // Every fp16 and bf16 pattern -> float.
    for (uint32_t i = 0; i < 65536; ++i) {
        const uint16_t p = uint16_t(i);
        expect32("__half2float", p, port_h2f(p), ref_h2f(p), "the reference");
        expect32("__bfloat162float", p, port_b2f(p), ref_b2f(p), "the reference");
#if defined(JK_CHECK_WITH_CUDA)
        expect32("__half2float", p, port_h2f(p), jk_check_cuda_half2float(p), "CUDA");
        expect32("__bfloat162float", p, port_b2f(p), jk_check_cuda_bfloat162float(p), "CUDA");
#endif
    }

    // Floats -> fp16/bf16: every rounding boundary of both formats, then the sweep.
    std::vector<uint32_t> edges;
    for (const Case& c : kTable) edges.push_back(c.f);
    for (uint32_t h = 0; h < 0x7c00; ++h) {  // each finite fp16 magnitude and the halfway point above it
        const double v = ref_half_value(uint16_t(h));
        const double next = h == 0x7bff ? 65536.0 : ref_half_value(uint16_t(h + 1));
        const uint32_t vb = float_bits(float(v)), mb = float_bits(float((v + next) / 2));  // both exact
        for (uint32_t s : {0u, 0x80000000u}) {
            for (uint32_t d : {vb - 1, vb, vb + 1, mb - 1, mb, mb + 1}) {
                if (d <= 0x7f800000u) edges.push_back(s | d);
            }
        }
    }
    for (uint32_t b = 0; b < 65536; ++b) {  // each bf16 pattern and the halfway point above it
        const uint32_t v = b << 16;
        for (uint32_t d : {v, v + 1, v + 0x7fffu, v + 0x8000u, v + 0x8001u, v + 0xffffu}) edges.push_back(d);
    }
    for (uint32_t x : edges) check_float(x, true);
    const long long edge_count = (long long)edges.size();

    // The sweep: every 251st float bit pattern (all of them with --full; the reference, slower,
    // only where there is no CUDA to compare with).
    const uint64_t stride = full ? 1 : 251;
    long long swept = 0;
    for (uint64_t x = 0; x <= 0xffffffffull; x += stride, ++swept) check_float(uint32_t(x), !(full && cuda));

    if (g_failures > 0) {
        fprintf(stderr, "fp16_check: FAILED: %d of %lld comparisons differ\n", g_failures, g_compared);
        return 1;
    }
    printf("fp16_check: ok, %lld comparisons: all 65536 fp16 and all 65536 bf16 patterns -> float, %lld boundary "
           "floats and %lld swept floats (stride %llu%s) -> fp16/bf16, against %s\n",
           g_compared, edge_count, swept, (unsigned long long)stride, full && cuda ? ", against CUDA only" : "", against);
    return 0;
}
