#pragma once
// Small text helpers shared by option parsers.

#include <string_view>
#include <vector>

namespace redcell {

// "a, b,,c " -> {"a", "b", "c"}: items split at commas, spaces trimmed, empty ones dropped.
inline std::vector<std::string_view> split_comma_list(std::string_view text) {
  std::vector<std::string_view> out;
  while (true) {
    auto comma = text.find(',');
    auto item = text.substr(0, comma);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string_view::npos) return out;
    text.remove_prefix(comma + 1);
  }
}

}  // namespace redcell
