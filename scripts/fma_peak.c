/* One core's float32 FMA peak with AVX-512: 12 independent chains of _mm512_fmadd_ps (enough to
 * cover the FMA latency on two FMA pipes), 2e9 FMAs of 16 lanes, three runs (docs/profile.md,
 * "How far the b512 step can go").
 * Build and run: gcc -O3 -mavx512f -o /tmp/fma_peak scripts/fma_peak.c && /tmp/fma_peak */
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

#define F(x) x = _mm512_fmadd_ps(x, b, c)

int main(void) {
    __m512 b = _mm512_set1_ps(1.0000001f), c = _mm512_set1_ps(1e-7f);
    __m512 a0 = _mm512_set1_ps(0), a1 = _mm512_set1_ps(1), a2 = _mm512_set1_ps(2), a3 = _mm512_set1_ps(3),
           a4 = _mm512_set1_ps(4), a5 = _mm512_set1_ps(5), a6 = _mm512_set1_ps(6), a7 = _mm512_set1_ps(7),
           a8 = _mm512_set1_ps(8), a9 = _mm512_set1_ps(9), a10 = _mm512_set1_ps(10), a11 = _mm512_set1_ps(11);
    const long n = 2000000000;
    for (int r = 0; r < 3; r++) {
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        for (long i = 0; i < n / 12; i++) {
            F(a0); F(a1); F(a2); F(a3); F(a4); F(a5); F(a6); F(a7); F(a8); F(a9); F(a10); F(a11);
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
        __m512 x = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)),
                                 _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7)));
        x = _mm512_add_ps(x, _mm512_add_ps(_mm512_add_ps(a8, a9), _mm512_add_ps(a10, a11)));
        printf("%.1f GFLOP/s (checksum %g)\n", n * 32.0 / s / 1e9, _mm512_reduce_add_ps(x));
    }
    return 0;
}
