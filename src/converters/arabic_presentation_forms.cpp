// arabic_presentation_forms: each Arabic letter written as its compatibility presentation
// form (Arabic Presentation Forms-A and -B, U+FB50..U+FEFF): the isolated, final, initial
// or medial glyph that Unicode decomposes back to the letter. The text looks the same to a
// reader but not to a filter that matches the base letters (NFKC undoes it). The table is
// read from ICU's Unicode data: the single-letter compatibility decompositions of the
// four positional types.
#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <array>
#include <map>

#include "converters/text.hpp"

namespace redcell {

namespace {

enum Form { kIsolated, kFinal, kInitial, kMedial };

using FormTable = std::map<char32_t, std::array<char32_t, 4>>;

const FormTable& forms() {
  static const FormTable table = [] {
    FormTable t;
    UErrorCode status = U_ZERO_ERROR;
    const auto* nfkd = icu::Normalizer2::getNFKDInstance(status);
    if (U_FAILURE(status)) return t;
    const auto add = [&](char32_t first, char32_t last) {
      for (char32_t c = first; c <= last; ++c) {
        const auto type = u_getIntPropertyValue(static_cast<UChar32>(c), UCHAR_DECOMPOSITION_TYPE);
        int form = -1;
        if (type == U_DT_ISOLATED) form = kIsolated;
        if (type == U_DT_FINAL) form = kFinal;
        if (type == U_DT_INITIAL) form = kInitial;
        if (type == U_DT_MEDIAL) form = kMedial;
        icu::UnicodeString base;
        if (form < 0 || !nfkd->getRawDecomposition(static_cast<UChar32>(c), base)) continue;
        if (base.countChar32() != 1) continue;  // ligatures stay out
        auto& slots = t[static_cast<char32_t>(base.char32At(0))];
        if (!slots[static_cast<std::size_t>(form)]) slots[static_cast<std::size_t>(form)] = c;
      }
    };
    add(0xFB50, 0xFDFF);
    add(0xFE70, 0xFEFF);
    return t;
  }();
  return table;
}

struct FormParams {
  Form form = kIsolated;
};

std::string present(std::string_view s, const FormParams& p) {
  const auto& table = forms();
  // Below the table's first letter nothing is shaped (Latin text is passed through at once).
  const char32_t lowest = table.empty() ? 0x110000 : table.begin()->first;
  std::string out;
  out.reserve(s.size() + s.size() / 2);
  text::for_each_code_point(s, [&](char32_t c) {
    auto it = c < lowest ? table.end() : table.find(c);
    if (it == table.end()) {
      text::append_utf8(out, c);
      return;
    }
    const auto& slots = it->second;
    char32_t shaped = slots[static_cast<std::size_t>(p.form)];
    if (!shaped) shaped = slots[kIsolated];
    text::append_utf8(out, shaped ? shaped : c);
  });
  return out;
}

}  // namespace

ConverterInfo arabic_presentation_forms_converter() {
  return text::entry<FormParams>(
      "arabic_presentation_forms",
      "Writes each Arabic letter as its presentation-form glyph (isolated, final, initial or "
      "medial; isolated where the letter lacks the form): the same look, other code points.",
      R"json({"type":"object","properties":{
        "form":{"type":"string","enum":["isolated","final","initial","medial"],"default":"isolated",
          "description":"the positional form every letter takes"}},
        "additionalProperties":false})json",
      [](const JsonInput& in) -> Result<FormParams> {
        auto form = in.opt_string("form", 16);
        if (!form) return fail(form.error());
        const std::string name = form->value_or("isolated");
        constexpr std::string_view kNames[] = {"isolated", "final", "initial", "medial"};
        for (std::size_t i = 0; i < std::size(kNames); ++i)
          if (kNames[i] == name) return FormParams{static_cast<Form>(i)};
        return fail(Error::invalid(in.field("form"), boost::json::value(name),
                                   "one of isolated, final, initial, medial"));
      },
      present);
}

}  // namespace redcell
