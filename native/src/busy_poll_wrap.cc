#include "busy_poll_wrap.h"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>
#include <uv.h>

#include <algorithm>
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
// Contended yields, or readings of more runnable threads than CPUs, in a row before the window
// gives way: the store's dispatcher, woken by each append (often onto this CPU), runs for tens of
// microseconds; a window that ended for it would miss the synchronous client's next request, and
// the dispatcher got its CPU anyway. A thread with real work to do shows up time after time.
constexpr int kContendedInARowToGiveWay = 3;
// Windows in a row that expire without catching a read before polling rests: a client paced by its
// own timer (an open-loop stream, a producer sending every few milliseconds) never sends within the
// window, so polling after its bursts only burns a CPU. (A window that gave way to other threads
// proves nothing either way.)
constexpr int kMissesBeforeRest = 8;
// How long polling rests after that by default; the first window after the rest probes the
// traffic again. Wasted at most: kMissesBeforeRest windows per rest, under 1% of a CPU with 100 us
// windows.
constexpr double kDefaultRestMicros = 50 * 1000;
constexpr double kMaxRestMicros = 60e6;
// Polling spends a CPU that other threads might need: a client pipelining sends or draining a
// backlog keeps a small machine's CPUs busy, and the broker's polling in its gaps only slows it.
// So no window opens while the machine's CPUs were busier than this over the last sample period,
// not counting the time this poller itself spent polling (a synchronous client leaves most of
// the machine idle: its requests wait on each other).
// /proc/stat counts in clock ticks (10 ms), so the period is long enough to hold dozens of them.
constexpr double kBusyMachineShare = 0.85;
constexpr uint64_t kMachineSampleIntervalNs = 200 * 1000 * 1000;
// How long after the last activity a window stays open while the broker owes an answer that waits
// on another thread (state[6] > 0: a SYNC_FLUSH put waiting for its fdatasync, 100-250 us here).
// The answer is written the moment the flush notification lands; a loop asleep by then pays a
// wake-up on top of the disk. A disk slower than this pays the wake-up, small next to its flush.
constexpr uint64_t kHeldWindowNs = 1000 * 1000;
constexpr int kStateSlots = 7;

// Machine-wide CPU time from the first line of /proc/stat, in clock ticks.
struct CpuTimes {
  uint64_t busy = 0;   // user, nice, system, irq, softirq, steal
  uint64_t total = 0;  // busy, idle and iowait
};

bool ReadCpuTimes(int stat_fd, CpuTimes* out) {
  if (stat_fd < 0) return false;
  char text[256];
  const ssize_t n = pread(stat_fd, text, sizeof text - 1, 0);
  if (n <= 0) return false;
  text[n] = '\0';
  if (std::strncmp(text, "cpu ", 4) != 0) return false;
  uint64_t fields[8] = {};  // user nice system idle iowait irq softirq steal
  char* cursor = text + 4;
  for (uint64_t& field : fields) {
    char* end = nullptr;
    field = std::strtoull(cursor, &end, 10);
    if (end == cursor) return false;
    cursor = end;
  }
  const uint64_t idle = fields[3] + fields[4];
  out->busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + fields[7];
  out->total = out->busy + idle;
  return true;
}

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
  // way; [4] rests taken; [5] windows refused or ended because the machine was busy; [6] answers
  // owed (held by JS).
  int32_t* state = nullptr;
  uint64_t window_ns = 0;
  uint64_t held_window_ns = 0;  // max(window, kHeldWindowNs)
  uint64_t rest_ns = 0;
  int32_t seen_activity = 0;
  int32_t reads_at_start = 0;  // state[3] when the window opened (the read that opened it included)
  uint64_t deadline_ns = 0;
  uint64_t last_turn_ns = 0;     // when the previous idle callback returned
  int contended_yields = 0;      // in a row
  int overloaded_readings = 0;   // in a row
  int misses = 0;                // windows in a row that expired without catching a read
  uint64_t rest_until_ns = 0;
  int loadavg_fd = -1;
  long cpus = 1;
  uint64_t next_load_check_ns = 0;
  // Machine-wide CPU use, sampled every kMachineSampleIntervalNs.
  int stat_fd = -1;
  uint64_t tick_ns = 10 * 1000 * 1000;
  uint64_t next_machine_sample_ns = 0;
  CpuTimes last_times;
  uint64_t idle_polled_ns = 0;  // time spent polling with nothing to do, in total
  uint64_t idle_polled_ns_at_last_sample = 0;
  bool machine_busy = false;

  // Whether the machine's CPUs were busy over the period since the last sample, not counting the
  // time this poller spent polling for nothing.
  void SampleMachine(uint64_t now) {
    next_machine_sample_ns = now + kMachineSampleIntervalNs;
    CpuTimes times;
    if (!ReadCpuTimes(stat_fd, &times)) {
      machine_busy = false;
      return;
    }
    if (last_times.total != 0 && times.total > last_times.total) {
      const double busy_ns = static_cast<double>(times.busy - last_times.busy) * static_cast<double>(tick_ns) -
                             static_cast<double>(idle_polled_ns - idle_polled_ns_at_last_sample);
      const double total_ns = static_cast<double>(times.total - last_times.total) * static_cast<double>(tick_ns);
      machine_busy = busy_ns > kBusyMachineShare * total_ns;
    }
    last_times = times;
    idle_polled_ns_at_last_sample = idle_polled_ns;
  }

  void Open(uint64_t now) {
    if (now < rest_until_ns) return;
    if (now >= next_machine_sample_ns) SampleMachine(now);
    if (machine_busy) {
      ++state[5];
      return;
    }
    seen_activity = state[0];
    reads_at_start = state[3];
    deadline_ns = now + window_ns;
    last_turn_ns = now;
    contended_yields = 0;
    overloaded_readings = 0;
    next_load_check_ns = 0;
    state[1] = 1;
    uv_idle_start(&idle, OnIdle);
  }

  // A window ends: it ran its course, or gave way. Did it catch a request it was polling for?
  void End(uint64_t now, bool gave_way) {
    uv_idle_stop(&idle);
    state[1] = 0;
    if (gave_way) ++state[2];
    if (state[3] != reads_at_start) {
      misses = 0;
    } else if (!gave_way && ++misses >= kMissesBeforeRest) {
      misses = 0;
      rest_until_ns = now + rest_ns;
      ++state[4];
    }
  }

  // Whether an expiring window stays open for an answer still owed (see kHeldWindowNs).
  bool Held(uint64_t now) const {
    const uint64_t last_activity_ns = deadline_ns - window_ns;
    return state[6] > 0 && now < last_activity_ns + held_window_ns;
  }

  // Whether other threads want the CPUs: the window then gives way.
  bool Contended(uint64_t yield_ns, uint64_t now) {
    // A polling thread is never asleep, so the scheduler would let a thread woken on this CPU (the
    // store's dispatcher, a client's GC helper) wait for the end of the poller's time slice
    // (milliseconds). Yielding every iteration lets it run at once; with nothing else runnable
    // here the call returns straight away. Yields that keep taking long mean other threads want
    // this CPU: polling would take it from them.
    if (yield_ns <= kContendedYieldNs) {
      contended_yields = 0;
    } else if (++contended_yields >= kContendedInARowToGiveWay) {
      return true;
    }
    // The same for threads waiting on other CPUs: a CPU that never idles is one the scheduler
    // cannot hand them. More runnable threads than CPUs, for a while, means someone waits.
    if (now >= next_load_check_ns) {
      next_load_check_ns = now + kLoadCheckIntervalNs;
      if (RunnableThreads(loadavg_fd) <= cpus) {
        overloaded_readings = 0;
      } else if (++overloaded_readings >= kContendedInARowToGiveWay) {
        return true;
      }
    }
    return false;
  }

  // Once per loop iteration while polling: new activity moves the deadline, an old one stops.
  static void OnIdle(uv_idle_t* handle) {
    auto* p = static_cast<Poller*>(handle->data);
    const uint64_t before = uv_hrtime();
    sched_yield();
    const uint64_t now = uv_hrtime();
    const uint64_t yield_ns = now - before;
    const int32_t activity = p->state[0];
    const bool idle_turn = activity == p->seen_activity;
    // A turn with nothing read or written was pure polling: the loop's empty poll and our part of
    // the yield (the rest of a long one was another thread's).
    if (idle_turn) p->idle_polled_ns += (before - p->last_turn_ns) + std::min(yield_ns, kContendedYieldNs);
    p->last_turn_ns = now;
    if (p->Contended(yield_ns, now)) {
      p->End(now, true);
      return;
    }
    // A window kept open by steady traffic must notice a machine that became busy too.
    if (now >= p->next_machine_sample_ns) {
      p->SampleMachine(now);
      if (p->machine_busy) {
        ++p->state[5];
        p->End(now, true);
        return;
      }
    }
    if (!idle_turn) {
      p->seen_activity = activity;
      p->deadline_ns = now + p->window_ns;
    } else if (now >= p->deadline_ns && !p->Held(now)) {
      p->End(now, false);
    }
  }
};

Napi::Function BusyPollWrap::Init(Napi::Env env) {
  return DefineClass(env, "BusyPoller",
                     {InstanceMethod<&BusyPollWrap::Start>("start"), InstanceMethod<&BusyPollWrap::Close>("close")});
}

// new BusyPoller(state: Int32Array(>= 7), windowMicros, restMicros?)
BusyPollWrap::BusyPollWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<BusyPollWrap>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsTypedArray() || info[0].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array ||
      info[0].As<Napi::Int32Array>().ElementLength() < kStateSlots || !info[1].IsNumber() ||
      (info.Length() > 2 && !info[2].IsUndefined() && !info[2].IsNumber())) {
    Napi::TypeError::New(env, "BusyPoller(state: Int32Array of 7 or more, windowMicros: number, restMicros?: number)")
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
  poller_->state[1] = 0;
  poller_->window_ns = static_cast<uint64_t>(window) * kNanosPerMicro;
  poller_->held_window_ns = std::max(poller_->window_ns, kHeldWindowNs);
  poller_->rest_ns = static_cast<uint64_t>(rest) * kNanosPerMicro;
  poller_->loadavg_fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
  poller_->cpus = sysconf(_SC_NPROCESSORS_ONLN);
  poller_->stat_fd = open("/proc/stat", O_RDONLY | O_CLOEXEC);
  const long ticks_per_second = sysconf(_SC_CLK_TCK);
  if (ticks_per_second > 0) poller_->tick_ns = 1000000000ull / static_cast<uint64_t>(ticks_per_second);
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
  if (poller_->stat_fd >= 0) close(poller_->stat_fd);
  // uv_close stops the handle at once; the memory goes in the close callback.
  uv_close(reinterpret_cast<uv_handle_t*>(&poller_->idle),
           [](uv_handle_t* handle) { delete static_cast<Poller*>(handle->data); });
  poller_ = nullptr;
}

}  // namespace cometmq
