#pragma once
// g++ 12 rule for every co_await: pass a coroutine (or await_callback) no temporary that
// owns memory; build it as a named value and std::move it in. g++ 12 can destroy the
// temporaries of a co_await expression twice (a double free under ASan with a lambda that
// captured a shared_ptr); a moved-from std type survives that. Also never co_await inside a
// conditional expression (?:).
//
// What runs Tasks: the engine's executor (an io_context on threads of its own, apart from the
// HTTP server's loops and the HTTP client's threads), a bridge from a callback API to a
// Task. (Waits that a cancel cuts short are Job::sleep, on the runner's timers and clock.)

#include <boost/asio/async_result.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <thread>
#include <vector>

#include "common/task.hpp"
#include "engine/cancel.hpp"

namespace redcell {

class EngineExecutor {
 public:
  // `nice`: how many nice steps below the creating thread its threads run (0: the same).
  explicit EngineExecutor(std::size_t threads, int nice = 0);
  ~EngineExecutor();
  EngineExecutor(const EngineExecutor&) = delete;
  EngineExecutor& operator=(const EngineExecutor&) = delete;
  boost::asio::io_context& context() { return *context_; }
  // Stops the threads and destroys what is still queued (a suspended Task's frame is
  // destroyed, never resumed). Call it after whatever could still resume a Task (the HTTP
  // client) has stopped.
  void stop();

 private:
  std::optional<boost::asio::io_context> context_;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work_;
  std::vector<std::thread> threads_;
};

// Awaits a callback API: `start(done)` begins the operation and `done(value)` may run on any
// thread, once; the Task resumes on its own executor. If `done` is dropped uncalled, the
// Task's frame is destroyed with it.
template <class T, class Start>
Task<T> await_callback(Start start) {
  return boost::asio::async_initiate<const boost::asio::use_awaitable_t<>&, void(T)>(
      [start = std::move(start)](auto handler) mutable {
        auto h = std::make_shared<decltype(handler)>(std::move(handler));
        start(std::function<void(T)>([h](T value) {
          auto ex = boost::asio::get_associated_executor(*h);
          boost::asio::post(
              ex, [h, value = std::move(value)]() mutable { std::move (*h)(std::move(value)); });
        }));
      },
      boost::asio::use_awaitable);
}

}  // namespace redcell
