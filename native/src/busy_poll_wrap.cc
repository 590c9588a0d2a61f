#include "busy_poll_wrap.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>
#include <uv.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>

namespace cometmq {

namespace {
constexpr uint64_t kNanosPerMicro = 1000;
constexpr double kMaxWindowMicros = 1e6;
// A sched_yield with nothing else to run returns in about a microsecond; one that ran another
// thread takes at least two context switches.
constexpr uint64_t kContendedYieldNs = 10 * 1000;
// How often the machine-wide count of runnable threads is read while polling (about 1 us a read).
constexpr uint64_t kLoadCheckIntervalNs = 20 * 1000;

// Runnable threads on the whole machine, this one included (the fourth field of /proc/loadavg,
// "running/total"), or -1 when unknown.
long RunnableThreads(int loadavg_fd) {
  if (loadavg_fd < 0) return -1;
  char text[128];
  const ssize_t n = pread(loadavg_fd, text, sizeof text - 1, 0);
  if (n <= 0) return -1;
  text[n] = '\0';
  const char* field = text;
  for (int skip = 0; skip < 3; ++skip) {
    field = std::strchr(field, ' ');
    if (field == nullptr) return -1;
    ++field;
  }
  return std::strtol(field, nullptr, 10);
}
}  // namespace

struct BusyPollWrap::Poller {
  uv_idle_t idle;
  int32_t* state;  // [0] activity count, bumped by JS; [1] 1 while polling; [2] windows given way
  uint64_t window_ns;
  int32_t seen_activity;
  uint64_t deadline_ns;
  int loadavg_fd;
  long cpus;
  uint64_t next_load_check_ns;

  void Stop() {
    uv_idle_stop(&idle);
    state[1] = 0;
  }

  void GiveWay() {
    Stop();
    ++state[2];
  }

  // Once per loop iteration while polling: new activity moves the deadline, an old one stops.
  static void OnIdle(uv_idle_t* handle) {
    auto* p = static_cast<Poller*>(handle->data);
    // A polling thread is never asleep, so the scheduler would let a thread woken on this CPU (the
    // store's dispatcher, a client's GC helper) wait for the end of the poller's time slice
    // (milliseconds). Yielding every iteration lets it run at once; with nothing else runnable
    // here the call returns straight away. A yield that took long means other threads want this
    // CPU: polling would take it from them, so the window ends and the loop sleeps as usual.
    const uint64_t before = uv_hrtime();
    sched_yield();
    const uint64_t now = uv_hrtime();
    if (now - before > kContendedYieldNs) {
      p->GiveWay();
      return;
    }
    // The same for threads waiting on other CPUs: a CPU that never idles is one the scheduler
    // cannot hand them. More runnable threads than CPUs means someone waits.
    if (now >= p->next_load_check_ns) {
      p->next_load_check_ns = now + kLoadCheckIntervalNs;
      if (RunnableThreads(p->loadavg_fd) > p->cpus) {
        p->GiveWay();
        return;
      }
    }
    const int32_t activity = p->state[0];
    if (activity != p->seen_activity) {
      p->seen_activity = activity;
      p->deadline_ns = now + p->window_ns;
    } else if (now >= p->deadline_ns) {
      p->Stop();
    }
  }
};

Napi::Function BusyPollWrap::Init(Napi::Env env) {
  return DefineClass(env, "BusyPoller",
                     {InstanceMethod<&BusyPollWrap::Start>("start"), InstanceMethod<&BusyPollWrap::Close>("close")});
}

// new BusyPoller(state: Int32Array(>= 3), windowMicros)
BusyPollWrap::BusyPollWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<BusyPollWrap>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
      info[0].As<Napi::Int32Array>().ElementLength() < 3 || !info[1].IsNumber()) {
    Napi::TypeError::New(env, "BusyPoller(state: Int32Array of 3 or more, windowMicros: number)").ThrowAsJavaScriptException();
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
  poller_->loadavg_fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
  poller_->cpus = sysconf(_SC_NPROCESSORS_ONLN);
  poller_->next_load_check_ns = 0;
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
    p->next_load_check_ns = 0;
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
  if (poller_->loadavg_fd >= 0) close(poller_->loadavg_fd);
  // uv_close stops the handle at once; the memory goes in the close callback.
  uv_close(reinterpret_cast<uv_handle_t*>(&poller_->idle),
           [](uv_handle_t* handle) { delete static_cast<Poller*>(handle->data); });
  poller_ = nullptr;
}

}  // namespace cometmq
