#include "engine/target_gate.hpp"

#include <algorithm>

namespace redcell {

void TargetGate::set_limits(const TargetLimits& limits) {
  std::lock_guard lk(mu_);
  max_in_flight_ = std::max(1, limits.max_in_flight);
  spacing_ = limits.requests_per_minute > 0
                 ? std::chrono::duration_cast<Clock::duration>(
                       std::chrono::nanoseconds(60'000'000'000LL / limits.requests_per_minute))
                 : Clock::duration(0);
  tokens_per_minute_ = limits.tokens_per_minute;
}

void TargetGate::forget_old_tokens(Clock::time_point now) {
  while (!token_log_.empty() && now - token_log_.front().first >= std::chrono::minutes(1)) {
    window_tokens_ -= token_log_.front().second;
    token_log_.pop_front();
  }
}

TargetGate::Ticket TargetGate::try_acquire(Clock::time_point now,
                                           const std::function<void()>& on_release) {
  std::lock_guard lk(mu_);
  if (in_flight_ >= max_in_flight_) {
    if (!on_release) return {};
    waiters_.push_back(on_release);
    return {false, std::nullopt, true};
  }
  if (auto wait = pace_locked(now); wait.count() > 0) return {false, wait, false};
  ++in_flight_;
  return {true, std::nullopt, false};
}

std::vector<std::function<void()>> TargetGate::release(std::int64_t tokens, Clock::time_point now) {
  std::lock_guard lk(mu_);
  if (in_flight_ > 0) --in_flight_;
  if (tokens > 0 && tokens_per_minute_ > 0) {
    token_log_.emplace_back(now, tokens);
    window_tokens_ += tokens;
  }
  std::vector<std::function<void()>> wake;
  wake.swap(waiters_);
  return wake;
}

TargetGate::Clock::duration TargetGate::pace(Clock::time_point now) {
  std::lock_guard lk(mu_);
  return pace_locked(now);
}

TargetGate::Clock::duration TargetGate::pace_locked(Clock::time_point now) {
  if (tokens_per_minute_ > 0) {
    forget_old_tokens(now);
    if (window_tokens_ >= tokens_per_minute_)
      return token_log_.front().first + std::chrono::minutes(1) - now;
  }
  if (spacing_.count() > 0) {
    if (now < next_send_) return next_send_ - now;
    next_send_ = std::max(next_send_, now) + spacing_;
  }
  return Clock::duration(0);
}

void TargetGate::add_tokens(std::int64_t tokens, Clock::time_point now) {
  std::lock_guard lk(mu_);
  if (tokens > 0 && tokens_per_minute_ > 0) {
    token_log_.emplace_back(now, tokens);
    window_tokens_ += tokens;
  }
}

int TargetGate::in_flight() const {
  std::lock_guard lk(mu_);
  return in_flight_;
}

}  // namespace redcell
