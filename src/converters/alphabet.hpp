#pragma once
// An encoding's alphabet written as inclusive code-point ranges in order (as published
// standards give it), expanded once into a table indexed by value.
#include <array>
#include <cstddef>

namespace redcell::text {

struct Range {
  char32_t first, last;
};

// How many code points the ranges hold (the files check it against their alphabet's size).
template <std::size_t R>
constexpr std::size_t size_of(const Range (&ranges)[R]) {
  std::size_t n = 0;
  for (const auto& r : ranges) n += static_cast<std::size_t>(r.last - r.first) + 1;
  return n;
}

template <std::size_t N, std::size_t R>
std::array<char32_t, N> expand(const Range (&ranges)[R]) {
  std::array<char32_t, N> t{};
  std::size_t at = 0;
  for (const auto& r : ranges)
    for (char32_t c = r.first; c <= r.last && at < N; ++c) t[at++] = c;
  return t;
}

}  // namespace redcell::text
