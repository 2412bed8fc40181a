#pragma once
// Params read against their JSON Schema: the schema's properties are the members a piece
// accepts, so the schema the catalog shows and the reader cannot drift apart. Shared by the
// converter and scorer entry helpers (converters/text.hpp, converters/llm_rewrite.hpp,
// scorers/rule.hpp, scorers/llm_judge.hpp).
#include <boost/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "common/json_input.hpp"

namespace redcell {

// The member names `schema` declares in its "properties".
inline std::vector<std::string> schema_members(const boost::json::value& schema) {
  std::vector<std::string> out;
  if (const auto* props = schema.as_object().if_contains("properties"))
    for (const auto& kv : props->as_object()) out.emplace_back(kv.key());
  return out;
}

// The members a schema accepts: check(in) refuses, by name, one it does not declare.
class SchemaMembers {
 public:
  explicit SchemaMembers(const boost::json::value& schema) : members_(schema_members(schema)) {}
  Result<void> check(const JsonInput& in) const {
    const std::vector<std::string_view> allowed(members_.begin(), members_.end());
    return in.only(allowed);
  }

 private:
  std::vector<std::string> members_;
};

}  // namespace redcell
