#include "java_hash.h"

namespace cometmq {
namespace {

constexpr uint32_t kReplacement = 0xFFFD;

inline uint32_t Step(uint32_t h, uint32_t unit) { return h * 31u + unit; }

// Decodes one code point starting at s[i]; advances i past it. Malformed input yields U+FFFD and
// consumes the maximal invalid prefix (at least one byte), matching Java's replacement behaviour for
// the common cases (stray continuation bytes, truncated sequences, overlongs, surrogates).
uint32_t DecodeOne(std::string_view s, size_t& i) {
  const auto byte = [&](size_t k) { return static_cast<uint8_t>(s[k]); };
  const uint8_t b0 = byte(i);
  if (b0 < 0x80) {
    ++i;
    return b0;
  }
  size_t need;
  uint32_t cp;
  uint32_t min;
  if ((b0 & 0xE0) == 0xC0) {
    need = 1, cp = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    need = 2, cp = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    need = 3, cp = b0 & 0x07, min = 0x10000;
  } else {
    ++i;
    return kReplacement;
  }
  size_t k = i + 1;
  for (size_t n = 0; n < need; ++n, ++k) {
    if (k >= s.size() || (byte(k) & 0xC0) != 0x80) {
      i = k;
      return kReplacement;
    }
    cp = (cp << 6) | (byte(k) & 0x3F);
  }
  i = k;
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return kReplacement;
  return cp;
}

}  // namespace

int32_t JavaStringHash(std::string_view utf8, int32_t seed) {
  uint32_t h = static_cast<uint32_t>(seed);
  size_t i = 0;
  while (i < utf8.size()) {
    const uint8_t b = static_cast<uint8_t>(utf8[i]);
    if (b < 0x80) {  // fast path: ASCII is one UTF-16 unit
      h = Step(h, b);
      ++i;
      continue;
    }
    const uint32_t cp = DecodeOne(utf8, i);
    if (cp >= 0x10000) {
      const uint32_t v = cp - 0x10000;
      h = Step(h, 0xD800 + (v >> 10));
      h = Step(h, 0xDC00 + (v & 0x3FF));
    } else {
      h = Step(h, cp);
    }
  }
  return static_cast<int32_t>(h);
}

}  // namespace cometmq
