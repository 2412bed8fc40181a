#pragma once
// A stored target as the runtime target factory (targets/) takes it.

#include "memory/store.hpp"
#include "targets/target.hpp"

namespace redcell {

inline TargetSpec target_spec(const memory::Target& t) {
  return TargetSpec{t.id, t.owner, t.type, t.config, t.secret_ciphertext, t.api_key_env};
}

}  // namespace redcell
