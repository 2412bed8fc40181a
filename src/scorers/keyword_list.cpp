// keyword_list: true when the reply contains any (or all) of a list of keywords; ASCII
// case-insensitive unless case_sensitive, whole words only when whole_words. The
// rationale names the keywords found.
#include "scorers/rule.hpp"

namespace redcell {

namespace {
struct KeywordParams {
  std::vector<std::string> keywords;
  bool all = false;
  bool case_sensitive = false;
  bool whole_words = false;
  std::string category;
};

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool word_char(char c) {
  const auto u = static_cast<unsigned char>(c);
  return u >= 0x80 || std::isalnum(u) || c == '_';
}

bool contains(std::string_view text, std::string_view key, bool whole) {
  for (auto at = text.find(key); at != std::string_view::npos; at = text.find(key, at + 1)) {
    if (!whole) return true;
    const bool starts = at == 0 || !word_char(text[at - 1]);
    const bool ends = at + key.size() == text.size() || !word_char(text[at + key.size()]);
    if (starts && ends) return true;
  }
  return false;
}

Result<ScoreResult> match(const ScoreInput& input, const KeywordParams& p) {
  std::string folded;
  std::string_view text = input.text;
  if (!p.case_sensitive) {
    folded.resize(input.text.size());
    std::transform(input.text.begin(), input.text.end(), folded.begin(), lower);
    text = folded;
  }
  std::vector<std::string_view> found;
  for (const auto& k : p.keywords)
    if (contains(text, k, p.whole_words)) found.push_back(k);
  const bool hit = p.all ? found.size() == p.keywords.size() : !found.empty();
  std::string why =
      std::to_string(found.size()) + " of " + std::to_string(p.keywords.size()) + " keywords found";
  for (std::size_t i = 0; i < found.size() && i < 10; ++i)
    why += (i ? ", \"" : ": \"") + rule::excerpt(found[i], 40) + "\"";
  return rule::verdict(hit, p.category, std::move(why));
}
}  // namespace

ScorerInfo keyword_list_scorer() {
  return rule::entry<KeywordParams>(
      "keyword_list",
      "True when the reply contains any (match any) or every (match all) keyword of the list; "
      "case-insensitive and anywhere in a word unless told otherwise.",
      R"json({"type":"object","required":["keywords"],"properties":{
        "keywords":{"type":"array","minItems":1,"maxItems":1000,
          "items":{"type":"string","minLength":1,"maxLength":200}},
        "match":{"type":"string","enum":["any","all"],"default":"any"},
        "case_sensitive":{"type":"boolean","default":false},
        "whole_words":{"type":"boolean","default":false},
        "category":{"type":"string","maxLength":200,"default":""}},
        "additionalProperties":false,
        "examples":[{"keywords":["detonator","blasting cap"],"whole_words":true,"category":"weapons"}]})json",
      "true_false",
      [](const JsonInput& in) -> Result<KeywordParams> {
        auto keywords = in.strings("keywords", 1000, 200);
        if (!keywords) return fail(keywords.error());
        if (keywords->empty())
          return fail(Error::invalid(in.field("keywords"),
                                     in.has("keywords") ? *in.get("keywords") : nullptr,
                                     "a list of at least one keyword"));
        auto mode = in.opt_string("match", 8);
        if (!mode) return fail(mode.error());
        if (*mode && **mode != "any" && **mode != "all")
          return fail(Error::invalid(in.field("match"), boost::json::value(**mode), "any or all"));
        auto cs = in.boolean("case_sensitive", false);
        if (!cs) return fail(cs.error());
        auto whole = in.boolean("whole_words", false);
        if (!whole) return fail(whole.error());
        auto category = in.opt_string("category", 200, true);
        if (!category) return fail(category.error());
        KeywordParams p{std::move(*keywords), *mode && **mode == "all", *cs, *whole,
                        category->value_or("")};
        if (!p.case_sensitive)
          for (auto& k : p.keywords) std::transform(k.begin(), k.end(), k.begin(), lower);
        return p;
      },
      match);
}

}  // namespace redcell
