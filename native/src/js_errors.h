// StoreResult -> JS Error with `code`, `path`, `syscall`, `offset`, `errno` (negative, as in Node's
// SystemError) properties. The one place native failures become JS errors.
#pragma once

#include <napi.h>

#include "store_error.h"

namespace cometmq {

inline Napi::Error MakeStoreError(Napi::Env env, const StoreResult& r) {
  Napi::Error error = Napi::Error::New(env, r.message);
  Napi::Object e = error.Value();
  (void)e.Set("code", Napi::String::New(env, r.code));
  if (!r.path.empty()) (void)e.Set("path", Napi::String::New(env, r.path));
  if (!r.syscall.empty()) (void)e.Set("syscall", Napi::String::New(env, r.syscall));
  if (r.offset >= 0) (void)e.Set("offset", Napi::Number::New(env, static_cast<double>(r.offset)));
  if (r.err_no != 0) (void)e.Set("errno", Napi::Number::New(env, -r.err_no));
  return error;
}

inline Napi::Value ThrowStoreError(Napi::Env env, const StoreResult& r) {
  MakeStoreError(env, r).ThrowAsJavaScriptException();
  return env.Undefined();
}

}  // namespace cometmq
