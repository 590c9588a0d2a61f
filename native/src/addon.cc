// Module init: exports NativeStore, BusyPoller, constants, crc32 and the benchmark ceilings
// (src/store/native/native-types.ts NativeAddon). Per-environment data; an environment cleanup
// hook closes stores still open when the environment (main thread or a worker) goes away.
#include <napi.h>

#include <vector>

#include "addon_data.h"
#include "append_status.h"
#include "bench_ceilings.h"
#include "busy_poll_wrap.h"
#include "crc32.h"
#include "js_errors.h"
#include "record_layout.h"
#include "store_config.h"
#include "store_wrap.h"

namespace cometmq {

namespace {

Napi::Object RecordConstants(Napi::Env env) {
  namespace r = record;
  Napi::Object o = Napi::Object::New(env);
  auto put = [&](const char* name, double v) { (void)o.Set(name, Napi::Number::New(env, v)); };
  put("MESSAGE_MAGIC_CODE", r::kMessageMagicCode);
  put("MESSAGE_MAGIC_CODE_V2", r::kMessageMagicCodeV2);
  put("BLANK_MAGIC_CODE", r::kBlankMagicCode);
  put("OFFSET_TOTALSIZE", r::kOffsetTotalSize);
  put("OFFSET_MAGIC", r::kOffsetMagic);
  put("OFFSET_BODYCRC", r::kOffsetBodyCrc);
  put("OFFSET_QUEUEID", r::kOffsetQueueId);
  put("OFFSET_FLAG", r::kOffsetFlag);
  put("OFFSET_QUEUEOFFSET", r::kOffsetQueueOffset);
  put("OFFSET_PHYSICALOFFSET", r::kOffsetPhysicalOffset);
  put("OFFSET_SYSFLAG", r::kOffsetSysFlag);
  put("OFFSET_BORNTIMESTAMP", r::kOffsetBornTimestamp);
  put("OFFSET_BORNHOST", r::kOffsetBornHost);
  put("HOST_V4_LENGTH", r::kHostV4Length);
  put("HOST_V6_LENGTH", r::kHostV6Length);
  put("BLANK_RECORD_LENGTH", r::kBlankRecordLength);
  put("MIN_RECORD_LENGTH_V1", r::kMinRecordLengthV1);
  put("SYSFLAG_COMPRESSED", r::kSysFlagCompressed);
  put("SYSFLAG_MULTI_TAGS", r::kSysFlagMultiTags);
  put("SYSFLAG_TRANSACTION_MASK", r::kSysFlagTransactionMask);
  put("SYSFLAG_TRANSACTION_NOT", r::kSysFlagTransactionNot);
  put("SYSFLAG_TRANSACTION_PREPARED", r::kSysFlagTransactionPrepared);
  put("SYSFLAG_TRANSACTION_COMMIT", r::kSysFlagTransactionCommit);
  put("SYSFLAG_TRANSACTION_ROLLBACK", r::kSysFlagTransactionRollback);
  put("SYSFLAG_BORNHOST_V6", r::kSysFlagBornHostV6);
  put("SYSFLAG_STOREHOST_V6", r::kSysFlagStoreHostV6);
  put("NAME_VALUE_SEPARATOR", r::kNameValueSeparator);
  put("PROPERTY_SEPARATOR", r::kPropertySeparator);
  put("MAX_PROPERTIES_LENGTH", r::kMaxPropertiesLength);
  return o;
}

Napi::Object Constants(Napi::Env env) {
  Napi::Object constants = Napi::Object::New(env);
  Napi::Object slots = Napi::Object::New(env);
  for (size_t i = 0; i < kConfigSlotCount; ++i) (void)slots.Set(kConfigSlotNames[i], Napi::Number::New(env, i));
  (void)constants.Set("configSlots", slots);
  (void)constants.Set("configSlotCount", Napi::Number::New(env, kConfigSlotCount));
  (void)constants.Set("record", RecordConstants(env));
  Napi::Object put = Napi::Object::New(env);
#define COMETMQ_EXPORT_PUT(name) (void)put.Set(#name, Napi::Number::New(env, static_cast<int>(PutStatus::name)));
  COMETMQ_PUT_STATUSES(COMETMQ_EXPORT_PUT)
#undef COMETMQ_EXPORT_PUT
  (void)constants.Set("putStatus", put);
  Napi::Object get = Napi::Object::New(env);
#define COMETMQ_EXPORT_GET(name) (void)get.Set(#name, Napi::Number::New(env, static_cast<int>(GetStatus::name)));
  COMETMQ_GET_STATUSES(COMETMQ_EXPORT_GET)
#undef COMETMQ_EXPORT_GET
  (void)constants.Set("getStatus", get);
  return constants;
}

// crc32(buf, start, end): CRC32 of buf[start, end), unmasked.
Napi::Value JsCrc32(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Uint8Array buf = info[0].As<Napi::Uint8Array>();
  const int64_t start = info[1].As<Napi::Number>().Int64Value();
  const int64_t end = info[2].As<Napi::Number>().Int64Value();
  if (start < 0 || end < start || static_cast<size_t>(end) > buf.ByteLength()) {
    Napi::RangeError::New(env, "crc32: [start, end) is outside the buffer").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  return Napi::Number::New(env, Crc32(buf.Data() + start, static_cast<size_t>(end - start)));
}

Napi::Value JsMemcpyIntoMmap(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int64_t nanos = 0;
  StoreResult r = MemcpyIntoMmapNanos(info[0].As<Napi::String>().Utf8Value(), info[1].As<Napi::Number>().Int64Value(),
                                      info[2].As<Napi::Number>().Int64Value(), info[3].As<Napi::Boolean>().Value(), &nanos);
  if (!r) return ThrowStoreError(env, r);
  return Napi::Number::New(env, static_cast<double>(nanos));
}

Napi::Value JsWriteWithFdatasync(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::vector<double> latencies;
  StoreResult r = WriteWithFdatasyncNanos(info[0].As<Napi::String>().Utf8Value(),
                                          info[1].As<Napi::Number>().Int64Value(),
                                          info[2].As<Napi::Number>().Int64Value(),
                                          info[3].As<Napi::Number>().Int64Value(), &latencies);
  if (!r) return ThrowStoreError(env, r);
  Napi::Float64Array out = Napi::Float64Array::New(env, latencies.size());
  for (size_t i = 0; i < latencies.size(); ++i) out[i] = latencies[i];
  return out;
}

void CleanupEnv(void* arg) {
  auto* data = static_cast<AddonData*>(arg);
  // Copy: CloseNow does not erase, but a destructor running meanwhile might.
  std::vector<StoreWrap*> stores(data->live_stores.begin(), data->live_stores.end());
  for (StoreWrap* s : stores) {
    s->CloseNow();
    s->ForgetAddonData();
  }
  data->live_stores.clear();
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  auto* data = new AddonData();
  env.SetInstanceData<AddonData>(data);
  napi_add_env_cleanup_hook(env, CleanupEnv, data);
  (void)exports.Set("NativeStore", StoreWrap::Init(env, data));
  (void)exports.Set("BusyPoller", BusyPollWrap::Init(env));
  (void)exports.Set("constants", Constants(env));
  (void)exports.Set("crc32", Napi::Function::New(env, JsCrc32, "crc32"));
  Napi::Object ceilings = Napi::Object::New(env);
  (void)ceilings.Set("memcpyIntoMmap", Napi::Function::New(env, JsMemcpyIntoMmap, "memcpyIntoMmap"));
  (void)ceilings.Set("writeWithFdatasync", Napi::Function::New(env, JsWriteWithFdatasync, "writeWithFdatasync"));
  (void)exports.Set("ceilings", ceilings);
  return exports;
}

}  // namespace

}  // namespace cometmq

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return cometmq::Init(env, exports); }

NODE_API_MODULE(cometmq_native, InitModule)
