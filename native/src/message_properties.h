// Property lookup in RocketMQ's encoded properties string: name \x01 value \x02 repeated (the last
// \x02 may be missing). Returns a view into the input, never allocates.
// Thread affinity: any thread.
#pragma once

#include <string_view>

#include "record_layout.h"

namespace cometmq {

// Well-known property names (MessageConst).
inline constexpr std::string_view kPropertyTags = "TAGS";
inline constexpr std::string_view kPropertyKeys = "KEYS";
inline constexpr std::string_view kPropertyUniqKey = "UNIQ_KEY";
inline constexpr std::string_view kPropertyDelayLevel = "DELAY";

// Value of `name`, or an empty view with found=false when absent.
inline std::string_view FindProperty(std::string_view properties, std::string_view name, bool* found = nullptr) {
  size_t pos = 0;
  while (pos < properties.size()) {
    const size_t sep = properties.find(record::kNameValueSeparator, pos);
    if (sep == std::string_view::npos) break;
    size_t end = properties.find(record::kPropertySeparator, sep + 1);
    if (end == std::string_view::npos) end = properties.size();
    if (sep - pos == name.size() && properties.compare(pos, name.size(), name) == 0) {
      if (found) *found = true;
      return properties.substr(sep + 1, end - sep - 1);
    }
    pos = end + 1;
  }
  if (found) *found = false;
  return {};
}

// The properties the dispatcher needs, found in one pass over the string.
struct DispatchProperties {
  std::string_view tags;
  std::string_view keys;
  std::string_view uniq_key;
  std::string_view delay;
  bool has_tags = false;
};

inline DispatchProperties ScanDispatchProperties(std::string_view properties) {
  DispatchProperties out;
  size_t pos = 0;
  while (pos < properties.size()) {
    const size_t sep = properties.find(record::kNameValueSeparator, pos);
    if (sep == std::string_view::npos) break;
    size_t end = properties.find(record::kPropertySeparator, sep + 1);
    if (end == std::string_view::npos) end = properties.size();
    const std::string_view name = properties.substr(pos, sep - pos);
    const std::string_view value = properties.substr(sep + 1, end - sep - 1);
    // First occurrence wins, as in FindProperty.
    if (name == kPropertyTags) {
      if (!out.has_tags) out.tags = value;
      out.has_tags = true;
    } else if (name == kPropertyKeys) {
      if (out.keys.data() == nullptr) out.keys = value;
    } else if (name == kPropertyUniqKey) {
      if (out.uniq_key.data() == nullptr) out.uniq_key = value;
    } else if (name == kPropertyDelayLevel) {
      if (out.delay.data() == nullptr) out.delay = value;
    }
    pos = end + 1;
  }
  return out;
}

}  // namespace cometmq
