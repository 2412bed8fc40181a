// prompt_injection: true when the text carries a prompt-injection instruction (a request to
// ignore earlier instructions, a role reset, a forged system or chat-template turn, a
// "developer mode", new instructions): for replies that echo an injection onward and for
// documents an attack plants. Static patterns, ours; `kinds` narrows them.
#include "scorers/rule.hpp"

namespace redcell {

namespace {
constexpr rule::Pattern kInjection[] = {
    {"ignore_instructions",
     R"((?i)\b(ignore|disregard|forget|override|bypass)\b[^.\n]{0,40}\b(previous|prior|above|earlier|all|any|your|the)\b[^.\n]{0,20}\b(instructions?|rules|directions|prompts?|guidelines|constraints))"},
    {"role_reset",
     R"((?i)(\byou are now\b|\bfrom now on,? you (are|will)\b|\bact as (an? )?(unrestricted|unfiltered|dan)\b))"},
    {"forged_turn",
     R"((?im)(<\|im_start\|>\s*system|<\|system\|>|\[/?INST\]|<</?SYS>>|^\s*#{2,}\s*(system|instructions?)\s*:?\s*$|^\s*system\s*(prompt)?\s*:))"},
    {"mode_switch", R"((?i)\b(developer|god|jailbreak|dan|unrestricted) mode\b)"},
    {"new_instructions", R"((?i)\b(new|updated|real) (instructions|task|objective)s?\s*:)"},
};
}  // namespace

ScorerInfo prompt_injection_scorer() {
  return rule::pattern_entry(
      "prompt_injection",
      "True when the text carries a prompt-injection instruction: ignore previous instructions, "
      "a role reset, a forged system or chat-template turn, a mode switch, new instructions.",
      "prompt_injection", kInjection, false);
}

}  // namespace redcell
