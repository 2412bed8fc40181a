#include "engine/async.hpp"

#include "common/log.hpp"
#include "common/thread_name.hpp"
#include "common/thread_priority.hpp"

namespace redcell {

EngineExecutor::EngineExecutor(std::size_t threads, int nice) {
  context_.emplace(static_cast<int>(std::max<std::size_t>(1, threads)));
  work_.emplace(context_->get_executor());
  for (std::size_t i = 0; i < std::max<std::size_t>(1, threads); ++i)
    threads_.emplace_back([this, i, nice] {
      const std::string name = "engine-" + std::to_string(i);
      name_this_thread(name);
      lower_this_thread_priority(nice, name);
      // A handler that throws is logged and the thread goes on serving the rest.
      for (;;) {
        try {
          context_->run();
          return;
        } catch (const std::exception& e) {
          log::error("engine_handler_failed", {{"error", e.what()}});
        } catch (...) {
          log::error("engine_handler_failed", {{"error", "unknown exception"}});
        }
      }
    });
}

EngineExecutor::~EngineExecutor() {
  stop();
}

void EngineExecutor::stop() {
  if (!context_) return;
  work_.reset();
  context_->stop();
  for (auto& t : threads_)
    if (t.joinable()) t.join();
  context_.reset();
}

}  // namespace redcell
