#pragma once
// The limits of one target, shared by every execution sending to it: sends in flight,
// requests per minute (sends spaced evenly) and tokens per minute (no new send while the
// answers of the last minute used them). Thread-safe; never calls out while locked.

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <vector>

#include "targets/target.hpp"

namespace redcell {

class TargetGate {
 public:
  using Clock = std::chrono::steady_clock;

  explicit TargetGate(const TargetLimits& limits) { set_limits(limits); }
  // The target's limits as last saved (a PATCH between executions applies to the next send).
  void set_limits(const TargetLimits& limits);

  // A send slot now, or why not: `retry_in` when time frees one (spacing, the token
  // window); otherwise only a release can, and `on_release` (when given) is registered, in
  // the same step, to be returned by the next release() (no wake-up can be lost between).
  struct Ticket {
    bool granted = false;
    std::optional<Clock::duration> retry_in;
    bool waiting = false;  // on_release was registered
  };
  Ticket try_acquire(Clock::time_point now, const std::function<void()>& on_release = {});
  // A granted send finished, its answer having used `tokens`; returns whoever waited, to be
  // called by the caller outside any lock.
  std::vector<std::function<void()>> release(std::int64_t tokens, Clock::time_point now);

  int in_flight() const;
  // A helper request's pacing (requests and tokens per minute; it takes no in-flight slot,
  // so a judge can never wait on slots its own items hold): how long to wait first, and
  // when that is zero the request's place in the spacing is taken.
  Clock::duration pace(Clock::time_point now);
  // Tokens a helper request used, for the tokens-per-minute window.
  void add_tokens(std::int64_t tokens, Clock::time_point now);

 private:
  void forget_old_tokens(Clock::time_point now);  // under mu_
  // Under mu_: the wait the token window and the spacing ask for; zero takes the place.
  Clock::duration pace_locked(Clock::time_point now);

  mutable std::mutex mu_;
  int max_in_flight_ = 1;
  Clock::duration spacing_{0};
  std::int64_t tokens_per_minute_ = 0;
  int in_flight_ = 0;
  Clock::time_point next_send_{};
  std::deque<std::pair<Clock::time_point, std::int64_t>> token_log_;
  std::int64_t window_tokens_ = 0;
  std::vector<std::function<void()>> waiters_;
};

}  // namespace redcell
