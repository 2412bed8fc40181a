// letter_bijection: a substitution cipher over a-z: each letter maps to another through a
// one-to-one mapping (`mapping`, the 26 images of a..z, or a permutation drawn from the
// seed), case kept, everything else kept. With append_description the target is told the
// mapping and asked to answer in it (the bijection-learning attack).
#include <algorithm>
#include <random>

#include "converters/text.hpp"

namespace redcell {

namespace {

struct BijectionParams {
  std::string mapping;  // "" : drawn from the seed
  bool append_description = false;
};

std::string substitute(std::string_view s, const std::string& map) {
  std::string out(s);
  for (auto& c : out) {
    if (c >= 'a' && c <= 'z')
      c = map[static_cast<std::size_t>(c - 'a')];
    else if (c >= 'A' && c <= 'Z')
      c = static_cast<char>(map[static_cast<std::size_t>(c - 'A')] - 'a' + 'A');
  }
  return out;
}

std::string biject(std::string_view s, const BijectionParams& p, std::uint64_t seed) {
  std::string map = p.mapping;
  if (map.empty()) {
    map = "abcdefghijklmnopqrstuvwxyz";
    text::Draws draw(seed);
    // Fisher-Yates with our own draws: std::shuffle's order differs between libraries.
    for (std::size_t i = map.size() - 1; i > 0; --i) std::swap(map[i], map[draw.index(i + 1)]);
  }
  if (!p.append_description) return substitute(s, map);
  std::string how = "a letter substitution: ";
  for (std::size_t i = 0; i < map.size(); ++i) {
    if (i) how += ", ";
    how += static_cast<char>('a' + i);
    how += " is written ";
    how += map[i];
  }
  return text::described(
      "a secret alphabet", how, [&map](std::string_view t) { return substitute(t, map); }, s);
}

}  // namespace

ConverterInfo letter_bijection_converter() {
  return text::entry<BijectionParams, true>(
      "letter_bijection",
      "A substitution cipher: each letter a-z maps one-to-one to another (mapping, or drawn "
      "from the seed), case kept; append_description teaches the target the mapping.",
      R"json({"type":"object","properties":{
        "mapping":{"type":"string","pattern":"^[a-z]{26}$",
          "description":"the images of a..z in order, each letter once; drawn from the seed when omitted"},
        "append_description":{"type":"boolean","default":false,
          "description":"prepend the mapping and instructions to answer in it, with an encoded example"}},
        "additionalProperties":false})json",
      [](const JsonInput& in) -> Result<BijectionParams> {
        auto mapping = in.opt_string("mapping", 26);
        if (!mapping) return fail(mapping.error());
        if (*mapping) {
          std::string sorted = **mapping;
          std::sort(sorted.begin(), sorted.end());
          if (sorted != "abcdefghijklmnopqrstuvwxyz")
            return fail(Error::invalid(in.field("mapping"), boost::json::value(**mapping),
                                       "the 26 letters a-z in lower case, each exactly once"));
        }
        auto d = in.boolean("append_description", false);
        if (!d) return fail(d.error());
        return BijectionParams{mapping->value_or(""), *d};
      },
      biject);
}

}  // namespace redcell
