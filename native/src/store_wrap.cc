#include "store_wrap.h"

#include <cstring>
#include <string>
#include <vector>

#include "js_errors.h"

namespace cometmq {

namespace {

// Distinguishes our wrapped objects from any other addon's (napi_type_tag_object, N-API 8).
constexpr napi_type_tag kStoreTypeTag = {0x636f6d65746d7153ULL, 0x746f726557726170ULL};

int64_t ToInt64(const Napi::Value& v) { return v.As<Napi::Number>().Int64Value(); }
int32_t ToInt32(const Napi::Value& v) { return v.As<Napi::Number>().Int32Value(); }
std::string ToString(const Napi::Value& v) { return v.As<Napi::String>().Utf8Value(); }

Napi::Value CopyRecords(Napi::Env env, const RecordList& list) {
  if (list.records.empty()) return env.Null();
  Napi::Buffer<uint8_t> buffer = Napi::Buffer<uint8_t>::New(env, list.total_bytes);
  uint8_t* dst = buffer.Data();
  for (const auto& [data, size] : list.records) {
    std::memcpy(dst, data, size);
    dst += size;
  }
  return buffer;
}

// Promise-returning work on the libuv pool. Execute never touches napi_env; the JS object is
// referenced until OnOK/OnError so it cannot be collected while the work runs.
class StoreWorker : public Napi::AsyncWorker {
 public:
  StoreWorker(Napi::Env env, StoreWrap* wrap)
      : Napi::AsyncWorker(env, "cometmq:store"), deferred_(Napi::Promise::Deferred::New(env)), wrap_(wrap) {
    wrap_->Ref();
  }
  Napi::Promise Promise() const { return deferred_.Promise(); }

 protected:
  void OnOK() override {
    Napi::Env env = Env();
    if (!result_) {
      deferred_.Reject(MakeStoreError(env, result_).Value());
    } else {
      deferred_.Resolve(Resolution(env));
    }
    wrap_->Unref();
  }
  virtual Napi::Value Resolution(Napi::Env env) { return env.Undefined(); }

  Napi::Promise::Deferred deferred_;
  StoreWrap* wrap_;
  StoreResult result_;
};

class OpenWorker : public StoreWorker {
 public:
  using StoreWorker::StoreWorker;
  void Execute() override { result_ = wrap_->store()->Open(&info_); }

 private:
  Napi::Value Resolution(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    (void)o.Set("lastExitOK", Napi::Boolean::New(env, info_.last_exit_ok));
    (void)o.Set("minPhysicalOffset", Napi::Number::New(env, static_cast<double>(info_.min_physical_offset)));
    (void)o.Set("maxPhysicalOffset", Napi::Number::New(env, static_cast<double>(info_.max_physical_offset)));
    (void)o.Set("recoveredFromOffset", Napi::Number::New(env, static_cast<double>(info_.recovered_from_offset)));
    (void)o.Set("recoveredMessages", Napi::Number::New(env, static_cast<double>(info_.recovered_messages)));
    (void)o.Set("truncatedBytes", Napi::Number::New(env, static_cast<double>(info_.truncated_bytes)));
    (void)o.Set("durationMs", Napi::Number::New(env, info_.duration_ms));
    return o;
  }
  RecoveryInfo info_;
};

class FlushWorker : public StoreWorker {
 public:
  using StoreWorker::StoreWorker;
  void Execute() override { result_ = wrap_->store()->Flush(); }
};

}  // namespace

Napi::Function StoreWrap::Init(Napi::Env env, AddonData* data) {
  Napi::Function ctor = DefineClass(
      env, "NativeStore",
      {
          InstanceMethod<&StoreWrap::JsOpen>("open"),
          InstanceMethod<&StoreWrap::JsAppendBatch>("appendBatch"),
          InstanceMethod<&StoreWrap::JsWakeDispatcher>("wakeDispatcher"),
          InstanceMethod<&StoreWrap::JsDispatchInline>("dispatchInline"),
          InstanceMethod<&StoreWrap::JsGetWrotePosition>("getWrotePosition"),
          InstanceMethod<&StoreWrap::JsGetFlushedPosition>("getFlushedPosition"),
          InstanceMethod<&StoreWrap::JsGetDispatchedPosition>("getDispatchedPosition"),
          InstanceMethod<&StoreWrap::JsSetDispatchNotifications>("setDispatchNotifications"),
          InstanceMethod<&StoreWrap::JsGetMinPhysicalOffset>("getMinPhysicalOffset"),
          InstanceMethod<&StoreWrap::JsGetMessages>("getMessages"),
          InstanceMethod<&StoreWrap::JsLookMessageByOffset>("lookMessageByOffset"),
          InstanceMethod<&StoreWrap::JsQueryMessage>("queryMessage"),
          InstanceMethod<&StoreWrap::JsGetMinOffsetInQueue>("getMinOffsetInQueue"),
          InstanceMethod<&StoreWrap::JsGetMaxOffsetInQueue>("getMaxOffsetInQueue"),
          InstanceMethod<&StoreWrap::JsGetOffsetInQueueByTime>("getOffsetInQueueByTime"),
          InstanceMethod<&StoreWrap::JsGetEarliestMessageTime>("getEarliestMessageTime"),
          InstanceMethod<&StoreWrap::JsGetMessageStoreTimestamp>("getMessageStoreTimestamp"),
          InstanceMethod<&StoreWrap::JsGetCommitLogOffsetInQueue>("getCommitLogOffsetInQueue"),
          InstanceMethod<&StoreWrap::JsListQueues>("listQueues"),
          InstanceMethod<&StoreWrap::JsDeleteTopic>("deleteTopic"),
          InstanceMethod<&StoreWrap::JsCleanExpiredFiles>("cleanExpiredFiles"),
          InstanceMethod<&StoreWrap::JsFlush>("flush"),
          InstanceMethod<&StoreWrap::JsStats>("stats"),
          InstanceMethod<&StoreWrap::JsBeginTimeInLock>("beginTimeInLock"),
          InstanceMethod<&StoreWrap::JsClose>("close"),
      },
      data);
  data->store_constructor = Napi::Persistent(ctor);
  return ctor;
}

// new NativeStore(rootDir, config: Float64Array, delayLevelsMs: Float64Array, onFlushed, onDispatched)
StoreWrap::StoreWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<StoreWrap>(info) {
  Napi::Env env = info.Env();
  data_ = static_cast<AddonData*>(info.Data());
  napi_type_tag_object(env, info.This(), &kStoreTypeTag);
  if (info.Length() < 5 || !info[0].IsString() || !info[1].IsTypedArray() || !info[2].IsTypedArray() ||
      !info[3].IsFunction() || !info[4].IsFunction()) {
    Napi::TypeError::New(env, "NativeStore(rootDir, config, delayLevelsMs, onFlushed, onDispatched)")
        .ThrowAsJavaScriptException();
    return;
  }
  Napi::Float64Array config = info[1].As<Napi::Float64Array>();
  if (config.ElementLength() != kConfigSlotCount) {
    Napi::RangeError::New(env, "config must have configSlotCount values").ThrowAsJavaScriptException();
    return;
  }
  Napi::Float64Array delays = info[2].As<Napi::Float64Array>();
  std::vector<int64_t> delay_levels_ms(delays.ElementLength());
  for (size_t i = 0; i < delay_levels_ms.size(); ++i) delay_levels_ms[i] = static_cast<int64_t>(delays[i]);
  store_ = std::make_unique<MessageStore>(ToString(info[0]), StoreConfig::FromArray(config.Data()),
                                          std::move(delay_levels_ms));
  on_flushed_.Start(env, info[3].As<Napi::Function>(), "cometmq:onFlushed");
  on_dispatched_.Start(env, info[4].As<Napi::Function>(), "cometmq:onDispatched");
  store_->set_on_flushed([this] { on_flushed_.Notify(); });
  store_->set_on_dispatched([this] {
    if (notify_dispatched_.load()) on_dispatched_.Notify();
  });
  data_->live_stores.insert(this);
}

StoreWrap::~StoreWrap() {
  CloseNow();
  if (data_) data_->live_stores.erase(this);
}

StoreResult StoreWrap::CloseNow() {
  if (closed_) return StoreResult::Ok();
  closed_ = true;
  StoreResult r = store_ ? store_->Close() : StoreResult::Ok();
  // The threads that notify are stopped now.
  on_flushed_.Stop();
  on_dispatched_.Stop();
  return r;
}

bool StoreWrap::CheckOpen(const Napi::CallbackInfo& info) {
  bool tagged = false;
  napi_check_object_type_tag(info.Env(), info.This(), &kStoreTypeTag, &tagged);
  if (!tagged) {
    Napi::TypeError::New(info.Env(), "not a NativeStore").ThrowAsJavaScriptException();
    return false;
  }
  if (!store_ || !store_->is_open()) {
    ThrowStoreError(info.Env(), StoreResult::Error("ERR_STORE_NOT_OPEN", "the store is not open"));
    return false;
  }
  return true;
}

Napi::Value StoreWrap::JsOpen(const Napi::CallbackInfo& info) {
  auto* worker = new OpenWorker(info.Env(), this);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

Napi::Value StoreWrap::JsFlush(const Napi::CallbackInfo& info) {
  auto* worker = new FlushWorker(info.Env(), this);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

// appendBatch(records: Buffer, count: number, out: Float64Array, wakeDispatcher = true): status
Napi::Value StoreWrap::JsAppendBatch(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Buffer<uint8_t> records = info[0].As<Napi::Buffer<uint8_t>>();
  const uint32_t count = info[1].As<Napi::Number>().Uint32Value();
  Napi::Float64Array out = info[2].As<Napi::Float64Array>();
  if (out.ElementLength() < 2 * static_cast<size_t>(count) + 1) {
    Napi::RangeError::New(env, "out must hold 2 * count + 1 numbers").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  if (!store_ || !store_->is_open()) return Napi::Number::New(env, static_cast<int>(PutStatus::SERVICE_NOT_AVAILABLE));
  const bool wake_dispatcher = info.Length() < 4 || !info[3].IsBoolean() || info[3].As<Napi::Boolean>().Value();
  const PutStatus status = store_->AppendBatch(records.Data(), records.Length(), count, out.Data(), wake_dispatcher);
  return Napi::Number::New(env, static_cast<int>(status));
}

// wakeDispatcher(): after appendBatch(..., false)
Napi::Value StoreWrap::JsWakeDispatcher(const Napi::CallbackInfo& info) {
  if (store_) store_->WakeDispatcher();
  return info.Env().Undefined();
}

// dispatchInline(maxBytes): boolean. True: everything committed is dispatched (no notification
// follows from the dispatcher thread for it); false: wakeDispatcher() is still owed.
Napi::Value StoreWrap::JsDispatchInline(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsNumber()) {
    Napi::TypeError::New(env, "dispatchInline(maxBytes: number)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  const int64_t max_bytes = info[0].As<Napi::Number>().Int64Value();
  return Napi::Boolean::New(env, store_ != nullptr && store_->DispatchInline(max_bytes));
}

Napi::Value StoreWrap::JsGetWrotePosition(const Napi::CallbackInfo& info) {
  if (!CheckOpen(info)) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), static_cast<double>(store_->wrote_position()));
}

Napi::Value StoreWrap::JsGetFlushedPosition(const Napi::CallbackInfo& info) {
  if (!CheckOpen(info)) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), static_cast<double>(store_->flushed_position()));
}

Napi::Value StoreWrap::JsGetDispatchedPosition(const Napi::CallbackInfo& info) {
  if (!CheckOpen(info)) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), static_cast<double>(store_->dispatched_position()));
}

Napi::Value StoreWrap::JsSetDispatchNotifications(const Napi::CallbackInfo& info) {
  if (info.Length() < 1 || !info[0].IsBoolean()) {
    Napi::TypeError::New(info.Env(), "setDispatchNotifications takes a boolean").ThrowAsJavaScriptException();
    return info.Env().Undefined();
  }
  notify_dispatched_.store(info[0].As<Napi::Boolean>().Value());
  return info.Env().Undefined();
}

Napi::Value StoreWrap::JsGetMinPhysicalOffset(const Napi::CallbackInfo& info) {
  if (!CheckOpen(info)) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), static_cast<double>(store_->min_physical_offset()));
}

// getMessages(topic, queueId, queueOffset, maxCount, maxBytes, tagsCodes: Float64Array | null)
Napi::Value StoreWrap::JsGetMessages(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(info)) return env.Undefined();
  const double* tags = nullptr;
  size_t tag_count = 0;
  if (info[5].IsTypedArray()) {
    Napi::Float64Array codes = info[5].As<Napi::Float64Array>();
    tags = codes.Data();
    tag_count = codes.ElementLength();
  }
  GetResult r;
  store_->GetMessages(ToString(info[0]), ToInt32(info[1]), ToInt64(info[2]), ToInt32(info[3]), ToInt64(info[4]), tags,
                      tag_count, &r);
  Napi::Object o = Napi::Object::New(env);
  (void)o.Set("status", Napi::Number::New(env, static_cast<int>(r.status)));
  (void)o.Set("nextBeginOffset", Napi::Number::New(env, static_cast<double>(r.next_begin_offset)));
  (void)o.Set("minOffset", Napi::Number::New(env, static_cast<double>(r.min_offset)));
  (void)o.Set("maxOffset", Napi::Number::New(env, static_cast<double>(r.max_offset)));
  (void)o.Set("messageCount", Napi::Number::New(env, static_cast<double>(r.found.records.size())));
  (void)o.Set("records", CopyRecords(env, r.found));
  (void)o.Set("suggestPullingFromSlave", Napi::Boolean::New(env, r.suggest_pulling_from_slave));
  return o;
}

Napi::Value StoreWrap::JsLookMessageByOffset(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(info)) return env.Undefined();
  CommitLogSlice slice;
  if (!store_->LookMessageByOffset(ToInt64(info[0]), &slice)) return env.Null();
  return Napi::Buffer<uint8_t>::Copy(env, slice.data, static_cast<size_t>(slice.size));
}

// queryMessage(topic, key, maxNum, beginTimestamp, endTimestamp)
Napi::Value StoreWrap::JsQueryMessage(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(info)) return env.Undefined();
  QueryResult r;
  store_->QueryMessage(ToString(info[0]), ToString(info[1]), ToInt32(info[2]), ToInt64(info[3]), ToInt64(info[4]), &r);
  Napi::Object o = Napi::Object::New(env);
  (void)o.Set("records", CopyRecords(env, r.found));
  (void)o.Set("messageCount", Napi::Number::New(env, static_cast<double>(r.found.records.size())));
  (void)o.Set("indexLastUpdateTimestamp", Napi::Number::New(env, static_cast<double>(r.index_last_update_timestamp)));
  (void)o.Set("indexLastUpdatePhyOffset", Napi::Number::New(env, static_cast<double>(r.index_last_update_phy_offset)));
  return o;
}

Napi::Value StoreWrap::JsGetMinOffsetInQueue(const Napi::CallbackInfo& info) {
  if (!CheckOpen(info)) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), static_cast<double>(store_->MinOffsetInQueue(ToString(info[0]), ToInt32(info[1]))));
}

Napi::Value StoreWrap::JsGetMaxOffsetInQueue(const Napi::CallbackInfo& info) {
  if (!CheckOpen(info)) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), static_cast<double>(store_->MaxOffsetInQueue(ToString(info[0]), ToInt32(info[1]))));
}

Napi::Value StoreWrap::JsGetOffsetInQueueByTime(const Napi::CallbackInfo& info) {
  if (!CheckOpen(info)) return info.Env().Undefined();
  return Napi::Number::New(
      info.Env(),
      static_cast<double>(store_->OffsetInQueueByTime(ToString(info[0]), ToInt32(info[1]), ToInt64(info[2]))));
}

Napi::Value StoreWrap::JsGetEarliestMessageTime(const Napi::CallbackInfo& info) {
  if (!CheckOpen(info)) return info.Env().Undefined();
  return Napi::Number::New(info.Env(),
                           static_cast<double>(store_->EarliestMessageTime(ToString(info[0]), ToInt32(info[1]))));
}

Napi::Value StoreWrap::JsGetMessageStoreTimestamp(const Napi::CallbackInfo& info) {
  if (!CheckOpen(info)) return info.Env().Undefined();
  return Napi::Number::New(
      info.Env(),
      static_cast<double>(store_->MessageStoreTimestamp(ToString(info[0]), ToInt32(info[1]), ToInt64(info[2]))));
}

Napi::Value StoreWrap::JsGetCommitLogOffsetInQueue(const Napi::CallbackInfo& info) {
  if (!CheckOpen(info)) return info.Env().Undefined();
  return Napi::Number::New(
      info.Env(),
      static_cast<double>(store_->CommitLogOffsetInQueue(ToString(info[0]), ToInt32(info[1]), ToInt64(info[2]))));
}

Napi::Value StoreWrap::JsListQueues(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(info)) return env.Undefined();
  const std::vector<QueueInfo> queues = store_->ListQueues();
  Napi::Array array = Napi::Array::New(env, queues.size());
  for (size_t i = 0; i < queues.size(); ++i) {
    Napi::Object o = Napi::Object::New(env);
    (void)o.Set("topic", Napi::String::New(env, queues[i].topic));
    (void)o.Set("queueId", Napi::Number::New(env, queues[i].queue_id));
    (void)o.Set("minOffset", Napi::Number::New(env, static_cast<double>(queues[i].min_offset)));
    (void)o.Set("maxOffset", Napi::Number::New(env, static_cast<double>(queues[i].max_offset)));
    (void)array.Set(static_cast<uint32_t>(i), o);
  }
  return array;
}

Napi::Value StoreWrap::JsDeleteTopic(const Napi::CallbackInfo& info) {
  if (!CheckOpen(info)) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), static_cast<double>(store_->DeleteTopic(ToString(info[0]))));
}

// cleanExpiredFiles(nowMs, fileReservedMs, cleanImmediately, maxFiles)
Napi::Value StoreWrap::JsCleanExpiredFiles(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(info)) return env.Undefined();
  const CleanResult r = store_->CleanExpiredFiles(ToInt64(info[0]), ToInt64(info[1]),
                                                  info[2].As<Napi::Boolean>().Value(), ToInt32(info[3]));
  Napi::Object o = Napi::Object::New(env);
  (void)o.Set("commitLogFilesDeleted", Napi::Number::New(env, static_cast<double>(r.commit_log_files_deleted)));
  (void)o.Set("consumeQueueFilesDeleted", Napi::Number::New(env, static_cast<double>(r.consume_queue_files_deleted)));
  (void)o.Set("indexFilesDeleted", Napi::Number::New(env, static_cast<double>(r.index_files_deleted)));
  return o;
}

Napi::Value StoreWrap::JsBeginTimeInLock(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(info)) return env.Undefined();
  return Napi::Number::New(env, static_cast<double>(store_->BeginTimeInLock()));
}

Napi::Value StoreWrap::JsStats(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!CheckOpen(info)) return env.Undefined();
  const StoreStats s = store_->Stats();
  Napi::Object o = Napi::Object::New(env);
  auto put = [&](const char* name, double v) { (void)o.Set(name, Napi::Number::New(env, v)); };
  put("appendCalls", static_cast<double>(s.append.append_calls));
  put("appendedMessages", static_cast<double>(s.append.appended_messages));
  put("appendedBytes", static_cast<double>(s.append.appended_bytes));
  put("appendLockNanosTotal", static_cast<double>(s.append.lock_nanos_total));
  put("appendLockNanosMax", static_cast<double>(s.append.lock_nanos_max));
  put("beginTimeInLock", static_cast<double>(s.begin_time_in_lock));
  put("flushCount", static_cast<double>(s.flush_count));
  put("flushNanosTotal", static_cast<double>(s.flush_nanos_total));
  put("flushNanosMax", static_cast<double>(s.flush_nanos_max));
  put("commitLogSegments", static_cast<double>(s.commit_log_segments));
  put("consumeQueues", static_cast<double>(s.consume_queues));
  put("indexFiles", static_cast<double>(s.index_files));
  put("wrotePosition", static_cast<double>(s.wrote_position));
  put("committedPosition", static_cast<double>(s.committed_position));
  put("flushedPosition", static_cast<double>(s.flushed_position));
  put("dispatchedPosition", static_cast<double>(s.dispatched_position));
  put("inlineDispatches", static_cast<double>(s.inline_dispatches));
  return o;
}

Napi::Value StoreWrap::JsClose(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  StoreResult r = CloseNow();
  if (!r) return ThrowStoreError(env, r);
  return env.Undefined();
}

}  // namespace cometmq
