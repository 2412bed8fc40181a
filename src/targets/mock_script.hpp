#pragma once
// A scripted mock LLM: rules tried in order against the conversation, the first match
// answering, so tests and demos play a guarded target, an attacker and a judge
// deterministically. Shared by `redcell mock-target --script FILE.yaml` and the in-process
// `mock` target's `script` member.
//
//   rules:
//     - match: "(?i)password"        # RE2, searched in the last user message
//       system: "judge"              # optional, searched in the system prompt
//       min_user_turns: 3            # optional: at least this many user messages
//       reply: "I cannot share $1"   # $0..$9: the match's groups
//   default: "I'm sorry, I can't help with that."   # optional: the rest

#include <boost/json/value.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "targets/target.hpp"

namespace re2 {
class RE2;
}

namespace redcell {

inline constexpr std::size_t kMaxMockRules = 500;

class MockScript {
 public:
  // `v` as {"rules": [...], "default": "..."}; errors name `at` + the member.
  static Result<std::shared_ptr<const MockScript>> parse(const boost::json::value& v,
                                                         const std::string& at);
  // A YAML file of that shape (errors name the file).
  static Result<std::shared_ptr<const MockScript>> load(const std::string& path);
  ~MockScript();

  // The reply to a conversation, or nullopt when no rule matches and there is no default.
  std::optional<std::string> reply(const std::vector<ChatTurn>& messages) const;

  // The normalized form (rules with their defaults), as a target's config stores it.
  boost::json::value to_json() const;

 private:
  struct Rule;
  MockScript() = default;
  std::vector<Rule> rules_;
  std::optional<std::string> default_;
};

// A YAML document as JSON: mappings become objects, sequences arrays, a plain scalar that
// reads as an integer, a number or true/false becomes one (a quoted one stays a string),
// null and ~ become null. Errors carry the line.
Result<boost::json::value> yaml_to_json(const std::string& text, const std::string& source);

}  // namespace redcell
