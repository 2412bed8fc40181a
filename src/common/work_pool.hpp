#pragma once
// A fixed pool of threads for blocking work (store calls), so the event loops never block.
// Tasks run in submission order per thread; the destructor finishes every queued task.

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "common/log.hpp"
#include "common/thread_name.hpp"

namespace redcell {

class WorkPool {
 public:
  explicit WorkPool(std::size_t threads) {
    for (std::size_t i = 0; i < threads; ++i)
      workers_.emplace_back([this, i] {
        name_this_thread("blocking-" + std::to_string(i));
        run();
      });
  }
  ~WorkPool() { stop(); }

  // Finishes every queued task and joins the threads; later posts are dropped. Call it
  // while whatever the tasks answer to is still alive.
  void stop() {
    {
      std::lock_guard lk(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_)
      if (t.joinable()) t.join();
  }
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  void post(std::function<void()> task) {
    {
      std::lock_guard lk(mu_);
      if (stopping_) return;
      tasks_.push_back(std::move(task));
    }
    cv_.notify_one();
  }

 private:
  void run() {
    for (;;) {
      std::function<void()> task;
      {
        std::unique_lock lk(mu_);
        cv_.wait(lk, [&] { return stopping_ || !tasks_.empty(); });
        if (tasks_.empty()) return;
        task = std::move(tasks_.front());
        tasks_.pop_front();
      }
      // A task that throws must not end the thread (and with it the process): it is
      // logged, and whoever waited on it is answered by its own guard (a dropped Reply
      // becomes a 500).
      try {
        task();
      } catch (const std::exception& e) {
        log::error("work_pool_exception", {{"what", e.what()}});
      } catch (...) {
        log::error("work_pool_exception", {{"what", "unknown"}});
      }
    }
  }
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace redcell
