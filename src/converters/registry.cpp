#include <boost/json.hpp>

#include "converters/converter.hpp"

namespace redcell {

template <>
const Catalog<Converter>& Catalog<Converter>::builtin() {
  static const Catalog<Converter> registry = [] {
    Catalog<Converter> r("converter");
    r.add(base64_converter());
    r.add(rot13_converter());
    r.add(llm_generic_converter());
    r.add(random_capital_letters_converter());
    r.add(base32_converter());
    r.add(ascii85_converter());
    r.add(base2048_converter());
    r.add(ecoji_converter());
    r.add(hex_converter());
    r.add(url_converter());
    r.add(quoted_printable_converter());
    r.add(uuencode_converter());
    r.add(caesar_converter());
    r.add(atbash_converter());
    r.add(binary_converter());
    r.add(char_codes_converter());
    r.add(leetspeak_converter());
    r.add(character_space_converter());
    r.add(string_join_converter());
    r.add(flip_converter());
    r.add(first_letter_converter());
    r.add(suffix_append_converter());
    r.add(search_replace_converter());
    r.add(repeat_token_converter());
    r.add(zero_width_converter());
    r.add(ascii_smuggler_converter());
    r.add(json_string_converter());
    r.add(morse_converter());
    r.add(nato_converter());
    r.add(superscript_converter());
    r.add(diacritic_converter());
    r.add(char_swap_converter());
    r.add(zalgo_converter());
    r.add(vigenere_converter());
    r.add(tatweel_converter());
    r.add(bidi_converter());
    r.add(pig_latin_converter());
    r.add(camelcase_converter());
    r.add(braille_converter());
    r.add(insert_punctuation_converter());
    r.add(sneaky_bits_converter());
    r.add(variation_selector_smuggler_converter());
    r.add(unicode_replacement_converter());
    r.add(unicode_substitution_converter());
    r.add(mime_encoded_word_converter());
    r.add(unicode_confusable_converter());
    r.add(ask_to_decode_converter());
    r.add(negation_trap_converter());
    r.add(math_obfuscation_converter());
    r.add(emoji_converter());
    r.add(letter_bijection_converter());
    r.add(task_framing_converter());
    r.add(ansi_escape_converter());
    r.add(arabic_presentation_forms_converter());
    r.add(text_jailbreak_converter());
    r.add(llm_translation_converter());
    r.add(llm_random_translation_converter());
    r.add(llm_variation_converter());
    r.add(llm_tense_converter());
    r.add(llm_tone_converter());
    r.add(llm_noise_converter());
    r.add(llm_persuasion_converter());
    r.add(llm_malicious_question_converter());
    r.add(llm_math_prompt_converter());
    r.add(llm_scientific_translation_converter());
    r.add(llm_denylist_converter());
    r.add(partial_converter());
    return r;
  }();
  return registry;
}

}  // namespace redcell
