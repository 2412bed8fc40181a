#pragma once
// A converter transforms attack text (base64, rot13, ...). Converters are pure functions of
// their input, parameters and seed; they never touch the store. One converter per file;
// adding one touches its file, its test and one line of registry.cpp.
//
// Randomness: a converter with random choices overrides convert_seeded and draws them from
// the seed it is given (the engine derives one per work item and step: seed_for below), so
// the same seed gives the same output and an execution replays.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/catalog.hpp"
#include "common/error.hpp"
#include "common/task.hpp"
#include "targets/llm_client.hpp"

namespace redcell {

struct ConverterTraits {
  bool needs_llm = false;  // asks a helper LLM: runs through convert_async only
  std::string_view input_type = "text";
  std::string_view output_type = "text";
  bool random = false;  // draws from its seed: same seed, same output
};

// A seed derived from `seed` and `salt` (a prompt id, a step index): well mixed, and below
// 2^53 so it survives JSON readers that hold numbers as doubles.
std::uint64_t seed_for(std::uint64_t seed, std::string_view salt);
std::uint64_t seed_for(std::uint64_t seed, std::uint64_t salt);

class Converter {
 public:
  virtual ~Converter() = default;
  // A pure conversion, synchronous: chains without an LLM step run only this.
  virtual Result<std::string> convert(std::string_view input) const = 0;
  // What a chain calls; the default is convert() (a deterministic converter ignores the seed).
  virtual Result<std::string> convert_seeded(std::string_view input, std::uint64_t seed) const {
    (void)seed;
    return convert(input);
  }
  // Every LLM-backed converter runs here; the default is convert_seeded().
  virtual Task<Result<std::string>> convert_async(std::string input, LlmClient& llm,
                                                  std::uint64_t seed) const;
  virtual ConverterTraits traits() const { return {}; }
};

using ConverterInfo = CatalogEntry<Converter>;
using ConverterRegistry = Catalog<Converter>;

// Registration functions, one per converter file.
ConverterInfo base64_converter();
ConverterInfo rot13_converter();
ConverterInfo llm_generic_converter();
ConverterInfo random_capital_letters_converter();
ConverterInfo base32_converter();
ConverterInfo ascii85_converter();
ConverterInfo base2048_converter();
ConverterInfo ecoji_converter();
ConverterInfo hex_converter();
ConverterInfo url_converter();
ConverterInfo quoted_printable_converter();
ConverterInfo uuencode_converter();
ConverterInfo caesar_converter();
ConverterInfo atbash_converter();
ConverterInfo binary_converter();
ConverterInfo char_codes_converter();
ConverterInfo leetspeak_converter();
ConverterInfo character_space_converter();
ConverterInfo string_join_converter();
ConverterInfo flip_converter();
ConverterInfo first_letter_converter();
ConverterInfo suffix_append_converter();
ConverterInfo search_replace_converter();
ConverterInfo repeat_token_converter();
ConverterInfo zero_width_converter();
ConverterInfo ascii_smuggler_converter();
ConverterInfo json_string_converter();
ConverterInfo morse_converter();
ConverterInfo nato_converter();
ConverterInfo superscript_converter();
ConverterInfo diacritic_converter();
ConverterInfo char_swap_converter();
ConverterInfo zalgo_converter();
ConverterInfo vigenere_converter();
ConverterInfo tatweel_converter();
ConverterInfo bidi_converter();
ConverterInfo pig_latin_converter();
ConverterInfo camelcase_converter();
ConverterInfo braille_converter();
ConverterInfo insert_punctuation_converter();
ConverterInfo partial_converter();
ConverterInfo sneaky_bits_converter();
ConverterInfo variation_selector_smuggler_converter();
ConverterInfo unicode_replacement_converter();
ConverterInfo unicode_substitution_converter();
ConverterInfo mime_encoded_word_converter();
ConverterInfo unicode_confusable_converter();
ConverterInfo ask_to_decode_converter();
ConverterInfo negation_trap_converter();
ConverterInfo math_obfuscation_converter();
ConverterInfo emoji_converter();
ConverterInfo letter_bijection_converter();
ConverterInfo task_framing_converter();
ConverterInfo ansi_escape_converter();
ConverterInfo arabic_presentation_forms_converter();
ConverterInfo text_jailbreak_converter();
ConverterInfo llm_translation_converter();
ConverterInfo llm_random_translation_converter();
ConverterInfo llm_variation_converter();
ConverterInfo llm_tense_converter();
ConverterInfo llm_tone_converter();
ConverterInfo llm_noise_converter();
ConverterInfo llm_persuasion_converter();
ConverterInfo llm_malicious_question_converter();
ConverterInfo llm_math_prompt_converter();
ConverterInfo llm_scientific_translation_converter();
ConverterInfo llm_denylist_converter();

}  // namespace redcell
