#pragma once
// The catalog of target types. Each type is one file with one registration function: what a
// saved target of that type accepts (validated, pure, when it is saved) and how its runtime
// target is built (when an execution, a probe or a helper uses it). Adding a type touches its
// file, its test and one line of registry.cpp.

#include <boost/json/object.hpp>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/error.hpp"
#include "common/json_input.hpp"
#include "net/endpoint_policy.hpp"
#include "targets/target.hpp"

namespace redcell {

struct TargetType {
  std::string type;
  std::string description;
  // The body members it accepts beyond name, type and limits (api_key and api_key_env
  // included when it takes a key).
  std::vector<std::string> members;
  // Pure: reads its members of `body` into `config` (the limits are already there).
  std::function<Result<void>(const JsonInput& body, const EndpointPolicy& policy,
                             boost::json::object& config)>
      validate;
  // The runtime target of a config `validate` made, with the opened key ("" when none).
  std::function<Result<std::unique_ptr<Target>>(const boost::json::object& config,
                                                std::string api_key, const TargetDeps& deps)>
      build;
  bool takes_api_key() const;
};

class TargetTypes {
 public:
  // Every built-in type (registry.cpp).
  static const TargetTypes& builtin();
  // The catalog `deps` names, or the built-in one.
  static const TargetTypes& of(const TargetDeps& deps) {
    return deps.types ? *deps.types : builtin();
  }
  void add(TargetType type) { types_.push_back(std::move(type)); }
  const TargetType* find(std::string_view type) const;
  const std::vector<TargetType>& types() const { return types_; }
  std::string known() const;  // "openai_chat, anthropic_messages, ..."

 private:
  std::vector<TargetType> types_;
};

// Registration functions, one per type file.
TargetType openai_chat_type();
TargetType anthropic_messages_type();
TargetType http_type();
TargetType mock_type();

}  // namespace redcell
