#pragma once
// A conversation given as JSON, [{"role": "system"|"user"|"assistant", "content": "..."}]:
// read by the orchestrator definition (prepended turns) and /scorers/test (earlier turns),
// each turn's errors naming its member.
#include <boost/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "common/json_input.hpp"

namespace redcell {

// (role, content) pairs; `v` sits at `at` and holds at most `max_turns` turns of at most
// `max_content` bytes each.
inline Result<std::vector<std::pair<std::string, std::string>>> read_chat_turns(
    const boost::json::value& v, const std::string& at, std::size_t max_turns,
    std::size_t max_content) {
  std::vector<std::pair<std::string, std::string>> turns;
  if (!v.is_array() || v.as_array().size() > max_turns)
    return fail(Error::invalid(at, v.is_array() ? boost::json::value(v.as_array().size()) : v,
                               "an array of at most " + std::to_string(max_turns) +
                                   " turns {\"role\": \"system\"|\"user\"|\"assistant\", "
                                   "\"content\"}"));
  for (std::size_t i = 0; i < v.as_array().size(); ++i) {
    const std::string turn_at = at + "/" + std::to_string(i);
    auto turn = JsonInput::of(v.as_array()[i], turn_at, "a turn {\"role\", \"content\"}");
    if (!turn) return fail(turn.error());
    if (auto ok = turn->only({"role", "content"}); !ok) return fail(ok.error());
    auto role = turn->string("role", 20);
    if (!role) return fail(role.error());
    if (*role != "system" && *role != "user" && *role != "assistant")
      return fail(Error::invalid(turn_at + "/role", boost::json::value(*role),
                                 "system, user or assistant"));
    auto content = turn->string("content", max_content);
    if (!content) return fail(content.error());
    turns.emplace_back(std::move(*role), std::move(*content));
  }
  return turns;
}

}  // namespace redcell
