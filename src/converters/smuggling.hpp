#pragma once
// The params the invisible-text smugglers share: encode (the default) or decode.
#include "converters/text.hpp"

namespace redcell::text {

struct SmugglerAction {
  bool decode = false;
};

inline Result<bool> read_decode(const JsonInput& in) {
  auto action = in.opt_string("action", 16);
  if (!action) return fail(action.error());
  const auto a = action->value_or("encode");
  if (a != "encode" && a != "decode")
    return fail(Error::invalid(in.field("action"), boost::json::value(a), "encode or decode"));
  return a == "decode";
}

// Bytes read back from hidden text, as UTF-8 (a malformed sequence becomes U+FFFD).
inline std::string valid_utf8(const std::string& bytes) {
  return utf8(code_points(bytes));
}

}  // namespace redcell::text
