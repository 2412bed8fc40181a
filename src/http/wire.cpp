#include "http/wire.hpp"

#include <algorithm>
#include <array>
#include <boost/beast/core/string.hpp>

namespace redcell::http::wire {

void append_field(std::string& out, std::string_view name, std::string_view value) {
  out += name;
  out += ": ";
  auto at = out.size();
  out += value;
  for (auto i = out.find_first_of("\r\n", at); i != std::string::npos;
       i = out.find_first_of("\r\n", i + 1))
    out[i] = ' ';
  out += "\r\n";
}

bool is_token(std::string_view name) {
  if (name.empty()) return false;
  return std::all_of(name.begin(), name.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    return std::string_view("!#$%&'*+-.^_`|~").find(ch) != std::string_view::npos;
  });
}

bool is_field_value(std::string_view value) {
  return std::none_of(value.begin(), value.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return (c < 0x20 && c != '\t') || c == 0x7f;
  });
}

bool is_framing_field(std::string_view name) {
  static constexpr std::array<std::string_view, 4> kFraming = {
      "content-length", "transfer-encoding", "connection", "host"};
  return std::any_of(kFraming.begin(), kFraming.end(),
                     [&](std::string_view f) { return boost::beast::iequals(f, name); });
}

}  // namespace redcell::http::wire
