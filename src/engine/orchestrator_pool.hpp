#pragma once
// OrchestratorPool: a bounded LRU of runtime orchestrators (parsed definition with its
// converters and scorers built), keyed by orchestrator id and rebuilt from the stored row
// on a miss or when the row's config hash changed. Runtimes own no connection.

#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "engine/definition.hpp"
#include "memory/store.hpp"

namespace redcell {

struct OrchestratorRuntime {
  std::string id;
  std::string config_hash;
  OrchestratorDefinition definition;
  std::vector<std::vector<std::unique_ptr<Converter>>> chains;  // pure, shared by threads
  std::vector<std::unique_ptr<Scorer>> scorers;
  std::unique_ptr<Scorer> refusal_scorer;  // crescendo's backtrack check; null otherwise
  std::unique_ptr<Scorer> rank_scorer;     // tree_of_attacks' ranking, when given
};

struct PoolStats {
  std::size_t size = 0, capacity = 0;
  std::uint64_t hits = 0, misses = 0, evictions = 0, reloads = 0;
};

class OrchestratorPool {
 public:
  OrchestratorPool(std::size_t capacity, const ConverterRegistry& converters,
                   const ScorerRegistry& scorers);
  // Thread-safe.
  Result<std::shared_ptr<const OrchestratorRuntime>> get(const memory::Orchestrator& row);
  PoolStats stats() const;

 private:
  Result<std::shared_ptr<const OrchestratorRuntime>> build(const memory::Orchestrator& row) const;
  std::size_t capacity_;
  const ConverterRegistry& converters_;
  const ScorerRegistry& scorers_;
  mutable std::mutex mu_;
  std::list<std::shared_ptr<const OrchestratorRuntime>> lru_;  // front: most recent
  std::unordered_map<std::string, decltype(lru_)::iterator> index_;
  PoolStats stats_;
};

}  // namespace redcell
