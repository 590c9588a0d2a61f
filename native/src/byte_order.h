// Big-endian field access. Every on-disk and on-wire integer in RocketMQ's formats is big-endian;
// these helpers are the only place byte order is handled, and they never assume alignment.
#pragma once

#include <cstdint>
#include <cstring>

namespace cometmq {

inline uint32_t LoadU32BE(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, sizeof v);
  return __builtin_bswap32(v);
}

inline uint64_t LoadU64BE(const uint8_t* p) {
  uint64_t v;
  std::memcpy(&v, p, sizeof v);
  return __builtin_bswap64(v);
}

inline uint16_t LoadU16BE(const uint8_t* p) {
  return static_cast<uint16_t>((p[0] << 8) | p[1]);
}

inline int32_t LoadI32BE(const uint8_t* p) { return static_cast<int32_t>(LoadU32BE(p)); }
inline int64_t LoadI64BE(const uint8_t* p) { return static_cast<int64_t>(LoadU64BE(p)); }

inline void StoreU32BE(uint8_t* p, uint32_t v) {
  v = __builtin_bswap32(v);
  std::memcpy(p, &v, sizeof v);
}

inline void StoreU64BE(uint8_t* p, uint64_t v) {
  v = __builtin_bswap64(v);
  std::memcpy(p, &v, sizeof v);
}

inline void StoreI32BE(uint8_t* p, int32_t v) { StoreU32BE(p, static_cast<uint32_t>(v)); }
inline void StoreI64BE(uint8_t* p, int64_t v) { StoreU64BE(p, static_cast<uint64_t>(v)); }

}  // namespace cometmq
