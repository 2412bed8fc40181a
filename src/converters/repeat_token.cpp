// repeat_token: PyRIT's RepeatTokenConverter: " token" repeated times_to_repeat times, put
// after the prompt's first . ? or ! (split, the default; before the prompt when it has
// none), before it (prepend), after it (append), or instead of it (repeat).
#include "converters/chain.hpp"
#include "converters/text.hpp"

namespace redcell {

namespace {

struct RepeatParams {
  std::string repeated;  // " token" x times
  std::string mode = "split";
};

Result<RepeatParams> read(const JsonInput& in) {
  auto token = in.string("token_to_repeat", 1000);
  if (!token) return fail(token.error());
  auto times = in.opt_int("times_to_repeat", 1, 100'000);
  if (!times) return fail(times.error());
  if (!*times)
    return fail(
        Error::invalid(in.field("times_to_repeat"), nullptr, "an integer from 1 to 100000"));
  auto mode = in.opt_string("token_insert_mode", 16);
  if (!mode) return fail(mode.error());
  RepeatParams p;
  p.mode = mode->value_or("split");
  if (p.mode != "split" && p.mode != "prepend" && p.mode != "append" && p.mode != "repeat")
    return fail(Error::invalid(in.field("token_insert_mode"), boost::json::value(p.mode),
                               "split, prepend, append or repeat"));
  std::string_view t = *token;
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.remove_suffix(1);
  const auto n = static_cast<std::size_t>(**times);
  if ((t.size() + 1) * n > kMaxConvertedBytes)
    return fail(Error::invalid(in.field("times_to_repeat"), boost::json::value(**times),
                               "at most " + std::to_string(kMaxConvertedBytes / (t.size() + 1)) +
                                   " repetitions of this token (" +
                                   std::to_string(kMaxConvertedBytes) + " bytes)"));
  p.repeated.reserve((t.size() + 1) * n);
  for (std::size_t i = 0; i < n; ++i) p.repeated.append(" ").append(t);
  return p;
}

std::string repeat(std::string_view s, const RepeatParams& p) {
  if (p.mode == "repeat") return p.repeated;
  if (p.mode == "append") return std::string(s) + p.repeated;
  std::size_t split = 0;  // prepend
  if (p.mode == "split") {
    const auto at = s.find_first_of(".?!");
    if (at != std::string_view::npos) split = at + 1;
  }
  std::string out(s.substr(0, split));
  out += p.repeated;
  out += s.substr(split);
  return out;
}

}  // namespace

ConverterInfo repeat_token_converter() {
  return text::entry<RepeatParams>(
      "repeat_token",
      "Repeats \" token\" times_to_repeat times: after the first sentence (split), before or "
      "after the prompt, or instead of it (repeat).",
      R"({"type":"object","required":["token_to_repeat","times_to_repeat"],"properties":{
        "token_to_repeat":{"type":"string","minLength":1,"maxLength":1000},
        "times_to_repeat":{"type":"integer","minimum":1,"maximum":100000},
        "token_insert_mode":{"type":"string","enum":["split","prepend","append","repeat"],
          "default":"split"}},
        "additionalProperties":false,
            "examples":[{"token_to_repeat":"company","times_to_repeat":50}]})",
      read, repeat);
}

}  // namespace redcell
