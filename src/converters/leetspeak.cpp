// leetspeak: PyRIT's LeetspeakConverter: letters replaced by look-alike digits and symbols
// (its substitution table). deterministic (the default) takes each letter's first
// substitution; otherwise one is drawn per letter from the work item's seed.
#include <array>
#include <map>

#include "converters/text.hpp"

namespace redcell {

namespace {

struct LeetParams {
  bool deterministic = true;
};

const std::map<char, std::vector<std::string_view>>& substitutions() {
  static const std::map<char, std::vector<std::string_view>> table{
      {'a', {"4", "@", "/\\", "@", "^", "/-\\"}},
      {'b', {"8", "6", "13", "|3", "/3", "!3"}},
      {'c', {"(", "[", "<", "{"}},
      {'e', {"3"}},
      {'g', {"9"}},
      {'i', {"1", "!"}},
      {'l', {"1", "|"}},
      {'o', {"0"}},
      {'s', {"5", "$"}},
      {'t', {"7"}},
      {'z', {"2"}}};
  return table;
}

std::string leet(std::string_view s, const LeetParams& p, std::uint64_t seed) {
  // The table indexed by byte (the map is the table as written).
  static const auto kByByte = [] {
    std::array<const std::vector<std::string_view>*, 256> t{};
    for (const auto& [c, options] : substitutions()) {
      t[static_cast<unsigned char>(c)] = &options;
      t[static_cast<unsigned char>(std::toupper(static_cast<unsigned char>(c)))] = &options;
    }
    return t;
  }();
  text::Draws draw(seed);  // nothing to set up when deterministic
  std::string out;
  out.reserve(s.size() * 2);
  for (char c : s) {
    const auto* found = kByByte[static_cast<unsigned char>(c)];
    if (!found) {
      out += c;
      continue;
    }
    const auto& options = *found;
    std::size_t pick = 0;
    if (!p.deterministic) pick = draw.below(static_cast<unsigned>(options.size()));
    out += options[pick];
  }
  return out;
}

}  // namespace

ConverterInfo leetspeak_converter() {
  return text::entry<LeetParams, true>(
      "leetspeak",
      "Replaces letters with look-alike digits and symbols (a->4, e->3, ...); with "
      "deterministic false, each letter's substitution is drawn from the seed.",
      R"({"type":"object","properties":{
        "deterministic":{"type":"boolean","default":true,
          "description":"always the first substitution of a letter"}},
        "additionalProperties":false})",
      [](const JsonInput& in) -> Result<LeetParams> {
        auto d = in.boolean("deterministic", true);
        if (!d) return fail(d.error());
        return LeetParams{*d};
      },
      leet);
}

}  // namespace redcell
