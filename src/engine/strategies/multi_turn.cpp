#include "engine/strategies/multi_turn.hpp"

#include <boost/json.hpp>

#include "scorers/llm_judge.hpp"

namespace redcell {
namespace {

constexpr int kAttackerRetries = 2;
constexpr std::size_t kFeedbackBytes = 4000;

bool backtracked(const boost::json::object& o) {
  const auto* v = o.if_contains("backtracked");
  return v && v->is_bool() && v->as_bool();
}

MultiTurnProgress read_progress(std::vector<memory::Message> target,
                                std::vector<memory::Message> attacker) {
  MultiTurnProgress p;
  p.target = std::move(target);
  p.attacker = std::move(attacker);
  for (const auto& m : p.target) {
    const auto meta = metadata_of(m);
    const bool taken_back = backtracked(meta);
    if (!taken_back) p.history.push_back({m.role, m.converted_value});
    if (m.role != "assistant") continue;
    p.last_backtracked = taken_back;
    p.last_reply = m.converted_value;
    if (taken_back) {
      ++p.backtracks;
      continue;
    }
    ++p.turns;
    p.last_value = text_of(meta, "score_value");
    p.last_rationale = text_of(meta, "score_rationale");
  }
  return p;
}

// What the item's two conversations already hold (after a restart).
Task<Result<MultiTurnProgress>> load_progress(AttackContext& ctx) {
  std::string target_id = ctx.conversation_id();  // named: see engine/async.hpp
  auto target = co_await ctx.stored(target_id);
  if (!target) co_return fail(target.error());
  std::string attacker_id = ctx.conversation_id("attacker");
  auto attacker = co_await ctx.stored(attacker_id);
  if (!attacker) co_return fail(attacker.error());
  co_return read_progress(std::move(*target), std::move(*attacker));
}

void append(std::vector<memory::Message>& to, std::vector<memory::Message> from) {
  for (auto& m : from) to.push_back(std::move(m));
}

// The target conversation's new messages of a turn: the system prompt before the first one,
// then the attacker's message as converted.
std::vector<memory::Message> target_messages(AttackContext& ctx, const MultiTurnProgress& p,
                                             const std::string& original,
                                             const std::string& converted,
                                             const std::string& attacker_rationale) {
  const auto& item = ctx.item();
  const auto& def = ctx.definition();
  std::vector<memory::Message> out;
  std::int64_t seq = static_cast<std::int64_t>(p.target.size());
  if (p.target.empty() && def.system_prompt) {
    auto m = ctx.message("system");
    m.sequence = seq++;
    m.original_value = m.converted_value = *def.system_prompt;
    out.push_back(std::move(m));
  }
  auto user = ctx.message("user");
  user.sequence = seq;
  user.original_value = original;
  user.converted_value = converted;
  user.converters = ctx.chain_json();
  user.metadata = boost::json::serialize(
      boost::json::object{{"work_item_id", item.id},
                          {"prompt_id", item.prompt_id},
                          {"chain_index", item.chain_index},
                          {"attempt", item.attempt},
                          {"turn", p.turns + 1},
                          {"attacker_rationale", attacker_rationale},
                          {"attacker_conversation_id", ctx.conversation_id("attacker")}});
  out.push_back(std::move(user));
  return out;
}

memory::Message attacker_message(AttackContext& ctx, std::string role, std::string text,
                                 const MultiTurnProgress& p, std::size_t offset) {
  return attacker_message(ctx, ctx.conversation_id("attacker"), std::move(role), std::move(text),
                          static_cast<std::int64_t>(p.attacker.size() + offset));
}

// The item's record: no messages (its turns are stored), its status and outcome.
std::optional<memory::WorkItemResult> finished(AttackContext& ctx, bool backtracks,
                                               std::string outcome, std::string error,
                                               const MultiTurnProgress& p) {
  const auto& item = ctx.item();
  memory::WorkItemResult res =
      attack_outcome(ctx, outcome, error, ctx.conversation_id(), p.turns + p.backtracks > 0);
  memory::AttackResult& a = *res.attack;
  a.turns = p.turns;
  const bool last_counts = !p.last_backtracked && !p.last_value.empty();
  boost::json::object meta{
      {"work_item_id", item.id},
      {"attacker_conversation_id", ctx.conversation_id("attacker")},
      {"final_score", last_counts ? boost::json::value(p.last_value) : boost::json::value(nullptr)},
      {"final_rationale", last_counts ? p.last_rationale : std::string()}};
  if (backtracks) meta["backtracks"] = p.backtracks;
  if (!error.empty()) meta["error"] = error;
  a.metadata = boost::json::serialize(meta);
  return res;
}

// A reply's verdicts: taken back when the refusal check says refused and backtracks are
// left (`backtracks`: the plan takes turns back), else the objective scorers' verdict.
struct Judged {
  bool take_back = false;
  boost::json::object reply_meta;  // what the reply's metadata records
  std::vector<memory::Score> scores;
  std::string value, rationale;  // the objective verdict, when judged
};

Task<Judged> judge_turn(AttackContext& ctx, bool backtracks, const MultiTurnProgress& p,
                        const std::string& reply, const std::string& objective,
                        const std::vector<ChatTurn>& sent_turns) {
  Judged out;
  out.reply_meta = boost::json::object{{"turn", p.turns + 1}};
  if (backtracks) {
    auto refusal =
        co_await ctx.judge_side(AttackContext::Side::refusal_check, reply, objective, sent_turns);
    if (!refusal) {  // judged as not refused: the objective scorer still decides the turn
      out.reply_meta["refusal_check_error"] = refusal.error().message();
    } else {
      out.take_back = refusal->value == "true" && p.backtracks < ctx.definition().max_backtracks;
      if (out.take_back) {
        out.reply_meta["backtracked"] = true;
        out.reply_meta["backtrack"] = p.backtracks + 1;
        out.reply_meta["refusal_rationale"] = refusal->rationale;
      }
      out.scores.push_back(std::move(*refusal));
    }
  }
  if (out.take_back) co_return out;
  auto verdicts = co_await ctx.score(reply, objective, sent_turns);
  out.value = verdicts.achieved ? (*verdicts.achieved ? "true" : "false")
                                : (verdicts.undetermined ? "undetermined" : "");
  out.rationale = verdicts.objective_rationale;
  out.reply_meta["score_value"] = out.value;
  out.reply_meta["score_rationale"] = out.rationale;
  for (auto& sc : verdicts.scores) out.scores.push_back(std::move(sc));
  co_return out;
}

}  // namespace

std::vector<ChatTurn> turns_of(const std::vector<memory::Message>& messages) {
  std::vector<ChatTurn> out;
  out.reserve(messages.size());
  for (const auto& m : messages) out.push_back({m.role, m.converted_value});
  return out;
}

boost::json::object metadata_of(const memory::Message& m) {
  boost::system::error_code ec;
  auto meta = boost::json::parse(m.metadata, ec);
  return !ec && meta.is_object() ? std::move(meta.as_object()) : boost::json::object();
}

// The attacker's answer read forgivingly, asked again (not stored) when it is not JSON with a
// next_message. nullopt: cancelled.
Task<std::optional<AttackerAnswer>> ask_attacker(AttackContext& ctx, const std::string& attacker,
                                                 std::vector<ChatTurn> turns) {
  AttackerAnswer out;
  for (int attempt = 0; attempt <= kAttackerRetries; ++attempt) {
    TargetRequest req;
    req.messages = turns;
    auto sent = co_await ctx.send_helper(attacker, std::move(req));
    if (!sent) co_return std::nullopt;
    if (!sent->result) {
      out.error = sent->result.error().message;
      co_return out;
    }
    out.raw = sent->result->text;
    auto obj = find_json_object(out.raw);
    const boost::json::value* msg = obj ? obj->if_contains("next_message") : nullptr;
    if (msg && msg->is_string() && !msg->as_string().empty()) {
      out.message = std::string(msg->as_string());
      if (const auto* why = obj->if_contains("rationale"); why && why->is_string())
        out.rationale = std::string(why->as_string());
      co_return out;
    }
    turns.push_back({"assistant", out.raw});
    turns.push_back({"user",
                     "That was not a JSON object with a non-empty \"next_message\". Answer again "
                     "with only {\"next_message\": \"...\", \"rationale\": \"...\"}."});
  }
  out.error = "no JSON with a next_message after " + std::to_string(kAttackerRetries + 1) +
              " tries; its last answer: " + clip_for_attacker(out.raw);
  co_return out;
}

memory::WorkItemResult attack_outcome(AttackContext& ctx, const std::string& outcome,
                                      const std::string& error, std::string conversation_id,
                                      bool sent) {
  memory::WorkItemResult res;
  res.work_item_id = ctx.item().id;
  res.conversation_id = std::move(conversation_id);
  res.counts.sent = sent ? 1 : 0;
  if (outcome == "error") {
    res.status = "failed";
    res.error = error;
    res.counts.errors = 1;
  } else if (outcome == "undetermined") {
    res.counts.undetermined = 1;
  } else {
    res.counts.scored = 1;
    res.counts.achieved = outcome == "achieved" ? 1 : 0;
    res.achieved = outcome == "achieved";
  }
  memory::AttackResult a;
  a.conversation_id = res.conversation_id;
  a.objective = ctx.prompt() ? ctx.prompt()->value : std::string();
  a.outcome = outcome;
  res.attack = std::move(a);
  return res;
}

std::string text_of(const boost::json::object& o, std::string_view key) {
  const auto* v = o.if_contains(key);
  return v && v->is_string() ? std::string(v->as_string()) : std::string();
}

memory::Message attacker_message(AttackContext& ctx, std::string conversation, std::string role,
                                 std::string text, std::int64_t sequence) {
  auto m = ctx.message(std::move(role));
  m.conversation_id = std::move(conversation);
  m.target_id = ctx.definition().adversarial_target_id;
  m.sequence = sequence;
  m.original_value = m.converted_value = std::move(text);
  m.metadata = boost::json::serialize(
      boost::json::object{{"helper", "attacker"}, {"work_item_id", ctx.item().id}});
  return m;
}

std::string clip_for_attacker(const std::string& s) {
  return s.size() <= kFeedbackBytes ? s : s.substr(0, kFeedbackBytes) + "...";
}

std::string last_reply_for_attacker(const MultiTurnProgress& p) {
  return "The target replied:\n<<<\n" + clip_for_attacker(p.last_reply) +
         "\n>>>\nThe judge scored it " + (p.last_value.empty() ? "(no verdict)" : p.last_value) +
         (p.last_rationale.empty() ? "" : ": " + clip_for_attacker(p.last_rationale)) +
         ". The objective is not reached yet.";
}

Task<std::optional<memory::WorkItemResult>> MultiTurnAttack::run(AttackContext& ctx) const {
  const auto& item = ctx.item();
  const auto& def = ctx.definition();
  const QueuedPrompt* prompt = ctx.prompt();
  MultiTurnProgress p;
  if (!prompt)
    co_return finished(ctx, plan_.backtracks, "error",
                       "the objective of this work item is no longer stored", p);
  const std::string objective = prompt->value;

  std::string target_conversation = ctx.conversation_id();  // named: see engine/async.hpp
  auto loaded = co_await load_progress(ctx);
  if (!loaded)
    co_return finished(ctx, plan_.backtracks, "error",
                       "reading the stored turns failed: " + loaded.error().message(), p);
  p = std::move(*loaded);
  // It succeeded just before a restart: nothing more to send.
  if (p.last_value == "true" && !p.last_backtracked)
    co_return finished(ctx, plan_.backtracks, "achieved", "", p);

  // Bounded: each pass counts a turn or takes one back, and backtracks are bounded too.
  while (p.turns < def.max_turns) {
    if (ctx.cancelled()) co_return std::nullopt;  // given back; a resume goes on from here
    // 1. The attacker's next message.
    std::vector<memory::Message> new_attacker;
    if (p.attacker.empty())
      new_attacker.push_back(
          attacker_message(ctx, "system", plan_.instructions(objective, def.max_turns), p, 0));
    new_attacker.push_back(
        attacker_message(ctx, "user", plan_.ask(p, def), p, new_attacker.size()));
    std::vector<ChatTurn> attacker_turns = turns_of(p.attacker);
    for (const auto& m : new_attacker) attacker_turns.push_back({m.role, m.converted_value});
    auto next = co_await ask_attacker(ctx, def.adversarial_target_id, std::move(attacker_turns));
    if (!next) co_return std::nullopt;
    if (!next->error.empty())
      co_return finished(ctx, plan_.backtracks, "error", "the attacker failed: " + next->error, p);
    new_attacker.push_back(attacker_message(ctx, "assistant", next->raw, p, new_attacker.size()));

    // 2. Converted, appended to the conversation the target sees, sent.
    std::string text = next->message;
    const std::uint64_t round = static_cast<std::uint64_t>(p.turns) + p.backtracks;
    auto converted = co_await ctx.convert(std::move(text), round);
    if (!converted)
      co_return finished(ctx, plan_.backtracks, "error",
                         "converter failed: " + converted.error().message(), p);
    std::vector<memory::Message> new_target =
        target_messages(ctx, p, next->message, *converted, next->rationale);
    TargetRequest req;
    req.work_item_id = item.id;
    req.messages = p.history;
    for (const auto& m : new_target) req.messages.push_back({m.role, m.converted_value});
    std::vector<ChatTurn> sent_turns;  // the whole conversation, for a conversation scorer
    if (ctx.scores_conversation() || plan_.backtracks) sent_turns = req.messages;
    auto sent = co_await ctx.send(std::move(req));
    if (!sent) co_return std::nullopt;
    auto reply = ctx.message("assistant");
    reply.sequence = static_cast<std::int64_t>(p.target.size() + new_target.size());
    reply.latency_ms = sent->latency_ms;
    if (!sent->result) {
      reply.response_error = sent->result.error().response_error;
      reply.error_message = sent->result.error().message;
      new_target.push_back(std::move(reply));
      auto res = finished(ctx, plan_.backtracks, "error", sent->result.error().message, p);
      append(res->messages, std::move(new_attacker));
      append(res->messages, std::move(new_target));
      co_return res;
    }
    reply.original_value = reply.converted_value = sent->result->text;
    reply.response_error = sent->result->response_error;
    reply.error_message = sent->result->error_message;
    reply.prompt_tokens = sent->result->prompt_tokens;
    reply.completion_tokens = sent->result->completion_tokens;

    // 3. Taken back when refused (while backtracks are left), else judged; the turn is stored
    // before the next one is sent.
    Judged judged =
        co_await judge_turn(ctx, plan_.backtracks, p, sent->result->text, objective, sent_turns);
    const bool take_back = judged.take_back;
    boost::json::object reply_meta = std::move(judged.reply_meta);
    std::vector<memory::Score> scores = std::move(judged.scores);
    std::string value = std::move(judged.value), rationale = std::move(judged.rationale);
    if (take_back) {  // the message sent is taken back with its reply
      auto& user = new_target.back();
      auto meta = metadata_of(user);
      meta["backtracked"] = true;
      user.metadata = boost::json::serialize(meta);
    }
    reply.metadata = boost::json::serialize(reply_meta);
    new_target.push_back(std::move(reply));
    memory::WorkItemResult turn;
    append(turn.messages, std::move(new_attacker));
    const std::size_t at = turn.messages.size() + new_target.size() - 1;
    append(turn.messages, std::move(new_target));
    for (auto& sc : scores) turn.scores.push_back({at, std::move(sc)});
    std::vector<memory::Message> kept = turn.messages;
    const int number = p.turns + p.backtracks + 1;
    auto stored = co_await ctx.checkpoint(std::move(turn));
    if (!stored)
      co_return finished(
          ctx, plan_.backtracks, "error",
          "storing turn " + std::to_string(number) + " failed: " + stored.error().message(), p);
    for (auto& m : kept) {
      const bool in_target = m.conversation_id == target_conversation;
      if (in_target && !take_back) p.history.push_back({m.role, m.converted_value});
      (in_target ? p.target : p.attacker).push_back(std::move(m));
    }
    p.last_reply = sent->result->text;
    p.last_backtracked = take_back;
    if (take_back) {
      ++p.backtracks;
      continue;
    }
    ++p.turns;
    p.last_value = value;
    p.last_rationale = rationale;
    if (value == "true") co_return finished(ctx, plan_.backtracks, "achieved", "", p);
  }
  co_return finished(ctx, plan_.backtracks,
                     p.last_value == "undetermined" ? "undetermined" : "not_achieved", "", p);
}

}  // namespace redcell
