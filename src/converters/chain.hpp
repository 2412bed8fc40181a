#pragma once
// A converter chain run over one text, with the caps that keep one request from taking the
// server's memory: at most kMaxChainLength steps, and no step's output (or the input)
// larger than kMaxConvertedBytes. The preview route and the engine both run chains here.

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/error.hpp"
#include "converters/converter.hpp"

namespace redcell {

inline constexpr std::size_t kMaxChainLength = 20;
inline constexpr std::size_t kMaxConvertedBytes = 1 << 20;

using ConverterChain = std::vector<std::unique_ptr<Converter>>;

// Each step's output in order when `steps` is given. A failing or oversized step is an
// error naming `field` + "/" + its index ("/converters/3"). Step i draws its randomness from
// seed_for(seed, i).
Result<std::string> run_chain(const ConverterChain& chain, std::string text,
                              const std::string& field, std::uint64_t seed,
                              std::vector<std::string>* steps = nullptr);
// True when a step asks a helper LLM (the chain must then run through run_chain_async).
bool chain_needs_llm(const ConverterChain& chain);
// The same caps and errors; LLM-backed steps ask `llm`, the others run in place.
Task<Result<std::string>> run_chain_async(const ConverterChain& chain, std::string text,
                                          std::string field, LlmClient& llm, std::uint64_t seed,
                                          std::vector<std::string>* steps = nullptr);

}  // namespace redcell
