#pragma once
// Word-level text similarity for the scorers that compare a reply with a reference
// (plagiarism, system-prompt extraction, decoding). Words as PyRIT's plagiarism scorer
// reads them: lower-cased (ASCII), punctuation removed, split at whitespace; bytes of
// non-ASCII characters count as word characters. Words are compared as integers from the
// reference's Vocabulary and n-grams as hashes: no string per word on the scoring path.

#include <algorithm>
#include <boost/container_hash/hash.hpp>
#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace redcell::similarity {

// `s` lower-cased to its word characters, its words separated by one space (punctuation
// inside a word is dropped, a word of punctuation alone vanishes).
inline std::string normalized(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool in_word = false, space = false;
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      space = space || in_word;
      in_word = false;
    } else if (c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
               (c >= '0' && c <= '9') || c == '_') {  // isalnum in the C locale, inline
      if (space && !out.empty()) out += ' ';
      space = false;
      in_word = true;
      out += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
  }
  return out;
}

// The words of normalized text, as views into it.
inline std::vector<std::string_view> split(std::string_view normal) {
  std::vector<std::string_view> out;
  for (std::size_t at = 0; at < normal.size();) {
    const auto end = std::min(normal.find(' ', at), normal.size());
    out.push_back(normal.substr(at, end - at));
    at = end + 1;
  }
  return out;
}

// A reply's word the reference does not have: it matches nothing.
inline constexpr std::uint32_t kUnknown = UINT32_MAX;

// A reference's words numbered, so that comparing a reply with it compares integers: the
// reply's words are looked up (kUnknown when absent), never added, so one vocabulary
// serves every reply at once.
class Vocabulary {
 public:
  explicit Vocabulary(std::string_view reference) {
    const auto normal = normalized(reference);
    for (auto w : split(normal)) {
      auto [it, added] = ids_.try_emplace(std::string(w), static_cast<std::uint32_t>(ids_.size()));
      reference_.push_back(it->second);
    }
  }
  // The reference's words, in order.
  const std::vector<std::uint32_t>& reference() const { return reference_; }
  // `text`'s words, in order.
  std::vector<std::uint32_t> ids(std::string_view text) const {
    const auto normal = normalized(text);
    std::vector<std::uint32_t> out;
    out.reserve(normal.size() / 5 + 1);
    for (auto w : split(normal)) {
      auto it = ids_.find(w);
      out.push_back(it == ids_.end() ? kUnknown : it->second);
    }
    return out;
  }

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  boost::unordered_flat_map<std::string, std::uint32_t, Hash, std::equal_to<>> ids_;
  std::vector<std::uint32_t> reference_;
};

// The distinct n-word grams of `ids`, each as a 64-bit hash of its words (two different
// grams share one with odds near 1 in 2^64); grams with an unknown word are left out, as
// they match nothing.
using Ngrams = boost::unordered_flat_set<std::uint64_t>;
inline Ngrams ngrams(const std::vector<std::uint32_t>& ids, std::size_t n) {
  Ngrams out;
  if (n == 0 || ids.size() < n) return out;
  out.reserve(ids.size() - n + 1);
  std::size_t unknown = 0;  // unknown words in the current window
  for (std::size_t i = 0; i < n - 1; ++i) unknown += ids[i] == kUnknown;
  for (std::size_t i = 0; i + n <= ids.size(); ++i) {
    unknown += ids[i + n - 1] == kUnknown;
    if (unknown == 0)
      out.insert(boost::hash_range(ids.begin() + static_cast<std::ptrdiff_t>(i),
                                   ids.begin() + static_cast<std::ptrdiff_t>(i + n)));
    unknown -= ids[i] == kUnknown;
  }
  return out;
}

// The share of `reference`'s n-grams found in `text` (0 when reference has none).
inline double ngram_containment(const Ngrams& reference, const Ngrams& text) {
  if (reference.empty()) return 0;
  std::size_t found = 0;
  for (auto g : reference) found += text.contains(g) ? 1 : 0;
  return static_cast<double>(found) / static_cast<double>(reference.size());
}

// Longest common subsequence length, in O(|b|) memory.
inline std::size_t lcs(const std::vector<std::uint32_t>& a, const std::vector<std::uint32_t>& b) {
  std::vector<std::size_t> prev(b.size() + 1, 0), cur(b.size() + 1, 0);
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j)
      cur[j] = a[i - 1] == b[j - 1] ? prev[j - 1] + 1 : std::max(prev[j], cur[j - 1]);
    std::swap(prev, cur);
  }
  return prev[b.size()];
}

// Edit distance in words (insert, delete, substitute each cost 1), in O(|b|) memory.
inline std::size_t levenshtein(const std::vector<std::uint32_t>& a,
                               const std::vector<std::uint32_t>& b) {
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
