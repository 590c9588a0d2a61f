// Java's String.hashCode() computed over UTF-8 bytes, without building a Java string.
// RocketMQ stores tag hash codes in ConsumeQueue units and hashes "topic#key" into IndexFile slots
// with it, so the value must match Java's bit for bit: the hash runs over UTF-16 code units, so
// supplementary characters contribute their surrogate pair, and malformed UTF-8 contributes
// U+FFFD per bad sequence, as java.lang.String's UTF-8 decoder does.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace cometmq {

// Hash of the string whose UTF-8 encoding is `utf8`, continuing from `seed` (the hash of a prefix),
// so that "topic" + "#" + "key" can be hashed without concatenating.
int32_t JavaStringHash(std::string_view utf8, int32_t seed = 0);

}  // namespace cometmq
