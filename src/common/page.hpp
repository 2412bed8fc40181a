#pragma once
// Keyset paging, shared by the Store interface and the API: `?limit=` (default 50, max 500)
// and an opaque `?cursor=` that encodes the sort key of the last item returned.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"

namespace redcell {

inline constexpr std::size_t kDefaultPageLimit = 50;
inline constexpr std::size_t kMaxPageLimit = 500;

// The sort-key values of the last row of a page, e.g. {created_at, id}.
struct Cursor {
  std::vector<std::string> keys;
  bool operator==(const Cursor&) const = default;
};

std::string encode_cursor(const Cursor& cursor);
Result<Cursor> decode_cursor(std::string_view text);

struct PageRequest {
  std::size_t limit = kDefaultPageLimit;
  std::optional<Cursor> after;
};

// From the raw query values; errors name "/query/limit" or "/query/cursor".
Result<PageRequest> parse_page_request(std::optional<std::string_view> limit,
                                       std::optional<std::string_view> cursor);

template <class T>
struct Page {
  std::vector<T> items;
  std::optional<Cursor> next;  // set when more items may follow
};

}  // namespace redcell
