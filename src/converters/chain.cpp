#include "converters/chain.hpp"

#include <boost/json/value.hpp>

namespace redcell {

namespace {

Result<void> check_input(const ConverterChain& chain, const std::string& text,
                         const std::string& field) {
  if (chain.size() > kMaxChainLength)
    return fail(Error::invalid(field, boost::json::value(chain.size()),
                               "at most " + std::to_string(kMaxChainLength) + " converters"));
  if (text.size() > kMaxConvertedBytes)
    return fail(Error::invalid(
        field, std::nullopt, "a text of at most " + std::to_string(kMaxConvertedBytes) + " bytes",
        "the text to convert has " + std::to_string(text.size()) + " bytes; at most " +
            std::to_string(kMaxConvertedBytes) + " are converted"));
  return {};
}

Result<void> check_step(std::size_t i, const std::string& out, const std::string& field) {
  if (out.size() <= kMaxConvertedBytes) return {};
  const std::string at = field + "/" + std::to_string(i);
  return fail(Error::invalid(
      at, std::nullopt,
      "a step whose output is at most " + std::to_string(kMaxConvertedBytes) + " bytes",
      at + ": step " + std::to_string(i) + " would produce " + std::to_string(out.size()) +
          " bytes; at most " + std::to_string(kMaxConvertedBytes) +
          " are allowed per step (shorten the text or the chain)"));
}

}  // namespace

std::uint64_t seed_for(std::uint64_t seed, std::uint64_t salt) {
  // splitmix64's finalizer over the pair.
  std::uint64_t z = seed + 0x9E3779B97F4A7C15ULL * (salt + 1);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  return (z ^ (z >> 31)) & ((1ULL << 53) - 1);
}

std::uint64_t seed_for(std::uint64_t seed, std::string_view salt) {
  std::uint64_t h = 0xCBF29CE484222325ULL;  // FNV-1a
  for (unsigned char c : salt) h = (h ^ c) * 0x100000001B3ULL;
  return seed_for(seed, h);
}

Result<std::string> run_chain(const ConverterChain& chain, std::string text,
                              const std::string& field, std::uint64_t seed,
                              std::vector<std::string>* steps) {
  if (auto ok = check_input(chain, text, field); !ok) return fail(ok.error());
  for (std::size_t i = 0; i < chain.size(); ++i) {
    auto out = chain[i]->convert_seeded(text, seed_for(seed, std::uint64_t{i}));
    if (!out) return fail(out.error());
    if (auto ok = check_step(i, *out, field); !ok) return fail(ok.error());
    text = std::move(*out);
    if (steps) steps->push_back(text);
  }
  return text;
}

bool chain_needs_llm(const ConverterChain& chain) {
  for (const auto& c : chain)
    if (c->traits().needs_llm) return true;
  return false;
}

Task<Result<std::string>> run_chain_async(const ConverterChain& chain, std::string text,
                                          std::string field, LlmClient& llm, std::uint64_t seed,
                                          std::vector<std::string>* steps) {
  if (auto ok = check_input(chain, text, field); !ok) co_return fail(ok.error());
  for (std::size_t i = 0; i < chain.size(); ++i) {
    Result<std::string> out;
    if (chain[i]->traits().needs_llm) {
      std::string input = text;  // named, moved: see engine/async.hpp
      out =
          co_await chain[i]->convert_async(std::move(input), llm, seed_for(seed, std::uint64_t{i}));
    } else {
      out = chain[i]->convert_seeded(text, seed_for(seed, std::uint64_t{i}));
    }
    if (!out) co_return fail(out.error());
    if (auto ok = check_step(i, *out, field); !ok) co_return fail(ok.error());
    text = std::move(*out);
    if (steps) steps->push_back(text);
  }
  co_return text;
}

Task<Result<std::string>> Converter::convert_async(std::string input, LlmClient&,
                                                   std::uint64_t seed) const {
  co_return convert_seeded(input, seed);
}

}  // namespace redcell
