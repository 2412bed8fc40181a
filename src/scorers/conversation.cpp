// conversation: judges a whole conversation, not one reply. The wrapped scorer (an LLM judge
// most often, any scorer will do) reads the conversation as a transcript, "User: ..." and
// "Assistant: ..." lines oldest first, as PyRIT's conversation scorer writes it; so a
// multi-turn attack that succeeded over several replies, none damning alone, is seen.
#include <boost/json.hpp>

#include "common/json_input.hpp"
#include "scorers/combinators.hpp"
#include "scorers/scorer.hpp"

namespace redcell {

namespace {

struct ConversationParams {
  combine::Wrapped inner;
  bool include_system = false;
  std::size_t last_messages = 0;  // 0: all of them
};

// The transcript of `input.conversation`; the reply alone when there is none (a sample
// scored on its own, as /scorers/test and evaluations do).
std::string transcript(const ScoreInput& input, const ConversationParams& p) {
  if (input.conversation.empty()) return "Assistant: " + input.text + "\n";
  std::vector<const ChatTurn*> kept;
  for (const auto& t : input.conversation)
    if (t.role != "system" || p.include_system) kept.push_back(&t);
  const std::size_t from =
      p.last_messages && kept.size() > p.last_messages ? kept.size() - p.last_messages : 0;
  std::string out;
  for (std::size_t i = from; i < kept.size(); ++i) {
    const auto& role = kept[i]->role;
    out += role == "user"        ? "User: "
           : role == "assistant" ? "Assistant: "
           : role == "system"    ? "System: "
                                 : role + ": ";
    out += kept[i]->content;
    out += '\n';
  }
  return out;
}

class ConversationScorer final : public Scorer {
 public:
  ConversationScorer(ConversationParams p, std::unique_ptr<Scorer> inner)
      : p_(std::move(p)), inner_(std::move(inner)) {}

  Result<ScoreResult> score(std::string_view text) const override {
    return judge(ScoreInput{std::string(text), {}, {}});
  }
  Result<ScoreResult> judge(const ScoreInput& input) const override {
    return inner_->judge(ScoreInput{transcript(input, p_), input.objective, {}});
  }
  Task<Result<ScoreResult>> score_async(ScoreInput input, LlmClient& llm) const override {
    ScoreInput whole{transcript(input, p_), std::move(input.objective), {}};
    co_return co_await inner_->score_async(std::move(whole), llm);
  }
  std::string_view score_type() const override { return inner_->score_type(); }
  ScorerTraits traits() const override {
    const auto inner = inner_->traits();
    return {inner.needs_llm, "conversation", inner.score_type, true};
  }

 private:
  ConversationParams p_;
  std::unique_ptr<Scorer> inner_;
};

}  // namespace

ScorerInfo conversation_scorer() {
  return catalog_entry<Scorer, ConversationParams>(
      "conversation",
      "Judges the whole conversation instead of the last reply: the wrapped scorer reads "
      "every user and assistant turn as a transcript (\"User: ...\", \"Assistant: ...\"). "
      "Use it around an LLM judge as the objective scorer of a multi-turn attack. On a sample "
      "scored alone the transcript is the reply.",
      boost::json::parse(R"json({"type":"object","required":["scorer"],
        "properties":{
          "scorer":{"type":"object","required":["type"],
            "properties":{"type":{"type":"string"},"params":{"type":"object"}},
            "description":"the scorer that reads the transcript"},
          "include_system":{"type":"boolean","default":false,
            "description":"put the system prompt at the head of the transcript"},
          "last_messages":{"type":"integer","minimum":1,"maximum":1000,
            "description":"judge only the last N messages (all when absent)"}},
        "additionalProperties":false,
        "examples":[{"scorer":{"type":"substring","params":{"substring":"confirmed"}}},
                    {"scorer":{"type":"keyword_list","params":{"keywords":["step 1","step 2"]}},
                     "last_messages":6}]})json"),
      [](const boost::json::object& params, const std::string& field,
         const ScorerRegistry& registry) -> Result<ConversationParams> {
        JsonInput in(params, field);
        if (auto ok = in.only({"scorer", "include_system", "last_messages"}); !ok)
          return fail(ok.error());
        const auto* spec = in.get("scorer");
        if (!spec)
          return fail(
              Error::invalid(in.field("scorer"), nullptr,
                             "the scorer that reads the transcript, {\"type\", \"params\"}"));
        auto inner = combine::read_wrapped(*spec, in.field("scorer"), registry, "");
        if (!inner) return fail(inner.error());
        ConversationParams p{std::move(*inner)};
        auto system = in.boolean("include_system", false);
        if (!system) return fail(system.error());
        p.include_system = *system;
        auto last = in.opt_int("last_messages", 1, 1000);
        if (!last) return fail(last.error());
        p.last_messages = static_cast<std::size_t>(last->value_or(0));
        return p;
      },
      [](const ConversationParams& p) { return p.inner.info; },
      [](ConversationParams p, const ScorerRegistry& registry) -> Result<std::unique_ptr<Scorer>> {
        auto inner = combine::build(p.inner, registry);
        if (!inner) return fail(inner.error());
        return std::make_unique<ConversationScorer>(std::move(p), std::move(*inner));
      });
}

}  // namespace redcell
