#pragma once
// Runs callbacks at a later time on one background thread, without Asio (for code that
// must stay light: the mock target's latency). stop() drops what has not run yet.

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <queue>
#include <thread>
#include <vector>

#include "common/thread_name.hpp"

namespace redcell {

class TimerQueue {
 public:
  TimerQueue()
      : thread_([this] {
          name_this_thread("timers");
          run();
        }) {}
  ~TimerQueue() { stop(); }
  TimerQueue(const TimerQueue&) = delete;
  TimerQueue& operator=(const TimerQueue&) = delete;

  void after(std::chrono::milliseconds delay, std::function<void()> fn) {
    {
      std::lock_guard lk(mu_);
      if (stopping_) return;
      queue_.push({std::chrono::steady_clock::now() + delay, seq_++, std::move(fn)});
    }
    cv_.notify_one();
  }

  void stop() {
    {
      std::lock_guard lk(mu_);
      if (stopping_) return;
      stopping_ = true;
    }
    cv_.notify_one();
    if (thread_.joinable()) thread_.join();
    std::lock_guard lk(mu_);
    while (!queue_.empty()) queue_.pop();
  }

 private:
  struct Entry {
    std::chrono::steady_clock::time_point at;
    std::uint64_t seq;
    std::function<void()> fn;
    bool operator>(const Entry& o) const { return at != o.at ? at > o.at : seq > o.seq; }
  };

  void run() {
    std::unique_lock lk(mu_);
    while (!stopping_) {
      if (queue_.empty()) {
        cv_.wait(lk);
        continue;
      }
      auto at = queue_.top().at;
      if (std::chrono::steady_clock::now() < at) {
        cv_.wait_until(lk, at);
        continue;
      }
      auto fn = std::move(const_cast<Entry&>(queue_.top()).fn);
      queue_.pop();
      lk.unlock();
      fn();
      lk.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> queue_;
  std::uint64_t seq_ = 0;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace redcell
