#include "targets/target_type.hpp"

namespace redcell {

bool TargetType::takes_api_key() const {
  for (const auto& m : members)
    if (m == "api_key") return true;
  return false;
}

const TargetTypes& TargetTypes::builtin() {
  static const TargetTypes types = [] {
    TargetTypes t;
    t.add(openai_chat_type());
    t.add(anthropic_messages_type());
    t.add(http_type());
    t.add(mock_type());
    return t;
  }();
  return types;
}

const TargetType* TargetTypes::find(std::string_view type) const {
  for (const auto& t : types_)
    if (t.type == type) return &t;
  return nullptr;
}

std::string TargetTypes::known() const {
  std::string out;
  for (const auto& t : types_) out += (out.empty() ? "" : ", ") + t.type;
  return out;
}

}  // namespace redcell
