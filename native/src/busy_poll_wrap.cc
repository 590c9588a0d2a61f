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
// Windows in a row that end without catching a read before polling rests: a client paced by its
// own timer (an open-loop stream, a producer sending every few milliseconds) never sends within the
// window, so polling after its bursts only burns a CPU; and windows that keep giving way to other
// threads poll for nothing.
constexpr int kMissesBeforeRest = 4;
// How long polling rests after that by default; the first window after the rest probes the
// traffic again. Wasted at most: kMissesBeforeRest windows per rest, under 1% of a CPU with 100 us
// windows.
constexpr double kDefaultRestMicros = 50 * 1000;
constexpr double kMaxRestMicros = 60e6;

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
  // [0] activity count and [3] read count, bumped by JS; [1] 1 while polling; [2] windows given
  // way; [4] rests taken.
  int32_t* state;
  uint64_t window_ns;
  uint64_t rest_ns;
  int32_t seen_activity;
  int32_t reads_at_start;  // state[3] when the window opened (the read that opened it included)
  uint64_t deadline_ns;
  int loadavg_fd;
  long cpus;
  uint64_t next_load_check_ns;
  int misses;  // windows in a row that ended without catching a read
  uint64_t rest_until_ns;

  void Open(uint64_t now) {
    if (now < rest_until_ns) return;
    seen_activity = state[0];
    reads_at_start = state[3];
    deadline_ns = now + window_ns;
    next_load_check_ns = 0;
    state[1] = 1;
    uv_idle_start(&idle, OnIdle);
  }

  // A window ends: it ran its course, or gave way to other threads. Did it catch a request?
  void End(uint64_t now, bool gave_way) {
    uv_idle_stop(&idle);
    state[1] = 0;
    if (gave_way) ++state[2];
    if (state[3] != reads_at_start) {
      misses = 0;
    } else if (++misses >= kMissesBeforeRest) {
      misses = 0;
      rest_until_ns = now + rest_ns;
      ++state[4];
    }
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
      p->End(now, true);
      return;
    }
    // The same for threads waiting on other CPUs: a CPU that never idles is one the scheduler
    // cannot hand them. More runnable threads than CPUs means someone waits.
    if (now >= p->next_load_check_ns) {
      p->next_load_check_ns = now + kLoadCheckIntervalNs;
      if (RunnableThreads(p->loadavg_fd) > p->cpus) {
        p->End(now, true);
        return;
      }
    }
    const int32_t activity = p->state[0];
    if (activity != p->seen_activity) {
      p->seen_activity = activity;
      p->deadline_ns = now + p->window_ns;
    } else if (now >= p->deadline_ns) {
      p->End(now, false);
    }
  }
};

Napi::Function BusyPollWrap::Init(Napi::Env env) {
  return DefineClass(env, "BusyPoller",
                     {InstanceMethod<&BusyPollWrap::Start>("start"), InstanceMethod<&BusyPollWrap::Close>("close")});
}

// new BusyPoller(state: Int32Array(>= 5), windowMicros, restMicros?)
BusyPollWrap::BusyPollWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<BusyPollWrap>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
      info[0].As<Napi::Int32Array>().ElementLength() < 5 || !info[1].IsNumber() ||
      (info.Length() > 2 && !info[2].IsUndefined() && !info[2].IsNumber())) {
    Napi::TypeError::New(env, "BusyPoller(state: Int32Array of 5 or more, windowMicros: number, restMicros?: number)")
        .ThrowAsJavaScriptException();
    return;
  }
  const double rest = (info.Length() > 2 && !info[2].IsUndefined()) ? info[2].As<Napi::Number>().DoubleValue() : kDefaultRestMicros;
  if (!(rest >= 0 && rest <= kMaxRestMicros)) {
    Napi::RangeError::New(env, "BusyPoller: restMicros must be in [0, 60000000]").ThrowAsJavaScriptException();
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
  poller_->rest_ns = static_cast<uint64_t>(rest) * kNanosPerMicro;
  poller_->seen_activity = 0;
  poller_->reads_at_start = 0;
  poller_->deadline_ns = 0;
  poller_->loadavg_fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
  poller_->cpus = sysconf(_SC_NPROCESSORS_ONLN);
  poller_->next_load_check_ns = 0;
  poller_->misses = 0;
  poller_->rest_until_ns = 0;
  poller_->state[1] = 0;
  uv_idle_init(loop, &poller_->idle);
  poller_->idle.data = poller_;
  uv_unref(reinterpret_cast<uv_handle_t*>(&poller_->idle));
}

BusyPollWrap::~BusyPollWrap() { CloseHandle(); }

Napi::Value BusyPollWrap::Start(const Napi::CallbackInfo& info) {
  Poller* p = poller_;
  if (p != nullptr && !uv_is_active(reinterpret_cast<uv_handle_t*>(&p->idle))) p->Open(uv_hrtime());
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
