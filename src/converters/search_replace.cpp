// search_replace: PyRIT's SearchReplaceConverter: every match of `pattern` (an RE2 regular
// expression; with regex false, the literal text) replaced by `replace` (\1..\9 refer to the
// pattern's groups).
#include <re2/re2.h>

#include <optional>

#include "common/encoding.hpp"
#include "converters/chain.hpp"
#include "converters/text.hpp"

namespace redcell {

namespace {

struct SearchReplaceParams {
  std::shared_ptr<const re2::RE2> re;
  std::string replace;
};

Result<SearchReplaceParams> read(const JsonInput& in) {
  auto pattern = in.string("pattern", 10'000);
  if (!pattern) return fail(pattern.error());
  auto replace = in.opt_string("replace", 100'000, true);
  if (!replace) return fail(replace.error());
  auto regex = in.boolean("regex", true);
  if (!regex) return fail(regex.error());
  re2::RE2::Options options;
  options.set_log_errors(false);
  options.set_max_mem(8 << 20);
  SearchReplaceParams p;
  p.re =
      std::make_shared<const re2::RE2>(*regex ? *pattern : re2::RE2::QuoteMeta(*pattern), options);
  if (!p.re->ok())
    return fail(Error::invalid(in.field("pattern"), boost::json::value(*pattern),
                               "an RE2 regular expression (" + p.re->error() + ")"));
  p.replace = replace->value_or("");
  if (!*regex) {  // a literal replacement: its backslashes are not group references
    std::string escaped;
    for (char c : p.replace) {
      if (c == '\\') escaped += '\\';
      escaped += c;
    }
    p.replace = std::move(escaped);
  }
  std::string why;
  if (!p.re->CheckRewriteString(p.replace, &why))
    return fail(Error::invalid(in.field("replace"), boost::json::value(p.replace),
                               "a replacement whose \\N name groups of the pattern (" + why + ")"));
  return p;
}

// Every match replaced, as RE2::GlobalReplace does (an empty match right after a match is
// skipped), but stopping with an error once the output passes `cap`: a pattern that matches
// everywhere with a long replacement must not fill the memory before the chain's check.
Result<std::string> replace_all(std::string_view s, const re2::RE2& re, const std::string& rewrite,
                                std::size_t cap) {
  const int nvec = 1 + re2::RE2::MaxSubmatch(rewrite);
  std::vector<re2::StringPiece> vec(static_cast<std::size_t>(nvec));
  const re2::StringPiece text(s.data(), s.size());
  std::string out;
  std::size_t at = 0;
  std::optional<std::size_t> last_end;
  while (at <= s.size() && re.Match(text, at, s.size(), re2::RE2::UNANCHORED, vec.data(), nvec)) {
    const auto start = static_cast<std::size_t>(vec[0].data() - s.data());
    const auto end = start + vec[0].size();
    if (start == end && last_end == start) {  // empty, right after the last match: skip a char
      if (start >= s.size()) break;
      const std::size_t n = std::max<std::size_t>(1, utf8_sequence_length(s, start));
      out.append(s.substr(at, start + n - at));
      at = start + n;
      continue;
    }
    out.append(s.substr(at, start - at));
    re.Rewrite(&out, rewrite, vec.data(), nvec);
    if (out.size() > cap)
      return fail(Error(ErrorCode::invalid_argument,
                        "search_replace: the result would pass " + std::to_string(cap) +
                            " bytes (a pattern that matches almost everywhere?)"));
    last_end = end;
    if (start == end) {  // an empty match: the next character is kept as it is
      if (start >= s.size()) {
        at = s.size() + 1;
        break;
      }
      const std::size_t n = std::max<std::size_t>(1, utf8_sequence_length(s, start));
      out.append(s.substr(start, n));
      at = start + n;
    } else {
      at = end;
    }
  }
  if (at < s.size()) out.append(s.substr(at));
  return out;
}

}  // namespace

ConverterInfo search_replace_converter() {
  return text::entry<SearchReplaceParams>(
      "search_replace",
      "Replaces every match of `pattern` (RE2; literal text with regex false) by `replace`.",
      R"({"type":"object","required":["pattern"],"properties":{
        "pattern":{"type":"string","minLength":1,"maxLength":10000},
        "replace":{"type":"string","maxLength":100000,"default":"",
          "description":"\\1..\\9: the pattern's groups"},
        "regex":{"type":"boolean","default":true}},
        "additionalProperties":false,
            "examples":[{"pattern":"(?i)password","replace":"pass word"}]})",
      read, [](std::string_view s, const SearchReplaceParams& p) {
        return replace_all(s, *p.re, p.replace, kMaxConvertedBytes);
      });
}

}  // namespace redcell
