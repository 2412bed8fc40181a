// partial: another converter applied to part of the prompt only, as PyRIT's selection
// strategies do: the words at given indexes, the words matching an RE2 pattern, given
// keywords, a share of the words drawn from the seed, or the text between markers (the
// markers dropped). The rest of the prompt is left as written.
//
//   {"type": "partial", "params": {"converter": {"type": "base64"},
//                                  "words": {"indexes": [0, 2]}}}
//   {"type": "partial", "params": {"converter": {"type": "rot13"},
//                                  "between": {"start": "[[", "end": "]]"}}}
//
// Words are the pieces between single spaces (PyRIT's word_split_separator " "). The wrapped
// converter must not need an LLM; its output, summed over the pieces, stays under the step cap.
#include <re2/re2.h>

#include <algorithm>
#include <numeric>
#include <random>
#include <set>

#include "converters/chain.hpp"
#include "converters/text.hpp"

namespace redcell {

namespace {

struct PartialParams {
  std::shared_ptr<const Converter> inner;
  // Word selection (when `between` is false): exactly one of these is set.
  std::optional<std::set<std::int64_t>> indexes;
  std::shared_ptr<const re2::RE2> regex;
  std::optional<std::set<std::string>> keywords;
  std::optional<double> share;
  // Marker selection.
  bool between = false;
  std::string start, end;
};

Result<void> read_words(const JsonInput& words, PartialParams& p) {
  if (auto ok = words.only({"indexes", "regex", "keywords", "share"}); !ok) return fail(ok.error());
  int given = 0;
  if (const auto* ix = words.get("indexes")) {
    ++given;
    if (!ix->is_array() || ix->as_array().empty() || ix->as_array().size() > 10'000)
      return fail(
          Error::invalid(words.field("indexes"), *ix, "an array of 1 to 10000 word indexes"));
    p.indexes.emplace();
    for (std::size_t i = 0; i < ix->as_array().size(); ++i) {
      const auto& v = ix->as_array()[i];
      if (!v.is_int64() || v.as_int64() < 0)
        return fail(Error::invalid(words.field("indexes") + "/" + std::to_string(i), v,
                                   "a word index from 0"));
      p.indexes->insert(v.as_int64());
    }
  }
  if (words.has("regex")) {
    ++given;
    auto pattern = words.string("regex", 10'000);
    if (!pattern) return fail(pattern.error());
    re2::RE2::Options options;
    options.set_log_errors(false);
    p.regex = std::make_shared<const re2::RE2>(*pattern, options);
    if (!p.regex->ok())
      return fail(Error::invalid(words.field("regex"), boost::json::value(*pattern),
                                 "an RE2 regular expression (" + p.regex->error() + ")"));
  }
  if (words.has("keywords")) {
    ++given;
    auto list = words.strings("keywords", 1000, 1000);
    if (!list) return fail(list.error());
    p.keywords.emplace(list->begin(), list->end());
  }
  if (words.has("share")) {
    ++given;
    auto share = words.opt_number("share", 0, 1);
    if (!share) return fail(share.error());
    p.share = share->value_or(0);
  }
  if (given != 1)
    return fail(Error::invalid(words.at(), boost::json::value(words.object()),
                               "exactly one of indexes, regex, keywords or share"));
  return {};
}

Result<PartialParams> read(const boost::json::object& params, const std::string& field,
                           const ConverterRegistry& catalog) {
  JsonInput in(params, field);
  if (auto ok = in.only({"converter", "words", "between"}); !ok) return fail(ok.error());
  const auto* spec = in.get("converter");
  if (!spec)
    return fail(
        Error::invalid(in.field("converter"), nullptr, "a converter {\"type\", \"params\"?}"));
  auto inner = catalog.create(*spec, in.field("converter"));
  if (!inner) return fail(inner.error());
  if ((*inner)->traits().needs_llm)
    return fail(Error::invalid(in.field("converter") + "/type", spec->as_object().at("type"),
                               "a converter that needs no LLM"));
  PartialParams p;
  p.inner = std::move(*inner);
  if (in.has("words") == in.has("between"))
    return fail(Error::invalid(in.field("words"), nullptr, "exactly one of words or between"));
  if (in.has("words")) {
    auto words = JsonInput::of(*in.get("words"), in.field("words"),
                               "{\"indexes\"} | {\"regex\"} | {\"keywords\"} | {\"share\"}");
    if (!words) return fail(words.error());
    if (auto ok = read_words(*words, p); !ok) return fail(ok.error());
    return p;
  }
  auto between = JsonInput::of(*in.get("between"), in.field("between"), "{\"start\", \"end\"}");
  if (!between) return fail(between.error());
  if (auto ok = between->only({"start", "end"}); !ok) return fail(ok.error());
  auto start = between->opt_string("start", 32);
  if (!start) return fail(start.error());
  auto end = between->opt_string("end", 32);
  if (!end) return fail(end.error());
  p.between = true;
  p.start = start->value_or("\u27EA");  // ⟪ and ⟫, PyRIT's default markers
  p.end = end->value_or("\u27EB");
  return p;
}

Result<void> append_capped(std::string& out, std::string_view piece) {
  if (out.size() + piece.size() > kMaxConvertedBytes)
    return fail(
        Error(ErrorCode::invalid_argument,
              "partial: the result would pass " + std::to_string(kMaxConvertedBytes) + " bytes"));
  out.append(piece);
  return {};
}

Result<std::string> convert_between(std::string_view s, const PartialParams& p,
                                    std::uint64_t seed) {
  std::string out;
  std::size_t at = 0;
  for (std::uint64_t n = 0;; ++n) {
    const auto open = s.find(p.start, at);
    const auto close = open == std::string_view::npos ? open : s.find(p.end, open + p.start.size());
    if (close == std::string_view::npos) break;
    if (auto ok = append_capped(out, s.substr(at, open - at)); !ok) return fail(ok.error());
    const auto inside = s.substr(open + p.start.size(), close - open - p.start.size());
    auto converted = p.inner->convert_seeded(inside, seed_for(seed, n));
    if (!converted) return fail(converted.error());
    if (auto ok = append_capped(out, *converted); !ok) return fail(ok.error());
    at = close + p.end.size();
  }
  if (auto ok = append_capped(out, s.substr(at)); !ok) return fail(ok.error());
  return out;
}

// Which of `n` words a share selects: round(n * share) of them, drawn from the seed.
std::vector<bool> drawn(std::size_t n, double share, std::uint64_t seed) {
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  // Fisher-Yates with our own draws: std::shuffle's order differs between libraries.
  text::Draws draw(seed);
  for (std::size_t i = n; i > 1; --i) std::swap(order[i - 1], order[draw.index(i)]);
  std::vector<bool> chosen(n, false);
  const auto k = static_cast<std::size_t>(std::llround(static_cast<double>(n) * share));
  for (std::size_t i = 0; i < k && i < n; ++i) chosen[order[i]] = true;
  return chosen;
}

Result<std::string> convert_words(std::string_view s, const PartialParams& p, std::uint64_t seed) {
  std::vector<std::string_view> words;
  for (std::size_t at = 0;;) {
    const auto space = s.find(' ', at);
    words.push_back(s.substr(at, space == std::string_view::npos ? space : space - at));
    if (space == std::string_view::npos) break;
    at = space + 1;
  }
  std::vector<bool> chosen(words.size(), false);
  if (p.share) chosen = drawn(words.size(), *p.share, seed);
  for (std::size_t i = 0; i < words.size(); ++i) {
    const auto w = words[i];
    if (p.indexes) chosen[i] = p.indexes->contains(static_cast<std::int64_t>(i));
    if (p.regex) chosen[i] = re2::RE2::PartialMatch(re2::StringPiece(w.data(), w.size()), *p.regex);
    if (p.keywords) chosen[i] = p.keywords->contains(std::string(w));
  }
  std::string out;
  out.reserve(2 * s.size());  // most inner converters at most double their words
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0)
      if (auto ok = append_capped(out, " "); !ok) return fail(ok.error());
    if (!chosen[i] || words[i].empty()) {
      if (auto ok = append_capped(out, words[i]); !ok) return fail(ok.error());
      continue;
    }
    auto converted = p.inner->convert_seeded(words[i], seed_for(seed, std::uint64_t{i} + 1));
    if (!converted) return fail(converted.error());
    if (auto ok = append_capped(out, *converted); !ok) return fail(ok.error());
  }
  return out;
}

class Partial final : public Converter {
 public:
  explicit Partial(PartialParams p) : p_(std::move(p)) {}
  Result<std::string> convert(std::string_view input) const override {
    return convert_seeded(input, 0);
  }
  Result<std::string> convert_seeded(std::string_view input, std::uint64_t seed) const override {
    return p_.between ? convert_between(input, p_, seed) : convert_words(input, p_, seed);
  }
  ConverterTraits traits() const override {
    return {false, "text", "text", p_.share.has_value() || p_.inner->traits().random};
  }

 private:
  PartialParams p_;
};

}  // namespace

ConverterInfo partial_converter() {
  return catalog_entry<Converter, PartialParams>(
      "partial",
      "Applies `converter` to part of the prompt only: words by index, RE2 pattern, keyword or "
      "a seeded share, or the text between markers.",
      boost::json::parse(R"json({"type":"object","required":["converter"],"properties":{
        "converter":{"type":"object","description":"the converter applied to the selection"},
        "words":{"type":"object","description":"one of indexes, regex, keywords, share",
          "properties":{"indexes":{"type":"array","items":{"type":"integer","minimum":0}},
            "regex":{"type":"string"},"keywords":{"type":"array","items":{"type":"string"}},
            "share":{"type":"number","minimum":0,"maximum":1}},"additionalProperties":false},
        "between":{"type":"object","properties":{
            "start":{"type":"string","default":"\u27ea"},"end":{"type":"string","default":"\u27eb"}},
          "additionalProperties":false}},
        "additionalProperties":false,
            "examples":[{"converter":{"type":"base64"},"words":{"indexes":[0,2]}}]})json"),
      read, [](const PartialParams&) { return PieceInfo{}; },
      [](PartialParams p, const ConverterRegistry&) -> Result<std::unique_ptr<Converter>> {
        return std::make_unique<Partial>(std::move(p));
      });
}

}  // namespace redcell
