#pragma once
// The retention window: finished executions older than it are purged with their
// conversations and scores, each purge audited.

#include <chrono>
#include <cstdint>

#include "common/error.hpp"
#include "common/time.hpp"

namespace redcell::memory {
class Store;
}

namespace redcell {

// Purges every execution that finished (succeeded, failed, cancelled, incomplete) more
// than `keep` before `now`; running and interrupted ones are never touched. Blocks: call it
// on a WorkPool thread. Returns how many executions were purged.
Result<std::int64_t> purge_expired_executions(memory::Store& store, TimePoint now,
                                              std::chrono::seconds keep);

}  // namespace redcell
