#pragma once
// Where the runner takes its work and leaves its results. The runner sees only this
// interface: in-process over the Store now (StoreWorkQueue, SQLite's single writer); the
// PostgreSQL issue adds a leased, multi-node backend without touching the runner.
//
// Contract: claim() hands out unfinished items (pending, or claimed by another worker with
// an expired lease) for `worker` until `lease_until`, each with the prompt it sends, and
// renews the lease of what `worker` already holds (unless renewed within the last eighth of
// a lease: Store::claim_work_items); a worker never gets back an item it
// holds. complete() stores each result
// atomically and refuses one whose item is no longer claimed by its worker. release()
// returns an execution's claimed items to pending (cancel, drain, restart).

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "common/time.hpp"
#include "memory/store.hpp"

namespace redcell {

struct QueuedPrompt {
  std::string value;
  std::string harm_categories = "[]";  // JSON array
};

struct ClaimedItem {
  memory::WorkItem item;
  std::shared_ptr<const QueuedPrompt> prompt;  // null: the prompt is no longer stored
};

// A prompt given inline in the definition (not in a dataset) is named by its index.
std::string inline_prompt_id(std::size_t index);

class WorkQueue {
 public:
  virtual ~WorkQueue() = default;
  // Adds items; ids already present are ignored. Returns how many were new.
  virtual Result<std::int64_t> enqueue(const memory::Scope& scope,
                                       std::vector<memory::WorkItem> items) = 0;
  // `inline_prompts`: the definition's inline prompts, for items named inline_prompt_id(i).
  virtual Result<std::vector<ClaimedItem>> claim(
      const memory::Scope& scope, const std::string& execution_id, const std::string& worker,
      std::size_t max, TimePoint lease_until, const std::vector<std::string>& inline_prompts) = 0;
  // Per result: nothing, or why it was refused. When the call fails as a whole nothing was
  // recorded, and `results` (shared, never copied) can be completed again.
  virtual Result<std::vector<std::optional<Error>>> complete(
      const memory::Scope& scope, std::shared_ptr<std::vector<memory::WorkItemResult>> results) = 0;
  // Returns how many items went back to pending: those `worker` holds, or every claimed one
  // when no worker is named (their holder is known to be dead).
  virtual Result<std::int64_t> release(const memory::Scope& scope, const std::string& execution_id,
                                       std::optional<std::string> worker) = 0;
  // An item in progress stores what it has so far (a multi-turn attack's turn), only while
  // `partial.worker` holds it; the messages of one of its conversations read it back.
  virtual Result<std::int64_t> checkpoint(const memory::Scope& scope,
                                          memory::WorkItemResult partial) = 0;
  virtual Result<std::vector<memory::Message>> stored_messages(
      const memory::Scope& scope, const std::string& conversation_id) = 0;
};

class StoreWorkQueue final : public WorkQueue {
 public:
  explicit StoreWorkQueue(memory::Store& store) : store_(store) {}
  Result<std::int64_t> enqueue(const memory::Scope& scope,
                               std::vector<memory::WorkItem> items) override;
  Result<std::vector<ClaimedItem>> claim(const memory::Scope& scope,
                                         const std::string& execution_id, const std::string& worker,
                                         std::size_t max, TimePoint lease_until,
                                         const std::vector<std::string>& inline_prompts) override;
  Result<std::vector<std::optional<Error>>> complete(
      const memory::Scope& scope,
      std::shared_ptr<std::vector<memory::WorkItemResult>> results) override;
  Result<std::int64_t> release(const memory::Scope& scope, const std::string& execution_id,
                               std::optional<std::string> worker) override;
  Result<std::int64_t> checkpoint(const memory::Scope& scope,
                                  memory::WorkItemResult partial) override;
  Result<std::vector<memory::Message>> stored_messages(const memory::Scope& scope,
                                                       const std::string& conversation_id) override;

 private:
  memory::Store& store_;
};

}  // namespace redcell
