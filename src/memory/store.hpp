#pragma once
// The central memory: every repository on one database. Callers that need one concern take
// that repository (memory/repositories.hpp); the server holds one Store.

#include "memory/repositories.hpp"

namespace redcell::memory {

class Store : public IdentityRepository,
              public DefinitionRepository,
              public RecordRepository,
              public ResultRepository,
              public WorkQueue,
              public AdminRepository {
 public:
  ~Store() override = default;
};

}  // namespace redcell::memory
