#pragma once
// Word-level text similarity for the scorers that compare a reply with a reference
// (plagiarism, system-prompt extraction, decoding). Words as PyRIT's plagiarism scorer
// reads them: lower-cased (ASCII), punctuation removed, split at whitespace; bytes of
// non-ASCII characters count as word characters.

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace redcell::similarity {

inline std::vector<std::string> words(std::string_view s) {
  std::vector<std::string> out;
  std::string w;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      if (!w.empty()) out.push_back(std::move(w));
      w.clear();
    } else if (c >= 0x80 || std::isalnum(c) || c == '_') {
      w += static_cast<char>(std::tolower(c));
    }
  }
  if (!w.empty()) out.push_back(std::move(w));
  return out;
}

using Ngrams = std::set<std::vector<std::string>>;
inline Ngrams ngrams(const std::vector<std::string>& w, std::size_t n) {
  Ngrams out;
  if (n == 0 || w.size() < n) return out;
  for (std::size_t i = 0; i + n <= w.size(); ++i)
    out.emplace(w.begin() + static_cast<std::ptrdiff_t>(i),
                w.begin() + static_cast<std::ptrdiff_t>(i + n));
  return out;
}

// The share of `reference`'s n-grams found in `text` (0 when reference has none).
inline double ngram_containment(const Ngrams& reference, const Ngrams& text) {
  if (reference.empty()) return 0;
  std::size_t found = 0;
  for (const auto& g : reference) found += text.count(g);
  return static_cast<double>(found) / static_cast<double>(reference.size());
}

// Longest common subsequence length, in O(|b|) memory.
inline std::size_t lcs(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::size_t> prev(b.size() + 1, 0), cur(b.size() + 1, 0);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = a[i - 1] == b[j - 1] ? prev[j - 1] + 1 : std::max(prev[j], cur[j - 1]);
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// Edit distance in words (insert, delete, substitute each cost 1), in O(|b|) memory.
inline std::size_t levenshtein(const std::vector<std::string>& a,
                               const std::vector<std::string>& b) {
  std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    cur[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] =
          std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// The most word pairs a quadratic comparison may visit: beyond it the scorer refuses
// rather than hold an engine thread for seconds.
inline constexpr std::uint64_t kMaxWordPairs = 50'000'000;

// A score value as stored: a decimal in [0, 1], at most 4 places.
inline std::string decimal(double v) {
  v = std::clamp(v, 0.0, 1.0);
  auto s = std::to_string(static_cast<double>(std::llround(v * 10000)) / 10000);
  while (s.size() > 1 && s.back() == '0') s.pop_back();
  if (!s.empty() && s.back() == '.') s.pop_back();
  return s;
}

}  // namespace redcell::similarity
