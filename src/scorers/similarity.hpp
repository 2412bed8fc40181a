#pragma once
// Word-level text similarity for the scorers that compare a reply with a reference
// (plagiarism, system-prompt extraction, decoding). Words as PyRIT's plagiarism scorer
// reads them: lower-cased (ASCII), punctuation removed, split at whitespace; bytes of
// non-ASCII characters count as word characters. Words are compared as integers from the
// reference's Vocabulary and n-grams as hashes: no string per word on the scoring path.

#include <algorithm>
#include <array>
#include <boost/container_hash/hash.hpp>
#include <boost/unordered/unordered_flat_map.hpp>
#include <boost/unordered/unordered_flat_set.hpp>
#include <cctype>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace redcell::similarity {

// What a byte is to a word: 0 punctuation (dropped), 1 whitespace (ends a word), or the
// byte a word keeps (ASCII letters lower-cased; digits, _ and bytes of non-ASCII characters
// as they are): isalnum and tolower in the C locale, as one table lookup.
inline constexpr auto kWordByte = [] {
  std::array<unsigned char, 256> t{};
  for (unsigned c = 0; c < 256; ++c) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v')
      t[c] = 1;
    else if (c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')
      t[c] = static_cast<unsigned char>(c);
    else if (c >= 'A' && c <= 'Z')
      t[c] = static_cast<unsigned char>(c + 32);
  }
  return t;
}();

// fn(word) on each word of `s`, lower-cased to its word characters (punctuation inside a
// word is dropped, a word of punctuation alone vanishes): one pass written through a
// pointer into one buffer (measured: normalizing with a push_back per byte, then splitting
// at spaces, was most of a 1 KB reply's cost).
template <class Fn>
void for_each_word(std::string_view s, Fn&& fn) {
  std::string buffer;
  buffer.resize_and_overwrite(s.size(), [&](char* begin, std::size_t) {
    char* at = begin;
    char* word = begin;
    for (char ch : s) {
      const unsigned char b = kWordByte[static_cast<unsigned char>(ch)];
      if (b > 1) {
        *at++ = static_cast<char>(b);
      } else if (b == 1 && at != word) {
        fn(std::string_view(word, static_cast<std::size_t>(at - word)));
        word = at;
      }
    }
    if (at != word) fn(std::string_view(word, static_cast<std::size_t>(at - word)));
    return std::size_t{0};
  });
}

// `s`'s words (as for_each_word reads them) separated by one space.
inline std::string normalized(std::string_view s) {
  std::string out;
  out.resize_and_overwrite(s.size(), [&](char* begin, std::size_t) {
    char* at = begin;
    bool space = false;  // whitespace since the last word byte written
    for (char ch : s) {
      const unsigned char b = kWordByte[static_cast<unsigned char>(ch)];
      if (b > 1) {
        if (space) *at++ = ' ';
        space = false;
        *at++ = static_cast<char>(b);
      } else if (b == 1) {
        space = at != begin;
      }
    }
    return static_cast<std::size_t>(at - begin);
  });
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
    for_each_word(reference, [&](std::string_view w) {
      auto [it, added] = ids_.try_emplace(std::string(w), static_cast<std::uint32_t>(ids_.size()));
      reference_.push_back(it->second);
      longest_ = std::max(longest_, w.size());
    });
  }
  // The reference's words, in order.
  const std::vector<std::uint32_t>& reference() const { return reference_; }
  // `text`'s words, in order.
  std::vector<std::uint32_t> ids(std::string_view text) const {
    std::vector<std::uint32_t> out;
    out.reserve(text.size() / 5 + 1);
    for_each_word(text, [&](std::string_view w) {
      if (w.size() > longest_) {  // no hashing for a word longer than any of the reference's
        out.push_back(kUnknown);
        return;
      }
      auto it = ids_.find(w);
      out.push_back(it == ids_.end() ? kUnknown : it->second);
    });
    return out;
  }

 private:
  // FNV-1a, inline: std::hash's call into libstdc++ was a third of a word's lookup; the
  // flat map mixes the bits it uses.
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const {
      std::uint64_t h = 0xcbf29ce484222325ULL;
      for (char c : s) h = (h ^ static_cast<unsigned char>(c)) * 0x100000001b3ULL;
      return h;
    }
  };
  boost::unordered_flat_map<std::string, std::uint32_t, Hash, std::equal_to<>> ids_;
  std::vector<std::uint32_t> reference_;
  std::size_t longest_ = 0;  // the reference's longest word
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
// Written from integers (units of 1/10000): to_string of a double went through printf, a
// good part of a rule-based scorer's cost.
inline std::string decimal(double v) {
  const auto units = static_cast<unsigned>(std::llround(std::clamp(v, 0.0, 1.0) * 10000));
  std::string s = std::to_string(units / 10000);
  if (unsigned frac = units % 10000; frac != 0) {
    char digits[5] = {'.', static_cast<char>('0' + frac / 1000),
                      static_cast<char>('0' + frac / 100 % 10),
                      static_cast<char>('0' + frac / 10 % 10), static_cast<char>('0' + frac % 10)};
    std::size_t n = 5;
    while (digits[n - 1] == '0') --n;
    s.append(digits, n);
  }
  return s;
}

}  // namespace redcell::similarity
