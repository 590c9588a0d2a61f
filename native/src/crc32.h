// CRC-32/IEEE 802.3 exactly as java.util.zip.CRC32 (reflected polynomial 0xEDB88320, init and
// final xor 0xFFFFFFFF). RocketMQ stores BODYCRC as Crc32(body) & 0x7FFFFFFF (UtilAll.crc32).
// Thread affinity: any thread.
#pragma once

#include <cstddef>
#include <cstdint>

namespace cometmq {

// CRC of [data, data + length), continuing from `crc` (the CRC of a preceding chunk, 0 to start).
uint32_t Crc32(const uint8_t* data, size_t length, uint32_t crc = 0);

// Portable table-driven version (slicing-by-8); Crc32 uses a carry-less-multiply path when the CPU
// has PCLMULQDQ. Exposed so tests can check the two agree.
uint32_t Crc32Table(const uint8_t* data, size_t length, uint32_t crc = 0);

// True when Crc32 dispatches to the PCLMULQDQ path on this CPU.
bool Crc32UsesClmul();

inline int32_t BodyCrc(const uint8_t* body, size_t length) {
  return static_cast<int32_t>(Crc32(body, length) & 0x7FFFFFFFu);
}

}  // namespace cometmq
