#pragma once
// A helper LLM for tests that answers from a list, recording what it was asked and of
// which target: the judges' and LLM converters' unit tests script it.
#include <deque>
#include <string>
#include <vector>

#include "targets/llm_client.hpp"

namespace redcell::testing_support {

class ScriptedLlm final : public LlmClient {
 public:
  std::deque<Result<std::string>> answers;
  std::vector<std::vector<ChatTurn>> asked;
  std::vector<std::string> targets;
  Task<Result<Exchange>> ask(const std::string& target, std::vector<ChatTurn> messages,
                             std::string) override {
    asked.push_back(messages);
    targets.push_back(target);
    auto a = answers.front();
    answers.pop_front();
    if (!a) co_return fail(a.error());
    co_return Exchange{*a, "conv-" + std::to_string(asked.size())};
  }
};

}  // namespace redcell::testing_support
