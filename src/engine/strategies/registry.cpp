#include "engine/attack.hpp"

namespace redcell {

const AttackStrategy* find_strategy(std::string_view type) {
  if (type == "prompt_sending") return &prompt_sending_strategy();
  if (type == "red_teaming") return &red_teaming_strategy();
  if (type == "crescendo") return &crescendo_strategy();
  if (type == "tree_of_attacks") return &tree_of_attacks_strategy();
  return nullptr;
}

}  // namespace redcell
