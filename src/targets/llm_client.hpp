#pragma once
// The helper LLM an LLM-backed piece asks (a judge, a converter's rewriter, an attacker): a
// saved target named by id and resolved in the caller's scope, so a user can only ever use
// their own targets. In an execution the request goes through that target's gate and
// retries and is counted apart from the objective target's requests, and every exchange is
// stored as a conversation of its own whose id the piece links from what it produced.

#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "common/task.hpp"
#include "targets/target.hpp"

namespace redcell {

class LlmClient {
 public:
  struct Exchange {
    std::string reply;
    std::string conversation_id;  // the stored exchange ("" where nothing is stored)
  };
  virtual ~LlmClient() = default;
  // `purpose` says what the exchange was for ("judge", "converter"), stored with it.
  virtual Task<Result<Exchange>> ask(const std::string& target_id, std::vector<ChatTurn> messages,
                                     std::string purpose) = 0;
};

}  // namespace redcell
