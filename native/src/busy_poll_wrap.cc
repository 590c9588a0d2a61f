#include "busy_poll_wrap.h"

#include <uv.h>

#include <cstdint>

namespace cometmq {

namespace {
constexpr uint64_t kNanosPerMicro = 1000;
constexpr double kMaxWindowMicros = 1e6;
}  // namespace

struct BusyPollWrap::Poller {
  uv_idle_t idle;
  int32_t* state;  // [0] activity count, bumped by JS; [1] 1 while polling
  uint64_t window_ns;
  int32_t seen_activity;
  uint64_t deadline_ns;

  // Once per loop iteration while polling: new activity moves the deadline, an old one stops.
  static void OnIdle(uv_idle_t* handle) {
    auto* p = static_cast<Poller*>(handle->data);
    const uint64_t now = uv_hrtime();
    const int32_t activity = p->state[0];
    if (activity != p->seen_activity) {
      p->seen_activity = activity;
      p->deadline_ns = now + p->window_ns;
    } else if (now >= p->deadline_ns) {
      uv_idle_stop(handle);
      p->state[1] = 0;
    }
  }
};

Napi::Function BusyPollWrap::Init(Napi::Env env) {
  return DefineClass(env, "BusyPoller",
                     {InstanceMethod<&BusyPollWrap::Start>("start"), InstanceMethod<&BusyPollWrap::Close>("close")});
}

// new BusyPoller(state: Int32Array(>= 2), windowMicros)
BusyPollWrap::BusyPollWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<BusyPollWrap>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
      info[0].As<Napi::Int32Array>().ElementLength() < 2 || !info[1].IsNumber()) {
    Napi::TypeError::New(env, "BusyPoller(state: Int32Array of 2 or more, windowMicros: number)").ThrowAsJavaScriptException();
    return;
  }
  const double window = info[1].As<Napi::Number>().DoubleValue();
  if (!(window > 0 && window <= kMaxWindowMicros)) {
    Napi::RangeError::New(env, "BusyPoller: windowMicros must be in (0, 1000000]").ThrowAsJavaScriptException();
    return;
  }
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) {
    Napi::Error::New(env, "BusyPoller: no event loop").ThrowAsJavaScriptException();
    return;
  }
  Napi::Int32Array state = info[0].As<Napi::Int32Array>();
  state_ = Napi::Persistent(state);
  poller_ = new Poller();
  poller_->state = state.Data();
  poller_->window_ns = static_cast<uint64_t>(window) * kNanosPerMicro;
  poller_->seen_activity = 0;
  poller_->deadline_ns = 0;
  poller_->state[1] = 0;
  uv_idle_init(loop, &poller_->idle);
  poller_->idle.data = poller_;
  uv_unref(reinterpret_cast<uv_handle_t*>(&poller_->idle));
}

BusyPollWrap::~BusyPollWrap() { CloseHandle(); }

Napi::Value BusyPollWrap::Start(const Napi::CallbackInfo& info) {
  Poller* p = poller_;
  if (p != nullptr && !uv_is_active(reinterpret_cast<uv_handle_t*>(&p->idle))) {
    p->seen_activity = p->state[0];
    p->deadline_ns = uv_hrtime() + p->window_ns;
    p->state[1] = 1;
    uv_idle_start(&p->idle, Poller::OnIdle);
  }
  return info.Env().Undefined();
}

Napi::Value BusyPollWrap::Close(const Napi::CallbackInfo& info) {
  CloseHandle();
  return info.Env().Undefined();
}

void BusyPollWrap::CloseHandle() {
  if (poller_ == nullptr) return;
  poller_->state[1] = 0;
  // uv_close stops the handle at once; the memory goes in the close callback.
  uv_close(reinterpret_cast<uv_handle_t*>(&poller_->idle),
           [](uv_handle_t* handle) { delete static_cast<Poller*>(handle->data); });
  poller_ = nullptr;
}

}  // namespace cometmq
