#include <string>
#include <vector>

#include "check.h"
#include "crc32.h"

using cometmq::Crc32;
using cometmq::Crc32Table;

static uint32_t CrcOf(const std::string& s) {
  return Crc32(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

TEST_CASE("crc32: known vectors of java.util.zip.CRC32") {
  CHECK_EQ(CrcOf(""), 0u);
  CHECK_EQ(CrcOf("a"), 0xE8B7BE43u);
  CHECK_EQ(CrcOf("123456789"), 0xCBF43926u);
  CHECK_EQ(CrcOf("The quick brown fox jumps over the lazy dog"), 0x414FA339u);
  std::string zeros(4096, '\0');
  CHECK_EQ(CrcOf(zeros), Crc32Table(reinterpret_cast<const uint8_t*>(zeros.data()), zeros.size()));
}

TEST_CASE("crc32: the fast path equals the table path at every length and alignment") {
  std::vector<uint8_t> data(5000);
  uint32_t x = 12345;
  for (auto& b : data) {
    x = x * 1103515245u + 12345u;
    b = static_cast<uint8_t>(x >> 16);
  }
  int mismatches = 0;
  for (size_t start = 0; start < 17; ++start) {
    for (size_t len = 0; len + start <= 600; ++len) {
      if (Crc32(data.data() + start, len) != Crc32Table(data.data() + start, len)) ++mismatches;
    }
  }
  CHECK_EQ(Crc32(data.data(), data.size()), Crc32Table(data.data(), data.size()));
  CHECK_EQ(mismatches, 0);
}

TEST_CASE("crc32: chunked computation continues from a previous value") {
  std::string s = "The quick brown fox jumps over the lazy dog, again and again and again and again!";
  const auto* p = reinterpret_cast<const uint8_t*>(s.data());
  const uint32_t whole = Crc32(p, s.size());
  for (size_t cut = 0; cut <= s.size(); ++cut) {
    CHECK_EQ(Crc32(p + cut, s.size() - cut, Crc32(p, cut)), whole);
  }
}

TEST_CASE("crc32: body CRC is masked to 31 bits like RocketMQ UtilAll.crc32") {
  const std::string s = "123456789";
  CHECK_EQ(cometmq::BodyCrc(reinterpret_cast<const uint8_t*>(s.data()), s.size()),
           static_cast<int32_t>(0xCBF43926u & 0x7FFFFFFFu));
}
