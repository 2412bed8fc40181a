#pragma once
// A WorkQueue over the store whose next `failures` complete() calls fail whole ("the disk is
// full"): for tests of what the runner does with results it could not record.

#include <atomic>

#include "engine/work_queue.hpp"
#include "memory/store.hpp"

namespace redcell::testing_support {

// The store's queue, except that the next `failures` calls of complete() fail whole.
class FlakyQueue final : public WorkQueue {
 public:
  explicit FlakyQueue(memory::Store& store) : inner_(store) {}
  std::atomic<int> failures{0};
  std::atomic<int> completes{0};

  Result<std::int64_t> enqueue(const memory::Scope& s,
                               std::vector<memory::WorkItem> items) override {
    return inner_.enqueue(s, std::move(items));
  }
  Result<std::vector<ClaimedItem>> claim(const memory::Scope& s, const std::string& e,
                                         const std::string& w, std::size_t max, TimePoint lease,
                                         const std::vector<std::string>& inline_prompts) override {
    return inner_.claim(s, e, w, max, lease, inline_prompts);
  }
  Result<std::vector<std::optional<Error>>> complete(
      const memory::Scope& s,
      std::shared_ptr<std::vector<memory::WorkItemResult>> results) override {
    ++completes;
    if (failures.fetch_sub(1) > 0)
      return fail(ErrorCode::unavailable, "the disk is full (a test's fault)");
    return inner_.complete(s, std::move(results));
  }
  Result<std::int64_t> release(const memory::Scope& s, const std::string& e,
                               std::optional<std::string> worker) override {
    return inner_.release(s, e, std::move(worker));
  }
  Result<std::int64_t> checkpoint(const memory::Scope& s, memory::WorkItemResult partial) override {
    return inner_.checkpoint(s, std::move(partial));
  }
  Result<std::vector<memory::Message>> stored_messages(const memory::Scope& s,
                                                       const std::string& id) override {
    return inner_.stored_messages(s, id);
  }

 private:
  StoreWorkQueue inner_;
};

}  // namespace redcell::testing_support
