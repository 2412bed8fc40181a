#include "converters/chain.hpp"

#include <boost/json/value.hpp>

namespace redcell {

Result<std::string> run_chain(const ConverterChain& chain, std::string text,
                              const std::string& field, std::vector<std::string>* steps) {
  if (chain.size() > kMaxChainLength)
    return fail(Error::invalid(field, boost::json::value(chain.size()),
                               "at most " + std::to_string(kMaxChainLength) + " converters"));
  if (text.size() > kMaxConvertedBytes)
    return fail(Error::invalid(
        field, std::nullopt, "a text of at most " + std::to_string(kMaxConvertedBytes) + " bytes",
        "the text to convert has " + std::to_string(text.size()) + " bytes; at most " +
            std::to_string(kMaxConvertedBytes) + " are converted"));
  for (std::size_t i = 0; i < chain.size(); ++i) {
    const std::string at = field + "/" + std::to_string(i);
    auto out = chain[i]->convert(text);
    if (!out) return fail(out.error());
    if (out->size() > kMaxConvertedBytes)
      return fail(Error::invalid(
          at, std::nullopt,
          "a step whose output is at most " + std::to_string(kMaxConvertedBytes) + " bytes",
          at + ": step " + std::to_string(i) + " would produce " + std::to_string(out->size()) +
              " bytes; at most " + std::to_string(kMaxConvertedBytes) +
              " are allowed per step (shorten the text or the chain)"));
    text = std::move(*out);
    if (steps) steps->push_back(text);
  }
  return text;
}

}  // namespace redcell
