#pragma once
// Backend-independent checks and store-set fields for records about to be written. Every
// backend calls these, so a record is accepted or refused the same way everywhere. Errors
// name the field as a JSON Pointer ("/messages/3/role").

#include <vector>

#include "common/clock.hpp"
#include "common/id.hpp"
#include "memory/store.hpp"

namespace redcell::memory {

// Sets id, owner (from the scope), sha256s and created_at; validates the rest.
Result<void> prepare_messages(const Scope& scope, std::vector<Message>& messages, IdGenerator& ids,
                              const Clock& clock);
Result<void> prepare_score(const Scope& scope, Score& score, IdGenerator& ids, const Clock& clock);
Result<void> check_score_value(std::string_view score_type, std::string_view value,
                               const std::string& field);
Result<void> prepare_audit(const Scope& scope, AuditEvent& event, IdGenerator& ids,
                           const Clock& clock);
Result<void> prepare_user(const Scope& scope, User& user);

Result<void> prepare_api_key(const Scope& scope, ApiKey& key, IdGenerator& ids, const Clock& clock);
Result<void> prepare_target(const Scope& scope, Target& target, IdGenerator& ids,
                            const Clock& clock);
Result<void> prepare_scorer_evaluation(const Scope& scope, ScorerEvaluation& e, IdGenerator& ids,
                                       const Clock& clock);
Result<void> prepare_scorer_config(const Scope& scope, ScorerConfig& c, IdGenerator& ids,
                                   const Clock& clock);
Result<void> prepare_orchestrator(const Scope& scope, Orchestrator& o, IdGenerator& ids,
                                  const Clock& clock);

// Validates a dataset's prompts ("/prompts/3/value") and gives them ids in order.
// `first`: the position of prompts[0] (a batch of a longer list).
Result<void> prepare_seed_prompts(const Scope& scope, std::vector<SeedPrompt>& prompts,
                                  IdGenerator& ids, std::size_t first = 0);
Result<void> prepare_execution(const Scope& scope, Execution& e, IdGenerator& ids,
                               const Clock& clock);
// Whether an execution may move from one status to another.
bool execution_transition_allowed(std::string_view from, std::string_view to);
bool execution_status_is_terminal(std::string_view status);
Result<void> prepare_work_items(const Scope& scope, std::vector<WorkItem>& items,
                                const Clock& clock);
Result<void> prepare_attack_result(const Scope& scope, AttackResult& r, IdGenerator& ids,
                                   const Clock& clock);

// The row owner a write in this scope gets; the system scope must name one.
Result<std::string> owner_for(const Scope& scope, const std::string& given,
                              const std::string& field);

}  // namespace redcell::memory
