// CRC-32/IEEE by carry-less multiplication (PCLMULQDQ), folding 64 bytes per step, then a Barrett
// reduction (the method of Intel's "Fast CRC Computation Using PCLMULQDQ" paper, reflected form).
// Selected at run time when the CPU supports it; tests check it against the table version.
#include "crc32.h"

#if defined(__x86_64__)
#include <immintrin.h>

namespace cometmq {

namespace {

// x^(n) mod P constants for the reflected polynomial, 33-bit values.
constexpr long long kFold4Lo = 0x154442bd4LL;  // fold 512 bits: x^(4*128+32) mod P, x^(4*128-32)
constexpr long long kFold4Hi = 0x1c6e41596LL;
constexpr long long kFold1Lo = 0x1751997d0LL;  // fold 128 bits
constexpr long long kFold1Hi = 0x0ccaa009eLL;
constexpr long long kFold64 = 0x163cd6124LL;    // 64 -> 32 bit fold
constexpr long long kPolyP = 0x1db710641LL;    // P' (reflected polynomial, 33 bits)
constexpr long long kBarrettMu = 0x1f7011641LL;  // floor(x^64 / P), reflected

__attribute__((target("pclmul,sse4.1"))) inline __m128i Fold128(__m128i k, __m128i acc, __m128i next) {
  return _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(acc, k, 0x00), _mm_clmulepi64_si128(acc, k, 0x11)), next);
}

__attribute__((target("pclmul,sse4.1"))) uint32_t FoldClmul(const uint8_t* p, size_t length, uint32_t state) {
  // Requires length >= 64 and a multiple of 16; `state` is the raw (non-inverted) register.
  const __m128i* in = reinterpret_cast<const __m128i*>(p);
  __m128i x1 = _mm_xor_si128(_mm_loadu_si128(in), _mm_cvtsi32_si128(static_cast<int>(state)));
  __m128i x2 = _mm_loadu_si128(in + 1);
  __m128i x3 = _mm_loadu_si128(in + 2);
  __m128i x4 = _mm_loadu_si128(in + 3);
  in += 4;
  length -= 64;
  const __m128i k4 = _mm_set_epi64x(kFold4Hi, kFold4Lo);
  while (length >= 64) {
    x1 = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x1, k4, 0x00), _mm_clmulepi64_si128(x1, k4, 0x11)),
                       _mm_loadu_si128(in));
    x2 = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x2, k4, 0x00), _mm_clmulepi64_si128(x2, k4, 0x11)),
                       _mm_loadu_si128(in + 1));
    x3 = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x3, k4, 0x00), _mm_clmulepi64_si128(x3, k4, 0x11)),
                       _mm_loadu_si128(in + 2));
    x4 = _mm_xor_si128(_mm_xor_si128(_mm_clmulepi64_si128(x4, k4, 0x00), _mm_clmulepi64_si128(x4, k4, 0x11)),
                       _mm_loadu_si128(in + 3));
    in += 4;
    length -= 64;
  }
  const __m128i k1 = _mm_set_epi64x(kFold1Hi, kFold1Lo);
  x1 = Fold128(k1, x1, x2);
  x1 = Fold128(k1, x1, x3);
  x1 = Fold128(k1, x1, x4);
  while (length >= 16) {
    x1 = Fold128(k1, x1, _mm_loadu_si128(in));
    ++in;
    length -= 16;
  }
  // 128 -> 64 bits (appending 32 zero bits), then 64 -> 32, then Barrett reduction.
  x1 = _mm_xor_si128(_mm_srli_si128(x1, 8), _mm_clmulepi64_si128(x1, k1, 0x10));
  const __m128i mask32 = _mm_set_epi32(0, 0, 0, -1);
  const __m128i k64 = _mm_set_epi64x(0, kFold64);
  __m128i t = _mm_clmulepi64_si128(_mm_and_si128(x1, mask32), k64, 0x00);
  x1 = _mm_xor_si128(_mm_srli_si128(x1, 4), t);
  const __m128i barrett = _mm_set_epi64x(kBarrettMu, kPolyP);
  t = _mm_clmulepi64_si128(_mm_and_si128(x1, mask32), barrett, 0x10);
  t = _mm_clmulepi64_si128(_mm_and_si128(t, mask32), barrett, 0x00);
  x1 = _mm_xor_si128(x1, t);
  return static_cast<uint32_t>(_mm_extract_epi32(x1, 1));
}

bool DetectClmul() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("pclmul") && __builtin_cpu_supports("sse4.1");
}

const bool kHasClmul = DetectClmul();

}  // namespace

bool Crc32UsesClmul() { return kHasClmul; }

uint32_t Crc32(const uint8_t* data, size_t length, uint32_t crc) {
  if (!kHasClmul || length < 64) return Crc32Table(data, length, crc);
  const size_t folded = length & ~static_cast<size_t>(15);
  const uint32_t state = FoldClmul(data, folded, ~crc);
  return Crc32Table(data + folded, length - folded, ~state);
}

}  // namespace cometmq
#endif
