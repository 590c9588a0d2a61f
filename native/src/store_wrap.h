// NativeStore: the JS-facing class (src/store/native/native-types.ts NativeStoreHandle). Thin:
// unpack arguments (TS validated them), call MessageStore, pack results.
// Thread affinity: main thread; open()/flush() run their work on the libuv pool (AsyncWorker),
// and close() waits for that work through the store's lifecycle lock.
#pragma once

#include <napi.h>

#include <atomic>
#include <memory>

#include "addon_data.h"
#include "js_notifier.h"
#include "message_store.h"

namespace cometmq {

class StoreWrap : public Napi::ObjectWrap<StoreWrap> {
 public:
  static Napi::Function Init(Napi::Env env, AddonData* data);
  explicit StoreWrap(const Napi::CallbackInfo& info);
  ~StoreWrap() override;

  // Close the store and release the notifiers; idempotent (also the env cleanup hook).
  StoreResult CloseNow();
  MessageStore* store() { return store_.get(); }
  // The environment is going away: the addon data may be freed before this object.
  void ForgetAddonData() { data_ = nullptr; }

 private:
  Napi::Value JsOpen(const Napi::CallbackInfo& info);
  Napi::Value JsAppendBatch(const Napi::CallbackInfo& info);
  Napi::Value JsWakeDispatcher(const Napi::CallbackInfo& info);
  Napi::Value JsDispatchInline(const Napi::CallbackInfo& info);
  Napi::Value JsGetWrotePosition(const Napi::CallbackInfo& info);
  Napi::Value JsGetFlushedPosition(const Napi::CallbackInfo& info);
  Napi::Value JsGetDispatchedPosition(const Napi::CallbackInfo& info);
  Napi::Value JsSetDispatchNotifications(const Napi::CallbackInfo& info);
  Napi::Value JsGetMinPhysicalOffset(const Napi::CallbackInfo& info);
  Napi::Value JsGetMessages(const Napi::CallbackInfo& info);
  Napi::Value JsLookMessageByOffset(const Napi::CallbackInfo& info);
  Napi::Value JsQueryMessage(const Napi::CallbackInfo& info);
  Napi::Value JsGetMinOffsetInQueue(const Napi::CallbackInfo& info);
  Napi::Value JsGetMaxOffsetInQueue(const Napi::CallbackInfo& info);
  Napi::Value JsGetOffsetInQueueByTime(const Napi::CallbackInfo& info);
  Napi::Value JsGetEarliestMessageTime(const Napi::CallbackInfo& info);
  Napi::Value JsGetMessageStoreTimestamp(const Napi::CallbackInfo& info);
  Napi::Value JsGetCommitLogOffsetInQueue(const Napi::CallbackInfo& info);
  Napi::Value JsListQueues(const Napi::CallbackInfo& info);
  Napi::Value JsDeleteTopic(const Napi::CallbackInfo& info);
  Napi::Value JsCleanExpiredFiles(const Napi::CallbackInfo& info);
  Napi::Value JsFlush(const Napi::CallbackInfo& info);
  Napi::Value JsStats(const Napi::CallbackInfo& info);
  Napi::Value JsBeginTimeInLock(const Napi::CallbackInfo& info);
  Napi::Value JsClose(const Napi::CallbackInfo& info);

  // False (with a JS exception pending) when `this` is not a NativeStore or the store is not open.
  bool CheckOpen(const Napi::CallbackInfo& info);

  AddonData* data_ = nullptr;
  std::unique_ptr<MessageStore> store_;
  JsNotifier on_flushed_;
  JsNotifier on_dispatched_;
  // onDispatched calls only while JS waits on the dispatcher: each one is a wake-up of the event loop.
  std::atomic<bool> notify_dispatched_{true};
  bool closed_ = false;
};

}  // namespace cometmq
