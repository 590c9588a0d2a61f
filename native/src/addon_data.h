// Per-environment addon state (the addon is context-aware: worker threads get their own).
#pragma once

#include <napi.h>

#include <unordered_set>

namespace cometmq {

class StoreWrap;

struct AddonData {
  Napi::FunctionReference store_constructor;
  std::unordered_set<StoreWrap*> live_stores;  // closed by the environment cleanup hook
};

}  // namespace cometmq
