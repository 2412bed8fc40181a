// GET /api/v1/executions/{id}/events: server-sent events read from the store, so they
// survive a restart and any node can serve them. Each finished work item is one event
// whose id is its finish_seq; a client reconnecting with Last-Event-ID gets what finished
// after it. Events: started (id 0), item_done, item_failed, counters, finished (then the
// stream ends).
#include "api/execution_events.hpp"

#include <atomic>
#include <boost/json.hpp>
#include <charconv>
#include <mutex>

#include "common/json_text.hpp"
#include "common/time.hpp"
#include "common/timer_queue.hpp"
#include "common/work_pool.hpp"
#include "memory/store.hpp"

namespace redcell::api {

namespace {

constexpr std::size_t kItemsPerPoll = 500;

bool finished_status(const std::string& status) {
  return status != "queued" && status != "running";
}

boost::json::object counts_json(const memory::ExecutionCounts& c) {
  return {{"total", c.total},   {"sent", c.sent},         {"errors", c.errors},
          {"scored", c.scored}, {"achieved", c.achieved}, {"undetermined", c.undetermined}};
}

void append_event(std::string& out, std::string_view name, const boost::json::object& data,
                  std::optional<std::int64_t> id = std::nullopt) {
  if (id) {
    out += "id: ";
    out += std::to_string(*id);
    out += '\n';
  }
  out += "event: ";
  out += name;
  out += "\ndata: ";
  append_json_text(out, data);  // one line: JSON escapes every newline
  out += "\n\n";
}

class ExecutionEvents : public http::BodyStream,
                        public std::enable_shared_from_this<ExecutionEvents> {
 public:
  ExecutionEvents(const EventSources& sources, memory::Scope scope, std::string execution_id,
                  std::optional<std::int64_t> last_event_id, bool items)
      : sources_(sources),
        scope_(std::move(scope)),
        id_(std::move(execution_id)),
        items_(items),
        resumed_(last_event_id.has_value()),
        last_seq_(last_event_id.value_or(0)) {}

  void next(Deliver deliver) override {
    if (closed_ || ended_) return deliver(std::nullopt);
    auto self = shared_from_this();
    auto poll = [self, deliver = std::move(deliver)]() mutable {
      self->sources_.pool.post(
          [self, deliver = std::move(deliver)]() mutable { self->poll(std::move(deliver)); });
    };
    // At once the first time, and while a backlog remains (a reconnect to a large
    // execution replays it at read speed, not one batch per poll interval).
    if (first_ || backlog_) {
      first_ = false;
      poll();
    } else {
      sources_.timers.after(sources_.poll_interval, std::move(poll));
    }
  }

  void close() override { closed_ = true; }

 private:
  // Runs on the pool: reads what changed since the last poll and delivers it as events.
  void poll(Deliver deliver) {
    if (closed_) return deliver(std::nullopt);
    std::string out;
    auto e = sources_.store.get_execution(scope_, id_);
    if (!e) {
      append_event(
          out, "error",
          {{"code", std::string(to_string(e.error().code()))}, {"message", e.error().message()}});
      ended_ = true;
      return deliver(std::move(out));
    }
    if (!greeted_) {
      greeted_ = true;
      out += "retry: 2000\n\n";
      if (!resumed_)
        append_event(out, "started",
                     {{"execution_id", e->id},
                      {"status", e->status},
                      {"counts", counts_json(e->counts)},
                      {"started_at", e->started_at ? boost::json::value(format_time(*e->started_at))
                                                   : boost::json::value(nullptr)}},
                     0);
    }
    auto items =
        items_ ? sources_.store.list_finished_work_items(scope_, id_, last_seq_, kItemsPerPoll)
               : Result<std::vector<memory::WorkItem>>();
    if (!items) {
      // A failed read is retried on the next poll; the client sees nothing invented.
      return deliver(std::move(out));
    }
    backlog_ = items->size() == kItemsPerPoll;
    for (const auto& w : *items) {
      last_seq_ = w.finish_seq.value_or(last_seq_);
      append_event(
          out, w.status == "done" ? "item_done" : "item_failed",
          {{"work_item_id", w.id},
           {"conversation_id", w.conversation_id.empty() ? w.id : w.conversation_id},
           {"prompt_id", w.prompt_id},
           {"chain_index", w.chain_index},
           {"attempt", w.attempt},
           {"status", w.status},
           {"achieved", w.achieved ? boost::json::value(*w.achieved) : boost::json::value(nullptr)},
           {"error", w.error.empty() ? boost::json::value(nullptr) : boost::json::value(w.error)}},
          last_seq_);
    }
    const bool changed = !items->empty() || e->status != last_status_ ||
                         e->counts.sent != last_counts_.sent ||
                         e->counts.errors != last_counts_.errors;
    if (changed) {
      last_status_ = e->status;
      last_counts_ = e->counts;
      append_event(out, "counters", {{"status", e->status}, {"counts", counts_json(e->counts)}});
    }
    // Finished once the execution has ended and every finished item has been sent.
    if (finished_status(e->status) && items->size() < kItemsPerPoll) {
      append_event(out, "finished",
                   {{"status", e->status},
                    {"counts", counts_json(e->counts)},
                    {"error", e->error.empty() ? boost::json::value(nullptr)
                                               : boost::json::value(e->error)}});
      ended_ = true;
    }
    const auto now = std::chrono::steady_clock::now();
    if (!out.empty()) {
      last_write_ = now;
    } else if (now - last_write_ >= sources_.keep_alive) {
      out = ": keep-alive\n\n";  // a comment: lets proxies and the server see a gone client
      last_write_ = now;
    }
    deliver(std::move(out));
  }

  const EventSources sources_;
  const memory::Scope scope_;
  const std::string id_;
  const bool items_;  // send item_done / item_failed
  const bool resumed_;
  std::atomic<bool> closed_{false};
  // Touched by one poll at a time: the server asks for the next piece only after the last.
  bool first_ = true;
  bool greeted_ = false;
  bool backlog_ = false;  // the last poll read a full batch
  std::atomic<bool> ended_{false};
  std::int64_t last_seq_;
  std::string last_status_;
  memory::ExecutionCounts last_counts_;
  std::chrono::steady_clock::time_point last_write_ = std::chrono::steady_clock::now();
};

}  // namespace

Result<std::shared_ptr<http::BodyStream>> execution_events(const EventSources& sources,
                                                           const memory::Scope& scope,
                                                           std::string execution_id,
                                                           std::optional<std::string_view> last_id,
                                                           bool items) {
  std::optional<std::int64_t> last;
  if (last_id) {
    std::int64_t n = -1;
    const auto* end = last_id->data() + last_id->size();
    auto [p, ec] = std::from_chars(last_id->data(), end, n);
    if (ec != std::errc{} || p != end || n < 0)
      return fail(Error::invalid("/headers/Last-Event-ID", boost::json::value(*last_id),
                                 "an event id this stream sent (a whole number)"));
    last = n;
  }
  auto e = sources.store.get_execution(scope, execution_id);
  if (!e) return fail(e.error());
  return std::shared_ptr<http::BodyStream>(
      std::make_shared<ExecutionEvents>(sources, scope, std::move(execution_id), last, items));
}

}  // namespace redcell::api
