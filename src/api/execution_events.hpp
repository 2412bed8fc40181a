#pragma once
// The events stream of one execution (server-sent events, resumable with Last-Event-ID).

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "common/error.hpp"
#include "http/server/message.hpp"

namespace redcell {
class TimerQueue;
class WorkPool;
namespace memory {
class Scope;
class Store;
}  // namespace memory
}  // namespace redcell

namespace redcell::api {

struct EventSources {
  memory::Store& store;
  WorkPool& pool;      // where the store is read
  TimerQueue& timers;  // paces the polls
  std::chrono::milliseconds poll_interval{200};
  std::chrono::milliseconds keep_alive{15'000};  // a comment line after this much silence
};

// The stream for `execution_id` as `scope` sees it (not_found for another user's), after
// the event id `last_event_id` (the Last-Event-ID header) when given. Without `items`, only
// started, counters and finished are sent: a progress view of a 100,000-item execution does
// not replay every item.
Result<std::shared_ptr<http::BodyStream>> execution_events(
    const EventSources& sources, const memory::Scope& scope, std::string execution_id,
    std::optional<std::string_view> last_event_id, bool items = true);

}  // namespace redcell::api
