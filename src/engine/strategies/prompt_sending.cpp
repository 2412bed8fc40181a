// prompt_sending: each work item sends its prompt once, through its converter chain, after
// the definition's system prompt and prepended turns, and scores the reply.

#include <boost/json.hpp>

#include "engine/attack.hpp"

namespace redcell {
namespace {

class PromptSending final : public AttackStrategy {
 public:
  Task<std::optional<memory::WorkItemResult>> run(AttackContext& ctx) const override {
    const auto& item = ctx.item();
    const QueuedPrompt* prompt = ctx.prompt();
    if (!prompt)
      co_return conversation(
          ctx, "", "",
          std::unexpected(TargetFailure{"the prompt of this work item is no longer stored", false,
                                        std::nullopt, "unknown"}),
          {});
    std::string original = prompt->value;  // named, moved: see engine/async.hpp
    auto converted = co_await ctx.convert(std::move(original), 0);
    if (!converted)
      co_return conversation(
          ctx, prompt->value, "",
          std::unexpected(TargetFailure{"converter failed: " + converted.error().message(), false,
                                        std::nullopt, "processing"}),
          {});
    TargetRequest req;
    req.work_item_id = item.id;
    const auto& def = ctx.definition();
    if (def.system_prompt) req.messages.push_back({"system", *def.system_prompt});
    for (const auto& t : def.prepended_conversation)
      req.messages.push_back(
          {std::string(t.at("role").as_string()), std::string(t.at("content").as_string())});
    req.messages.push_back({"user", *converted});
    auto sent = co_await ctx.send(std::move(req));
    if (!sent) co_return std::nullopt;
    auto res = conversation(ctx, prompt->value, *converted, std::move(sent->result), *sent);
    if (res.status == "done") {
      const auto& reply = res.messages.back().original_value;
      std::vector<ChatTurn> sent_turns;  // the request again, for a conversation scorer
      if (ctx.scores_conversation())
        for (std::size_t i = 0; i + 1 < res.messages.size(); ++i)
          sent_turns.push_back({res.messages[i].role, res.messages[i].converted_value});
      auto verdicts = co_await ctx.score(reply, prompt->value, sent_turns);
      const std::size_t at = res.messages.size() - 1;
      res.scores.reserve(verdicts.scores.size());
      for (auto& s : verdicts.scores) res.scores.emplace_back(at, std::move(s));
      if (verdicts.achieved) {
        res.counts.scored = 1;
        res.counts.achieved = *verdicts.achieved ? 1 : 0;
        res.achieved = verdicts.achieved;
      } else if (verdicts.undetermined) {
        res.counts.undetermined = 1;  // not a failed attack: counted apart
      } else if (verdicts.objective_failed) {
        res.status = "failed";
        res.error = "the objective scorer failed";
        res.counts.errors = 1;
      }
    }
    co_return res;
  }

 private:
  // The item's conversation: system prompt, prepended turns, the prompt and the reply (or
  // the final failure with its reason: nothing is invented in its place).
  static memory::WorkItemResult conversation(AttackContext& ctx, const std::string& original,
                                             const std::string& converted, TargetResult r,
                                             const Sent& sent) {
    const auto& item = ctx.item();
    const auto& def = ctx.definition();
    memory::WorkItemResult res;
    res.work_item_id = item.id;
    res.conversation_id = ctx.conversation_id();
    std::int64_t seq = 0;
    auto next = [&](std::string role) {
      auto m = ctx.message(std::move(role));
      m.sequence = seq++;
      return m;
    };
    if (def.system_prompt) {
      auto m = next("system");
      m.original_value = m.converted_value = *def.system_prompt;
      res.messages.push_back(std::move(m));
    }
    for (const auto& t : def.prepended_conversation) {
      auto m = next(std::string(t.at("role").as_string()));
      m.original_value = m.converted_value = std::string(t.at("content").as_string());
      res.messages.push_back(std::move(m));
    }
    auto user = next("user");
    user.original_value = original;
    user.converted_value = converted;
    user.converters = ctx.chain_json();
    boost::json::object meta{{"work_item_id", item.id},
                             {"prompt_id", item.prompt_id},
                             {"chain_index", item.chain_index},
                             {"attempt", item.attempt},
                             {"seed", ctx.seed()}};
    if (const auto* p = ctx.prompt())
      meta["harm_categories"] = boost::json::parse(p->harm_categories);
    if (!ctx.converter_conversations().empty()) {
      boost::json::array ids;
      for (const auto& id : ctx.converter_conversations()) ids.emplace_back(id);
      meta["helper_conversation_ids"] = std::move(ids);
    }
    user.metadata = boost::json::serialize(meta);
    res.messages.push_back(std::move(user));

    auto reply = next("assistant");
    boost::json::array tries;
    for (const auto& a : sent.attempts) {
      boost::json::object t{{"at", format_time(a.at)}, {"outcome", a.outcome}};
      if (a.retry_after) t["retry_after_ms"] = a.retry_after->count();
      tries.push_back(std::move(t));
    }
    reply.metadata = boost::json::serialize(boost::json::object{{"attempts", std::move(tries)}});
    reply.latency_ms = sent.latency_ms;
    if (!r) {
      reply.response_error = r.error().response_error;
      reply.error_message = r.error().message;
      res.status = "failed";
      res.error = r.error().message;
      res.counts.sent = sent.attempts.empty() ? 0 : 1;
      res.counts.errors = 1;
    } else {
      reply.original_value = reply.converted_value = r->text;
      reply.response_error = r->response_error;
      reply.error_message = r->error_message;
      reply.prompt_tokens = r->prompt_tokens;
      reply.completion_tokens = r->completion_tokens;
      res.counts.sent = 1;
    }
    res.messages.push_back(std::move(reply));
    return res;
  }
};

}  // namespace

const AttackStrategy& prompt_sending_strategy() {
  static const PromptSending strategy;
  return strategy;
}

}  // namespace redcell
