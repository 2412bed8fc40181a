#pragma once
// Injectable time: production code asks a Clock, tests hand in a ManualClock.

#include <atomic>
#include <chrono>

namespace redcell {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::chrono::system_clock::time_point now() const = 0;
  // For intervals (pacing, latency, back-off): never jumps.
  virtual std::chrono::steady_clock::time_point steady_now() const {
    return std::chrono::steady_clock::now();
  }
};

class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override {
    return std::chrono::system_clock::now();
  }
  static const SystemClock& instance() {
    static const SystemClock clock;
    return clock;
  }
};

// Thread-safe; time moves only when a test says so.
class ManualClock final : public Clock {
 public:
  explicit ManualClock(std::chrono::system_clock::time_point start)
      : start_ns_(to_ns(start)), ns_(start_ns_) {}
  std::chrono::system_clock::time_point now() const override {
    return std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::nanoseconds(ns_.load())));
  }
  // Starts an hour past the steady clock's epoch and moves with now().
  std::chrono::steady_clock::time_point steady_now() const override {
    return std::chrono::steady_clock::time_point(
        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
            std::chrono::hours(1) + std::chrono::nanoseconds(ns_.load() - start_ns_)));
  }
  void advance(std::chrono::nanoseconds d) { ns_ += d.count(); }
  void set(std::chrono::system_clock::time_point t) { ns_ = to_ns(t); }

 private:
  static long long to_ns(std::chrono::system_clock::time_point t) {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(t.time_since_epoch()).count();
  }
  const long long start_ns_;
  std::atomic<long long> ns_;
};

}  // namespace redcell
