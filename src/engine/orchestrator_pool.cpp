#include "engine/orchestrator_pool.hpp"

#include <boost/json.hpp>

namespace redcell {

OrchestratorPool::OrchestratorPool(std::size_t capacity, const ConverterRegistry& converters,
                                   const ScorerRegistry& scorers)
    : capacity_(std::max<std::size_t>(1, capacity)), converters_(converters), scorers_(scorers) {
  stats_.capacity = capacity_;
}

Result<std::shared_ptr<const OrchestratorRuntime>> OrchestratorPool::build(
    const memory::Orchestrator& row) const {
  boost::system::error_code ec;
  auto json = boost::json::parse(row.definition, ec);
  if (ec) return fail(ErrorCode::internal, "orchestrator " + row.id + " has a damaged definition");
  auto def = parse_definition(json, converters_, scorers_);
  if (!def) return fail(def.error());
  auto rt = std::make_shared<OrchestratorRuntime>();
  rt->id = row.id;
  rt->config_hash = row.config_hash;
  for (std::size_t i = 0; i < def->converter_chains.size(); ++i) {
    std::vector<std::unique_ptr<Converter>> chain;
    const auto& specs = def->converter_chains[i].as_array();
    for (std::size_t j = 0; j < specs.size(); ++j) {
      auto c = converters_.create(
          specs[j], "/converter_chains/" + std::to_string(i) + "/" + std::to_string(j));
      if (!c) return fail(c.error());
      chain.push_back(std::move(*c));
    }
    rt->chains.push_back(std::move(chain));
  }
  for (std::size_t i = 0; i < def->scorers.size(); ++i) {
    auto s = scorers_.create(def->scorers[i], "/scorers/" + std::to_string(i));
    if (!s) return fail(s.error());
    rt->scorers.push_back(std::move(*s));
  }
  if (!def->refusal_scorer.empty()) {
    auto s = scorers_.create(def->refusal_scorer, "/refusal_scorer");
    if (!s) return fail(s.error());
    rt->refusal_scorer = std::move(*s);
  }
  if (!def->rank_scorer.empty()) {
    auto s = scorers_.create(def->rank_scorer, "/rank_scorer");
    if (!s) return fail(s.error());
    rt->rank_scorer = std::move(*s);
  }
  rt->definition = std::move(*def);
  return std::shared_ptr<const OrchestratorRuntime>(std::move(rt));
}

Result<std::shared_ptr<const OrchestratorRuntime>> OrchestratorPool::get(
    const memory::Orchestrator& row) {
  {
    std::lock_guard lk(mu_);
    auto it = index_.find(row.id);
    if (it != index_.end()) {
      if ((*it->second)->config_hash == row.config_hash) {
        ++stats_.hits;
        lru_.splice(lru_.begin(), lru_, it->second);
        return *it->second;
      }
      ++stats_.reloads;
      lru_.erase(it->second);
      index_.erase(it);
    } else {
      ++stats_.misses;
    }
  }
  auto built = build(row);  // outside the lock: building may take a while
  if (!built) return built;
  std::lock_guard lk(mu_);
  if (auto it = index_.find(row.id); it != index_.end()) {
    lru_.erase(it->second);
    index_.erase(it);
  }
  lru_.push_front(*built);
  index_[row.id] = lru_.begin();
  while (lru_.size() > capacity_) {
    index_.erase(lru_.back()->id);
    lru_.pop_back();
    ++stats_.evictions;
  }
  return built;
}

PoolStats OrchestratorPool::stats() const {
  std::lock_guard lk(mu_);
  auto s = stats_;
  s.size = lru_.size();
  return s;
}

}  // namespace redcell
