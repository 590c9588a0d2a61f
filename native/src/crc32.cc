#include "crc32.h"

#include <cstring>

namespace cometmq {

namespace {

constexpr uint32_t kPolyReflected = 0xEDB88320u;

struct Tables {
  uint32_t t[8][256];
  Tables() {
    for (uint32_t i = 0; i < 256; ++i) {
      uint32_t c = i;
      for (int k = 0; k < 8; ++k) c = (c & 1) ? (c >> 1) ^ kPolyReflected : c >> 1;
      t[0][i] = c;
    }
    for (uint32_t i = 0; i < 256; ++i) {
      for (int s = 1; s < 8; ++s) t[s][i] = (t[s - 1][i] >> 8) ^ t[0][t[s - 1][i] & 0xFF];
    }
  }
};

const Tables& GetTables() {
  static const Tables tables;
  return tables;
}

}  // namespace

uint32_t Crc32Table(const uint8_t* data, size_t length, uint32_t crc) {
  const auto& t = GetTables().t;
  uint32_t c = ~crc;
  while (length >= 8) {
    uint32_t lo;
    uint32_t hi;
    std::memcpy(&lo, data, 4);  // little-endian host assumed (x86-64, arm64)
    std::memcpy(&hi, data + 4, 4);
    lo ^= c;
    c = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^ t[4][lo >> 24] ^
        t[3][hi & 0xFF] ^ t[2][(hi >> 8) & 0xFF] ^ t[1][(hi >> 16) & 0xFF] ^ t[0][hi >> 24];
    data += 8;
    length -= 8;
  }
  while (length--) c = (c >> 8) ^ t[0][(c ^ *data++) & 0xFF];
  return ~c;
}

#if !defined(__x86_64__)
uint32_t Crc32(const uint8_t* data, size_t length, uint32_t crc) { return Crc32Table(data, length, crc); }
bool Crc32UsesClmul() { return false; }
#endif

}  // namespace cometmq
