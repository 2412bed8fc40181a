#pragma once
// The multi-turn attack shared by red_teaming and crescendo: an attacker LLM (the
// definition's adversarial_target_id) talks to the objective target for up to max_turns,
// each dataset prompt being the objective. The objective scorer judges every reply and the
// attack stops at the first one it scores true. Each turn (the attacker's exchange, the
// message sent and the reply with its scores) is stored before the next is sent, so after a
// crash the conversation goes on from its last stored turn and no stored turn is sent again.
// The attacker answers JSON {"next_message", "rationale"}.
//
// A plan that backtracks (crescendo) asks the definition's refusal scorer about each reply
// first: a refused turn, while max_backtracks allows, is stored marked "backtracked" (on both
// its messages), is never sent to the target again, does not count as a turn, and the
// attacker is told to try another way.

#include <boost/json/object.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "engine/attack.hpp"

namespace redcell {

// Where a conversation stands: its turns so far, as stored.
struct MultiTurnProgress {
  std::vector<memory::Message> target;    // the objective conversation, backtracked turns too
  std::vector<memory::Message> attacker;  // the attacker's conversation
  std::vector<ChatTurn> history;          // what the target is sent: no backtracked turn
  int turns = 0;                          // replies that counted
  int backtracks = 0;                     // replies taken back
  bool last_backtracked = false;          // the last reply was taken back
  std::string last_reply, last_value, last_rationale;
};

struct MultiTurnPlan {
  // The attacker's system prompt for an objective.
  std::string (*instructions)(const std::string& objective, int max_turns);
  // What the attacker is asked for its next message.
  std::string (*ask)(const MultiTurnProgress& p, const OrchestratorDefinition& def);
  bool backtracks = false;
};

class MultiTurnAttack final : public AttackStrategy {
 public:
  explicit MultiTurnAttack(MultiTurnPlan plan) : plan_(plan) {}
  Task<std::optional<memory::WorkItemResult>> run(AttackContext& ctx) const override;

 private:
  MultiTurnPlan plan_;
};

// The attacker's answer: the message to send and why, its raw reply; or what went wrong.
struct AttackerAnswer {
  std::string message, rationale, raw, error;
};

// Asks the attacker (a helper target) for JSON {"next_message", "rationale"}, read
// forgivingly and asked again (not stored) up to twice when unreadable. nullopt: cancelled.
Task<std::optional<AttackerAnswer>> ask_attacker(AttackContext& ctx, const std::string& attacker,
                                                 std::vector<ChatTurn> turns);

// An attack's record for its item: no messages (its turns are stored as they happen), the
// status and counts of `outcome` (achieved, not_achieved, undetermined, error), and an
// AttackResult for the caller to complete (turns, metadata). `sent`: the target was sent
// at least one message.
memory::WorkItemResult attack_outcome(AttackContext& ctx, const std::string& outcome,
                                      const std::string& error, std::string conversation_id,
                                      bool sent);

// A stored message's metadata as an object ({} when it is not one), and one of its text
// members ("" when absent or not text).
boost::json::object metadata_of(const memory::Message& m);
std::string text_of(const boost::json::object& o, std::string_view key);

// A message of the attacker's side: in `conversation`, sent to the definition's attacker,
// marked {"helper": "attacker"}.
memory::Message attacker_message(AttackContext& ctx, std::string conversation, std::string role,
                                 std::string text, std::int64_t sequence);

// Messages as chat turns (role, converted text).
std::vector<ChatTurn> turns_of(const std::vector<memory::Message>& messages);

// A reply or the judge's rationale as the attacker is told it: at most 4,000 bytes.
std::string clip_for_attacker(const std::string& s);

// "The target replied: <<<...>>> The judge scored it V: why. The objective is not reached
// yet.": the last counted reply and its verdict, for the attacker.
std::string last_reply_for_attacker(const MultiTurnProgress& p);

}  // namespace redcell
