// BusyPoller: keeps the event loop polling its sockets, without sleeping, for a window after the
// last activity JS reports (the broker's serverBusyPollMicros; Seastar's idle-poll-time and the
// kernel's guest halt polling are the same idea). Waking a CPU that went idle costs tens of
// microseconds on virtual machines, more than handling a request; a loop that is still polling
// when the next request of a synchronous client arrives reads it at once.
//
// A uv_idle handle does the polling: while one is active, libuv polls with a zero timeout and runs
// the idle callback once per loop iteration, with no JS and no allocation. JS reports activity by
// bumping state[0] of a shared Int32Array (state[3] too for a read; no call per message); it calls
// start() only when state[1] is 0 (not polling). The poller gives way to other threads: a window
// ends early when sched_yields keep showing another thread wants this CPU, or the machine keeps
// having more runnable threads than CPUs; state[2] counts such windows. Polling pays only when the
// next request comes within the window: after several windows in a row expired without a read,
// start() is ignored for a rest (state[4] counts rests). And it does not poll while the machine's
// CPUs are mostly busy with other work (a pipelining client needs them more; state[5] counts the
// windows refused or ended for that). While JS holds state[6] above 0 (an answer is owed, waiting
// on another thread: a SYNC_FLUSH put's fdatasync) a window does not expire, up to 1 ms after the
// last activity, so the answer is written by a loop that is still awake. The handle is unref'd: it never keeps a process alive.
#pragma once

#include <napi.h>

namespace cometmq {

class BusyPollWrap : public Napi::ObjectWrap<BusyPollWrap> {
 public:
  static Napi::Function Init(Napi::Env env);
  explicit BusyPollWrap(const Napi::CallbackInfo& info);
  ~BusyPollWrap() override;

 private:
  struct Poller;

  Napi::Value Start(const Napi::CallbackInfo& info);
  Napi::Value Close(const Napi::CallbackInfo& info);
  void CloseHandle();

  Poller* poller_ = nullptr;  // freed by the handle's close callback
  Napi::Reference<Napi::Int32Array> state_;
};

}  // namespace cometmq
