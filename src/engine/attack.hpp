#pragma once
// An attack strategy runs one work item through an AttackContext: it converts, sends to the
// objective target, scores, and hands back what is recorded for the item. The scheduler
// (ExecutionRunner) owns concurrency, target limits, budgets, cancellation and persistence;
// a strategy owns only its algorithm. One strategy per file under strategies/; adding one is
// its file, its test and one line in strategies/registry.cpp.

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/task.hpp"
#include "common/time.hpp"
#include "engine/definition.hpp"
#include "engine/work_queue.hpp"
#include "memory/store.hpp"
#include "targets/llm_client.hpp"
#include "targets/target.hpp"

namespace redcell {

struct SendAttempt {
  TimePoint at;
  std::string outcome;  // "ok" or the failure
  std::optional<std::chrono::milliseconds> retry_after;
};

// One request after its retries: the reply or the last failure, and every attempt.
struct Sent {
  TargetResult result;
  std::vector<SendAttempt> attempts;
  std::optional<double> latency_ms;  // of the last attempt
};

// Every scorer of the definition over one reply.
struct Verdicts {
  std::vector<memory::Score> scores;  // the scorers that judged, in definition order
  std::optional<bool> achieved;       // the objective scorer's decided verdict
  bool undetermined = false;          // the objective scorer could not decide (with a reason)
  bool objective_failed = false;      // there is an objective scorer and it failed outright
  std::string objective_rationale;    // why the objective scorer decided (or could not)
};

class AttackContext {
 public:
  virtual ~AttackContext() = default;
  virtual const memory::WorkItem& item() const = 0;
  virtual const QueuedPrompt* prompt() const = 0;  // null: no longer stored
  virtual const OrchestratorDefinition& definition() const = 0;
  // The item's converter chain over `text`; a random converter draws from
  // seed_for(seed(), round): a multi-turn strategy passes its turn, so each turn differs
  // and a resumed run converts a turn as the first run did.
  virtual Task<Result<std::string>> convert(std::string text, std::uint64_t round) = 0;
  // The item's seed: from the definition's seed, the prompt, the chain and the attempt.
  virtual std::uint64_t seed() const = 0;
  // Sends to the objective target: retries with back-off (honouring Retry-After), counted
  // in the execution's request budget. nullopt: cancelled while waiting to retry; the item
  // goes back to pending and nothing is recorded for it.
  virtual Task<std::optional<Sent>> send(TargetRequest request) = 0;
  // Every scorer over a reply; `objective` is what the attack asked for (LLM judges read it);
  // `sent` the turns the target was sent for it (read by conversation scorers only: a
  // strategy fills it when scores_conversation() says one is configured).
  virtual Task<Verdicts> score(const std::string& reply, const std::string& objective,
                               const std::vector<ChatTurn>& sent) = 0;
  virtual bool scores_conversation() const = 0;
  // One of the definition's side scorers over a reply (crescendo's refusal check,
  // tree_of_attacks' ranking): its score, to store on the reply, with metadata
  // {"objective": false, "refusal_check" or "rank": true}; an error when it could not judge
  // or the definition has none. `sent` as for score().
  enum class Side { refusal_check, rank };
  virtual Task<Result<memory::Score>> judge_side(Side which, const std::string& reply,
                                                 const std::string& objective,
                                                 const std::vector<ChatTurn>& sent) = 0;
  // The helper LLMs of LLM-backed pieces; their exchanges join the item's record.
  virtual LlmClient& llm() = 0;
  // Sends to a helper target of the caller's (an attacker), paced by its gate, retried and
  // counted as a helper request; nothing is stored (the strategy records the exchange in a
  // conversation of its own). nullopt: cancelled while waiting.
  virtual Task<std::optional<Sent>> send_helper(const std::string& target_id,
                                                TargetRequest request) = 0;
  // Stores messages (and scores by index) of the item now, before it finishes: a multi-turn
  // strategy's turn, so a restart goes on after it. Refused once the item is not this
  // worker's any more.
  virtual Task<Result<std::int64_t>> checkpoint(memory::WorkItemResult partial) = 0;
  // What a conversation of this item already holds (after a restart), in order.
  virtual Task<Result<std::vector<memory::Message>>> stored(const std::string& conversation_id) = 0;
  virtual bool cancelled() const = 0;
  // A message of the item's conversation with what every stored message repeats
  // (conversation, target, orchestrator, execution, labels); the caller sets sequence.
  virtual memory::Message message(std::string role) const = 0;
  // The id of one of the item's conversations: "objective" is the one sent to the target
  // (and message()'s: a UUIDv7 made with the item); a strategy names others ("attacker",
  // "branch-2"): UUIDs derived from the objective's, so a resumed strategy finds them.
  virtual std::string conversation_id(std::string_view name) const = 0;
  std::string conversation_id() const { return conversation_id("objective"); }
  // Conversation `name` holding a copy of `from`'s messages up to `up_to_sequence`
  // (inclusive), stored at once, each copy's metadata naming its original (`copied_from`):
  // tree_of_attacks' branches. Crescendo does not need it: it takes a refused turn
  // back in place (strategies/multi_turn.hpp). When it already holds messages (a resumed run
  // made it before), it is left as it is. Returns its id.
  virtual Task<Result<std::string>> branch(std::string from, std::int64_t up_to_sequence,
                                           std::string name) = 0;
  // Runs branches of one attack (a tree level's children), each a Task answering false
  // when it was cancelled; answers false once one did (no branch starts after that), else
  // true, and only when every started branch has ended. The runner runs them side by side
  // as far as the objective target's limits allow: the item's own send slot takes them one
  // after another, and an extra slot, taken only when one is free at once (an item holding
  // a slot never waits for another), takes more beside it. Branches share the item's
  // strand: they interleave only where they await. This default runs them one by one.
  using Branch = std::function<Task<bool>()>;
  virtual Task<bool> run_branches(std::vector<Branch> branches) {
    for (auto& branch : branches) {
      auto task = branch();
      if (!co_await std::move(task)) co_return false;
    }
    co_return true;
  }
  // The item's converter chain as stored on a converted message (JSON).
  virtual const std::string& chain_json() const = 0;
  // The stored exchanges of the item's LLM-backed converters so far (linked from the
  // converted message).
  virtual const std::vector<std::string>& converter_conversations() const = 0;
};

class AttackStrategy {
 public:
  virtual ~AttackStrategy() = default;
  // What is recorded for the item (messages, scores, status, counts), or nullopt when it
  // was given up by a cancel before it was answered for good.
  virtual Task<std::optional<memory::WorkItemResult>> run(AttackContext& ctx) const = 0;
};

// The strategy of an orchestrator type, or null when there is none of that name.
const AttackStrategy* find_strategy(std::string_view type);

// Registration, one per strategy file.
const AttackStrategy& prompt_sending_strategy();
const AttackStrategy& red_teaming_strategy();
const AttackStrategy& crescendo_strategy();
const AttackStrategy& tree_of_attacks_strategy();

}  // namespace redcell
