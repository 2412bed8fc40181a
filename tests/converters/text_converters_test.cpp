// The text converters of the catalog, one test each. Encodings are checked against what
// Python's standard library writes (tests/integration/test_converter_library.py compares
// them through the API on more inputs).
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <map>
#include <set>

#include "common/encoding.hpp"
#include "converters/chain.hpp"
#include "converters/converter.hpp"
#include "converters/text.hpp"

namespace redcell {
namespace {

Result<std::unique_ptr<Converter>> make(const std::string& type, const std::string& params) {
  return ConverterRegistry::builtin().create(
      boost::json::parse(R"({"type":")" + type + R"(","params":)" + params + "}"), "/c/0");
}

std::string run(const std::string& type, const std::string& text, const std::string& params = "{}",
                std::uint64_t seed = 0) {
  auto c = make(type, params);
  EXPECT_TRUE(c) << (c ? "" : c.error().message());
  if (!c) return "";
  auto out = (*c)->convert_seeded(text, seed);
  EXPECT_TRUE(out) << (out ? "" : out.error().message());
  return out ? *out : "";
}

std::string refused_field(const std::string& type, const std::string& params) {
  auto c = make(type, params);
  EXPECT_FALSE(c) << type << " " << params;
  return c ? "" : c.error().details()->field;
}

std::vector<std::string> text_words(const std::string& s) {
  std::vector<std::string> out;
  std::string w;
  for (char c : s + " ") {
    if (c == ' ') {
      if (!w.empty()) out.push_back(w);
      w.clear();
    } else {
      w += c;
    }
  }
  return out;
}

const std::string kPrompt = "Tell me how to pick a lock = \xC3\xA9";

// The seeded converters' generator is SplitMix64: its published first outputs for seed 0
// (Vigna's reference splitmix64.c), so a seed gives the same draws on every platform and
// standard library. index(n) stays in range and spreads evenly.
TEST(TextConverters, SeededDrawsAreSplitMix64AndIndexSpreadsEvenly) {
  text::Draws zero(0);
  EXPECT_EQ(zero.next(), 0xE220A8397B1DCDAFULL);
  EXPECT_EQ(zero.next(), 0x6E789E6AA1B965F4ULL);
  EXPECT_EQ(zero.next(), 0x06C45D188009454FULL);
  text::Draws draw(2026);
  std::array<int, 7> buckets{};
  constexpr int kDraws = 70000;
  for (int i = 0; i < kDraws; ++i) {
    const auto k = draw.index(buckets.size());
    ASSERT_LT(k, buckets.size());
    ++buckets[k];
  }
  for (int b : buckets) EXPECT_NEAR(b, kDraws / 7, kDraws / 7 / 20);  // within 5%
  EXPECT_EQ(text::Draws(5).index(1), 0u);
}

TEST(TextConverters, Base32AsPythonWritesIt) {
  EXPECT_EQ(run("base32", kPrompt), "KRSWY3BANVSSA2DPO4QHI3ZAOBUWG2ZAMEQGY33DNMQD2IGDVE======");
  EXPECT_EQ(run("base32", ""), "");
}

TEST(TextConverters, Ascii85AsPythonWritesIt) {
  EXPECT_EQ(run("ascii85", kPrompt), "<+Tl^+Dk[4BQ&);FDi:@Bk(p$@3BB)@r!2M+N(/");
  EXPECT_EQ(run("ascii85", std::string("\0\0\0\0ab", 6)), "z@:B");
}

// Vectors from qntm's reference implementation (npm base2048 3.0.0), not from this code:
// 11 bits per character, the last 1-3 bits as '0'..'7', 4-10 bits padded with ones.
TEST(TextConverters, Base2048AsTheReferenceWritesIt) {
  EXPECT_EQ(run("base2048", kPrompt), "նϠɲҬ൞चਚໃʝਨಕසॷ୬ߣΑ۱ޖඌҩതڀઐ");
  EXPECT_EQ(run("base2048", "a"), "ځ");
  EXPECT_EQ(run("base2048", "ab"), "ٽə");
  EXPECT_EQ(run("base2048", "abc"), "ٽȤ7");
  EXPECT_EQ(run("base2048", "abcd"), "ٽȤൺ");
  EXPECT_EQ(run("base2048", "hello world"), "ڵϠɲණæஊಢࢷ");
  EXPECT_EQ(run("base2048", ""), "");
  // Every byte value once: 256 bytes reach most of the repertoire's ranges.
  std::string all;
  for (int i = 0; i < 256; ++i) all.push_back(static_cast<char>(i));
  EXPECT_EQ(run("base2048", all),
            "8đߝđՌaʛʤƋٱӄʋGࡥԪࠁɊஜwеଣƩށญʣƿಝԚڅॠਸәϦڽࢰٱȥɦചઆюమԽݱౠ৵ဣĦҸɫǁࢷݢΖςھԳݑഴਢΚણսಭמಬॼச൛Аߣϧڍ"
            "ͳ"
            "ר"
            "ഈ"
            "ࡊ"
            "୩૪आܔޚɼดяѱൿໄމലනဒฬడuՌࠐϦਜƿওӨХଣकࠐڗβԒರهȥঢචδҏဋՏࢦݢ੫о๖խધ൞୶൛ଚअૠڽخرคя௨ผܞߓƓ෧ƭওಉҘЧॲ௱کѵဋഢ"
            "ॺ"
            "ན"
            "ર"
            "۹"
            "ຜڭخඟໃஏమʋݍस௱ฬԂޓ൮ഈཧఝʋ༱ৼґຮߓޥທߓဿཬ7");
}

// Vectors from the Ecoji standard (docs/encoding.md, its sorting example) and ecoji-py's
// README ("hello"): one to five bytes per group, the padding emojis included.
TEST(TextConverters, EcojiAsTheStandardWritesIt) {
  EXPECT_EQ(run("ecoji", "a"), "👕☕☕☕");
  EXPECT_EQ(run("ecoji", "ab"), "👖📲☕☕");
  EXPECT_EQ(run("ecoji", "abc"), "👖📸🎈☕");
  EXPECT_EQ(run("ecoji", "abcd"), "👖📸🎦⚜");
  EXPECT_EQ(run("ecoji", "ac"), "👖🔃☕☕");
  EXPECT_EQ(run("ecoji", "b"), "👙☕☕☕");
  EXPECT_EQ(run("ecoji", "ba"), "👚📢☕☕");
  EXPECT_EQ(run("ecoji", "hello"), "👲🔩🚗🌷");
  EXPECT_EQ(run("ecoji", ""), "");
  // Two groups: the second is encoded on its own.
  EXPECT_EQ(run("ecoji", "helloa"), "👲🔩🚗🌷👕☕☕☕");
}

TEST(TextConverters, HexIsUpperCaseUtf8) {
  EXPECT_EQ(run("hex", kPrompt), "54656C6C206D6520686F7720746F207069636B2061206C6F636B203D20C3A9");
}

TEST(TextConverters, UrlKeepsUnreservedCharactersAndSlash) {
  EXPECT_EQ(run("url", kPrompt), "Tell%20me%20how%20to%20pick%20a%20lock%20%3D%20%C3%A9");
  EXPECT_EQ(run("url", "a/b?c"), "a/b%3Fc");
}

TEST(TextConverters, QuotedPrintableJoinsWordsWithEncodedSpaces) {
  EXPECT_EQ(run("quoted_printable", kPrompt),
            "Tell=20me=20how=20to=20pick=20a=20lock=20=3D=20=C3=A9");
}

TEST(TextConverters, UuencodeWrites45BytesALine) {
  const std::string long_text(100, 'x');
  const auto out = run("uuencode", long_text);
  EXPECT_EQ(out.substr(0, out.find('\n')),
            "M>'AX>'AX>'AX>'AX>'AX>'AX>'AX>'AX>'AX>'AX>'AX>'AX>'AX>'AX>'AX");
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 2);
}

TEST(TextConverters, CaesarShiftsLettersAndSmallOffsetsShiftDigits) {
  EXPECT_EQ(run("caesar", "Hello 123 xyz", R"({"caesar_offset":1})"), "Ifmmp 234 yza");
  EXPECT_EQ(run("caesar", "Hello 123", R"({"caesar_offset":-3})"), "Ebiil 890");
  EXPECT_EQ(run("caesar", "abc 123", R"({"caesar_offset":12})"), "mno 123");
  EXPECT_EQ(refused_field("caesar", "{}"), "/c/0/params/caesar_offset");
  EXPECT_EQ(refused_field("caesar", R"({"caesar_offset":26})"), "/c/0/params/caesar_offset");
}

TEST(TextConverters, DescribedCiphersExplainThemselvesAndKeepTheMessageEncoded) {
  const auto out = run("caesar", "attack", R"({"caesar_offset":3,"append_description":true})");
  EXPECT_NE(out.find("Caesar"), std::string::npos);
  EXPECT_NE(out.find("dwwdfn"), std::string::npos);
  EXPECT_EQ(out.find("attack"), std::string::npos);
  EXPECT_NE(run("atbash", "x", R"({"append_description":true})").find("Atbash"), std::string::npos);
  EXPECT_NE(run("morse", "x", R"({"append_description":true})").find("-..-"), std::string::npos);
}

TEST(TextConverters, AtbashMirrorsLettersAndDigits) {
  EXPECT_EQ(run("atbash", "Hello 123"), "Svool 876");
  EXPECT_EQ(run("atbash", run("atbash", "Round trip 42")), "Round trip 42");
}

TEST(TextConverters, BinaryWritesCodePointsAtTheChosenWidth) {
  EXPECT_EQ(run("binary", "Hi"), "0000000001001000 0000000001101001");
  EXPECT_EQ(run("binary", "Hi", R"({"bits_per_char":8})"), "01001000 01101001");
  auto c = make("binary", R"({"bits_per_char":8})");
  ASSERT_TRUE(c);
  auto too_wide = (*c)->convert("\xC3\xA9\xE2\x82\xAC");  // é fits 8 bits, € does not
  ASSERT_FALSE(too_wide);
  EXPECT_NE(too_wide.error().message().find("U+20AC"), std::string::npos);
  EXPECT_EQ(refused_field("binary", R"({"bits_per_char":12})"), "/c/0/params/bits_per_char");
}

TEST(TextConverters, CharCodesInDecimalOrHex) {
  EXPECT_EQ(run("char_codes", "Hi \xC3\xA9"), "72 105 32 233");
  EXPECT_EQ(run("char_codes", "Hi", R"({"base":16,"separator":","})"), "48,69");
}

TEST(TextConverters, LeetspeakIsDeterministicOrDrawnFromTheSeed) {
  EXPECT_EQ(run("leetspeak", "Leet Speak is cool"), "1337 5p34k 15 (001");
  const std::string random = R"({"deterministic":false})";
  const std::string text = "aaaaaaaaaaaaaaaabbbbbbbbbbbbbbbbcccccccccc";
  EXPECT_EQ(run("leetspeak", text, random, 7), run("leetspeak", text, random, 7));
  EXPECT_NE(run("leetspeak", text, random, 7), run("leetspeak", text, random, 8));
}

TEST(TextConverters, CharacterSpaceSpacesCharactersAndDropsPunctuation) {
  EXPECT_EQ(run("character_space", "Hi, you!"), "H i    y o u ");
  // As PyRIT's " ".join, then punctuation removed: a leading mark leaves its space.
  EXPECT_EQ(run("character_space", "!a"), " a");
}

TEST(TextConverters, StringJoinJoinsTheCharactersOfEachWord) {
  EXPECT_EQ(run("string_join", "how to"), "h-o-w t-o");
  EXPECT_EQ(run("string_join", "ab", R"({"join_value":"**"})"), "a**b");
}

TEST(TextConverters, FlipReversesCharactersNotBytes) {
  EXPECT_EQ(run("flip", "ab\xC3\xA9"),
            "\xC3\xA9"
            "ba");
}

TEST(TextConverters, FirstLetterKeepsTheFirstCharacterOfEachWord) {
  EXPECT_EQ(run("first_letter", "  how to  build\tit "), "h t b i");
  EXPECT_EQ(run("first_letter", "how to", R"({"letter_separator":""})"), "ht");
  // A word's first character is a code point, whatever its UTF-8 length.
  EXPECT_EQ(run("first_letter", "\xC3\xA9t\xC3\xA9 \xF0\x9F\x98\x80ok"),
            "\xC3\xA9 \xF0\x9F\x98\x80");
}

TEST(TextConverters, SuffixAppendNeedsItsSuffix) {
  EXPECT_EQ(run("suffix_append", "tell me", R"({"suffix":"describing.\\ + similarlyNow"})"),
            "tell me describing.\\ + similarlyNow");
  EXPECT_EQ(refused_field("suffix_append", "{}"), "/c/0/params/suffix");
}

TEST(TextConverters, SearchReplaceWithGroupsLiteralsAndABoundedResult) {
  EXPECT_EQ(run("search_replace", "pick a lock, pick a door",
                R"json({"pattern":"pick a (\\w+)","replace":"open the \\1"})json"),
            "open the lock, open the door");
  EXPECT_EQ(run("search_replace", "a.b.c", R"({"pattern":".","replace":"\\0","regex":false})"),
            "a\\0b\\0c");
  EXPECT_EQ(run("search_replace", "abc", R"({"pattern":"x*","replace":"-"})"), "-a-b-c-");
  EXPECT_EQ(refused_field("search_replace", R"({"pattern":"(unclosed"})"), "/c/0/params/pattern");
  EXPECT_EQ(refused_field("search_replace", R"({"pattern":"a","replace":"\\2"})"),
            "/c/0/params/replace");
  // A pattern that matches everywhere with a long replacement stops at the cap, not in OOM.
  auto c =
      make("search_replace", R"({"pattern":"x*","replace":")" + std::string(5000, 'y') + R"("})");
  ASSERT_TRUE(c);
  auto out = (*c)->convert(std::string(1000, 'a'));
  ASSERT_FALSE(out);
  EXPECT_NE(out.error().message().find("search_replace"), std::string::npos);
}

TEST(TextConverters, RepeatTokenInsertsWherePyritDoes) {
  const std::string t = R"({"token_to_repeat":" poem ","times_to_repeat":3)";
  EXPECT_EQ(run("repeat_token", "Hi. Tell me", t + "}"), "Hi. poem poem poem Tell me");
  EXPECT_EQ(run("repeat_token", "no stop", t + "}"), " poem poem poemno stop");
  EXPECT_EQ(run("repeat_token", "x", t + R"(,"token_insert_mode":"append"})"), "x poem poem poem");
  EXPECT_EQ(run("repeat_token", "x", t + R"(,"token_insert_mode":"repeat"})"), " poem poem poem");
  EXPECT_EQ(
      refused_field("repeat_token", R"({"token_to_repeat":"long-token","times_to_repeat":100000})"),
      "/c/0/params/times_to_repeat");
  EXPECT_EQ(refused_field("repeat_token", t + R"(,"token_insert_mode":"middle"})"),
            "/c/0/params/token_insert_mode");
}

TEST(TextConverters, ZeroWidthSpacesBetweenCharacters) {
  EXPECT_EQ(run("zero_width", "ab\xC3\xA9"),
            "a\xE2\x80\x8B"
            "b\xE2\x80\x8B\xC3\xA9");
}

TEST(TextConverters, AsciiSmugglerHidesAsciiInTagsAndReadsItBack) {
  const auto hidden = run("ascii_smuggler", "Hi \xC3\xA9");  // é has no tag: dropped
  EXPECT_EQ(hidden, "\xF3\xA0\x81\x88\xF3\xA0\x81\xA9\xF3\xA0\x80\xA0");
  EXPECT_EQ(run("ascii_smuggler", hidden, R"({"action":"decode"})"), "Hi ");
  const auto tagged = run("ascii_smuggler", "A", R"({"unicode_tags":true})");
  EXPECT_EQ(tagged, "\xF3\xA0\x80\x81\xF3\xA0\x81\x81\xF3\xA0\x81\xBF");
}

TEST(TextConverters, JsonStringEscapesWithoutQuotes) {
  EXPECT_EQ(run("json_string", "say \"hi\"\n\\"), "say \\\"hi\\\"\\n\\\\");
}

TEST(TextConverters, MorseSeparatesLettersAndWords) {
  EXPECT_EQ(run("morse", "SOS hi"), "... --- ... / .... ..");
  EXPECT_EQ(run("morse", "a#"), ".- ........");
}

TEST(TextConverters, NatoSpellsLettersAndDigits) {
  EXPECT_EQ(run("nato", "Hi 2!"), "Hotel India / Two !");
}

TEST(TextConverters, SuperscriptUsesModifierLetters) {
  EXPECT_EQ(run("superscript", "tell 42 Q"), "ᵗᵉˡˡ ⁴² q");
}

TEST(TextConverters, DiacriticComposesAccentsWithIcu) {
  EXPECT_EQ(run("diacritic", "attack"),
            "\xC3\xA1tt\xC3\xA1"
            "ck");  // áttáck, composed
  EXPECT_EQ(run("diacritic", "no", R"({"target_chars":"n","accent":"tilde"})"), "\xC3\xB1o");
  EXPECT_EQ(refused_field("diacritic", R"({"accent":"circumflex"})"), "/c/0/params/accent");
  // ASCII text takes the precomposed letters; other text is normalised whole (NFC), which
  // also composes what arrived decomposed. Both paths agree on the letters they share.
  EXPECT_EQ(run("diacritic", "a e\xC3\xA9"), "\xC3\xA1 \xC3\xA9\xC3\xA9");
  EXPECT_EQ(run("diacritic", "e\xCC\x81x"), "\xC3\xA9\xCC\x81x");  // é then the added acute
  EXPECT_EQ(run("diacritic", "x", R"({"target_chars":"x"})"), "x\xCC\x81");  // none precomposed
}

TEST(TextConverters, CharSwapSwapsWithinLongWordsFromTheSeed) {
  const std::string all = R"({"proportion":1})";
  const std::string text = "password reset for the administrator account";
  const auto out = run("char_swap", text, all, 3);
  EXPECT_EQ(out, run("char_swap", text, all, 3));
  EXPECT_NE(out, text);
  EXPECT_TRUE(std::is_permutation(out.begin(), out.end(), text.begin()));
  EXPECT_EQ(out.substr(out.find(" for the "), 9), " for the ");  // short words untouched
  EXPECT_EQ(run("char_swap", text, R"({"proportion":0})", 3), text);
  // Non-ASCII text swaps whole characters, never bytes of one.
  const std::string accented = "caf\xC3\xA9s r\xC3\xA9serv\xC3\xA9s";
  const auto swapped = run("char_swap", accented, all, 3);
  EXPECT_NE(swapped, accented);
  std::u32string a, b;
  for (char32_t c : text::code_points(swapped)) a += c;
  for (char32_t c : text::code_points(accented)) b += c;
  EXPECT_TRUE(std::is_permutation(a.begin(), a.end(), b.begin(), b.end()));
  EXPECT_EQ(a.find(U'\uFFFD'), std::u32string::npos);
}

TEST(TextConverters, ZalgoStacksMarksFromTheSeed) {
  const auto a = run("zalgo", "hi!", R"({"intensity":3})", 5);
  EXPECT_EQ(a, run("zalgo", "hi!", R"({"intensity":3})", 5));
  EXPECT_NE(a, run("zalgo", "hi!", R"({"intensity":3})", 6));
  EXPECT_EQ(a.back(), '!');
  EXPECT_GT(a.size(), 3u + 2u * 2u);  // at least one two-byte mark on each letter
  EXPECT_EQ(run("zalgo", "hi", R"({"intensity":0})"), "hi");
  // Every letter and digit gets 1 to intensity marks, each in U+0300-U+036F, the other
  // characters none: at the smallest, the schema's default and its largest intensity.
  for (int intensity : {1, 10, 100}) {
    const auto params = R"({"intensity":)" + std::to_string(intensity) + "}";
    const auto out = run("zalgo", "a1 -\xC3\xA9z", params, 11);
    std::vector<int> marks;  // after each base character
    for (char32_t c : text::code_points(out)) {
      if (c >= 0x300 && c <= 0x36F) {
        ASSERT_FALSE(marks.empty());
        ++marks.back();
      } else {
        marks.push_back(0);
      }
    }
    ASSERT_EQ(marks.size(), 6u) << intensity;  // a 1 space - é z
    for (std::size_t i : {0u, 1u, 5u}) {
      EXPECT_GE(marks[i], 1) << intensity;
      EXPECT_LE(marks[i], intensity) << intensity;
    }
    for (std::size_t i : {2u, 3u, 4u}) EXPECT_EQ(marks[i], 0) << intensity;
  }
}

TEST(TextConverters, PointerWrittenConvertersTakeEmptyAndNonAsciiText) {
  // The converters that write through a pointer into a buffer sized for their most output:
  // empty text, and text of four-byte characters only (each their largest case per byte).
  for (const char* type :
       {"hex", "binary", "morse", "nato", "superscript", "character_space", "unicode_substitution",
        "braille", "emoji", "char_codes", "math_obfuscation", "zalgo", "pig_latin",
        "insert_punctuation", "unicode_replacement", "ascii_smuggler",
        "variation_selector_smuggler"}) {
    SCOPED_TRACE(type);
    const std::string params = std::string(type) == "binary" ? R"({"bits_per_char":32})" : "{}";
    run(type, "", params);  // run() fails the test on an error; ASan on a write past the end
    const auto out = run(type, "\xF0\x9F\x98\x8A\xF0\x9F\x98\x8A a", params, 3);
    EXPECT_TRUE(is_valid_utf8(out));
  }
}

TEST(TextConverters, VigenereAsTheClassicExample) {
  EXPECT_EQ(run("vigenere", "Attack at dawn!", R"({"key":"LEMON"})"), "Lxfopv ef rnhr!");
  EXPECT_EQ(refused_field("vigenere", R"({"key":"l3mon"})"), "/c/0/params/key");
}

TEST(TextConverters, TatweelStretchesOnlyArabicWords) {
  EXPECT_EQ(run("tatweel", "\xD8\xB3\xD9\x84\xD8\xA7\xD9\x85 ok"),
            "\xD8\xB3\xD9\x80\xD9\x84\xD9\x80\xD8\xA7\xD9\x80\xD9\x85 ok");
}

TEST(TextConverters, BidiStoresReversedInsideAnOverride) {
  EXPECT_EQ(run("bidi", "abc"),
            "\xE2\x80\xAE"
            "cba\xE2\x80\xAC");
}

TEST(TextConverters, PigLatinKeepsCapitalsAndPunctuation) {
  EXPECT_EQ(run("pig_latin", "Secret plans, ok? 42"), "Ecretsay ansplay, okway? 42");
}

TEST(TextConverters, CamelcaseRunsWordsTogether) {
  EXPECT_EQ(run("camelcase", "How to  PICK a lock"), "howToPickALock");
}

TEST(TextConverters, BrailleWithCapitalAndNumberSigns) {
  EXPECT_EQ(run("braille", "Hi 12 wxyz."), "⠠⠓⠊⠀⠼⠁⠃⠀⠺⠭⠽⠵⠲");
}

TEST(TextConverters, InsertPunctuationBetweenOrInsideWords) {
  const auto between = run("insert_punctuation", "open the door", R"({"word_swap_ratio":1})", 9);
  EXPECT_EQ(text_words(between).size(), 6u);
  EXPECT_EQ(between, run("insert_punctuation", "open the door", R"({"word_swap_ratio":1})", 9));
  const auto inside = run("insert_punctuation", "open the door",
                          R"({"word_swap_ratio":1,"between_words":false})", 9);
  EXPECT_EQ(text_words(inside).size(), 3u);
  EXPECT_EQ(inside.size(), std::string("open the door").size() + 3);
}

TEST(PartialConversion, SelectsWordsByIndexRegexKeywordOrSeededShare) {
  const std::string text = "tell me how to pick a lock";
  const std::string rot = R"("converter":{"type":"rot13"})";
  EXPECT_EQ(run("partial", text, "{" + rot + R"(,"words":{"indexes":[0,5,99]}})"),
            "gryy me how to pick n lock");
  EXPECT_EQ(run("partial", text, "{" + rot + R"(,"words":{"regex":"^p|k$"}})"),
            "tell me how to cvpx a ybpx");
  EXPECT_EQ(run("partial", text, "{" + rot + R"(,"words":{"keywords":["lock","how"]}})"),
            "tell me ubj to pick a ybpx");
  const std::string half = "{" + rot + R"(,"words":{"share":0.5}})";
  const auto a = run("partial", text, half, 11);
  EXPECT_EQ(a, run("partial", text, half, 11));
  int changed = 0;
  for (std::size_t i = 0; i < 7; ++i) changed += text_words(a)[i] != text_words(text)[i];
  EXPECT_EQ(changed, 4);  // round(7 * 0.5), none of them a one-letter word left as is
}

TEST(PartialConversion, ConvertsBetweenMarkersAndDropsThem) {
  EXPECT_EQ(run("partial", "say [[secret]] and [[code]] now [[open",
                R"({"converter":{"type":"base64"},"between":{"start":"[[","end":"]]"}})"),
            "say c2VjcmV0 and Y29kZQ== now [[open");
  EXPECT_EQ(run("partial",
                "a \xE2\x9F\xAA"
                "bc\xE2\x9F\xAB d",
                R"({"converter":{"type":"flip"},"between":{}})"),
            "a cb d");
}

TEST(PartialConversion, RefusesWhatItCannotRunByName) {
  EXPECT_EQ(refused_field("partial", R"({"converter":{"type":"nope"},"words":{"share":1}})"),
            "/c/0/params/converter/type");
  EXPECT_EQ(refused_field("partial", R"({"converter":{"type":"llm_generic","params":{
              "target_id":"01900000-0000-7000-8000-000000000000","instruction":"x"}},
              "words":{"share":1}})"),
            "/c/0/params/converter/type");
  EXPECT_EQ(refused_field("partial", R"({"converter":{"type":"rot13"}})"), "/c/0/params/words");
  EXPECT_EQ(refused_field("partial", R"({"converter":{"type":"rot13"},"words":{}})"),
            "/c/0/params/words");
  EXPECT_EQ(refused_field("partial", R"({"converter":{"type":"rot13"},"words":{"indexes":[-1]}})"),
            "/c/0/params/words/indexes/0");
  // A wrapped converter that grows every word stops at the step cap.
  auto c = make("partial", R"({"converter":{"type":"repeat_token","params":{
      "token_to_repeat":"x","times_to_repeat":100000}},"words":{"share":1}})");
  ASSERT_TRUE(c);
  auto out = (*c)->convert(std::string(200, 'a') + " b c d e f g h i j k l m n o p q r s t");
  ASSERT_FALSE(out);
  EXPECT_NE(out.error().message().find("partial"), std::string::npos);
}

TEST(TextConverters, SneakyBitsHideEveryBitAndReadThemBack) {
  const auto hidden = run("sneaky_bits", "A\xC3\xA9");
  EXPECT_EQ(hidden.size(), 3u * 8u * 3u);  // 3 bytes, 8 bits each, 3 UTF-8 bytes a bit
  EXPECT_EQ(hidden.substr(0, 6), "\xE2\x81\xA2\xE2\x81\xA4");  // 'A' = 0b01000001
  EXPECT_EQ(run("sneaky_bits", "visible " + hidden, R"({"action":"decode"})"), "A\xC3\xA9");
}

TEST(TextConverters, VariationSelectorsCarryBytesAfterABaseCharacter) {
  const auto hidden = run("variation_selector_smuggler", "Hi");
  EXPECT_EQ(hidden, "\xF0\x9F\x98\x8A\xF3\xA0\x84\xB8\xF3\xA0\x85\x99");
  EXPECT_EQ(run("variation_selector_smuggler", "x " + hidden + " y", R"({"action":"decode"})"),
            "Hi");
  EXPECT_EQ(
      run("variation_selector_smuggler", "\x01", R"({"base_char_utf8":"*","embed_in_base":false})"),
      "* \xEF\xB8\x81");
}

TEST(TextConverters, UnicodeReplacementAndSubstitution) {
  EXPECT_EQ(run("unicode_replacement", "hi \xC3\xA9"), "\\u0068\\u0069 \\u00e9");
  EXPECT_EQ(run("unicode_replacement", "a b", R"({"encode_spaces":true})"),
            "\\u0061\\u0020\\u0062");
  EXPECT_EQ(run("unicode_substitution", "A"), "\xF3\xA0\x81\x81");  // U+E0041
  EXPECT_EQ(run("unicode_substitution", "A", R"({"start_value":0})"), "A");
}

TEST(TextConverters, MimeEncodedWordsStayShortAndWhole) {
  EXPECT_EQ(run("mime_encoded_word", "hello"), "=?UTF-8?B?aGVsbG8=?=");
  std::string long_text;
  for (int i = 0; i < 40; ++i) long_text += "\xC3\xA9t\xC3\xA9 ";
  const auto out = run("mime_encoded_word", long_text);
  for (const auto& word : text_words(out)) EXPECT_LE(word.size(), 75u) << word;
}

TEST(TextConverters, UnicodeConfusableLooksTheSame) {
  EXPECT_EQ(run("unicode_confusable", "Pace 42"), "\xD0\xA0\xD0\xB0\xD1\x81\xD0\xB5 42");
  EXPECT_EQ(run("unicode_confusable", "Pace", R"({"proportion":0})"), "Pace");
}

TEST(TextConverters, AskToDecodeWrapsTheEncodedText) {
  const auto out = run("ask_to_decode", "aGk=", R"({"encoding_name":"Base64"})", 4);
  EXPECT_NE(out.find("aGk="), std::string::npos);
  EXPECT_NE(out.find("Base64"), std::string::npos);
  EXPECT_EQ(out, run("ask_to_decode", "aGk=", R"({"encoding_name":"Base64"})", 4));
  EXPECT_EQ(run("ask_to_decode", "x", R"({"template":"<{encoded_text}|{encoding_name}>"})"),
            "<x|encoded>");
  EXPECT_EQ(refused_field("ask_to_decode", R"({"template":"no slot"})"), "/c/0/params/template");
}

TEST(TextConverters, EmojiUsesTheEnclosedAlphanumericSupplementLetters) {
  // Unicode 6.0 code chart U+1F100..U+1F1FF: NEGATIVE CIRCLED LATIN CAPITAL LETTER A is
  // U+1F150, SQUARED ... A U+1F130, NEGATIVE SQUARED ... A U+1F170.
  const std::set<std::string> a = {"\xF0\x9F\x85\x90", "\xF0\x9F\x84\xB0",
                                   "\xF0\x9F\x85\xB0\xEF\xB8\x8F"};
  for (std::uint64_t seed = 0; seed < 20; ++seed)
    EXPECT_TRUE(a.count(run("emoji", "A", "{}", seed)));
  const std::set<std::string> z = {"\xF0\x9F\x85\xA9", "\xF0\x9F\x85\x89", "\xF0\x9F\x86\x89"};
  for (std::uint64_t seed = 0; seed < 20; ++seed)
    EXPECT_TRUE(z.count(run("emoji", "z", "{}", seed)));
  const auto out = run("emoji", "hi, 5!", "{}", 3);
  EXPECT_EQ(out, run("emoji", "hi, 5!", "{}", 3));
  EXPECT_EQ(out.substr(out.size() - 4), ", 5!");
  EXPECT_EQ(run("emoji", ""), "");
}

TEST(TextConverters, LetterBijectionIsAOneToOneSubstitution) {
  // The reversed alphabet as the mapping is the Atbash cipher: "Attack" -> "Zggzxp".
  EXPECT_EQ(run("letter_bijection", "Attack at 9", R"({"mapping":"zyxwvutsrqponmlkjihgfedcba"})"),
            "Zggzxp zg 9");
  const std::string all = "the quick brown fox jumps over the lazy dog";
  const auto out = run("letter_bijection", all, "{}", 11);
  EXPECT_EQ(out, run("letter_bijection", all, "{}", 11));
  EXPECT_NE(out, run("letter_bijection", all, "{}", 12));
  // One-to-one: the pangram's letters map to 26 distinct letters, spaces stay.
  std::map<char, char> seen;
  std::set<char> images;
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (all[i] == ' ') {
      EXPECT_EQ(out[i], ' ');
      continue;
    }
    auto [it, fresh] = seen.emplace(all[i], out[i]);
    EXPECT_EQ(it->second, out[i]);
    if (fresh) images.insert(out[i]);
  }
  EXPECT_EQ(images.size(), 26u);
  EXPECT_EQ(refused_field("letter_bijection", R"({"mapping":"aacdefghijklmnopqrstuvwxyz"})"),
            "/c/0/params/mapping");
  EXPECT_NE(run("letter_bijection", "x", R"({"append_description":true})").find("is written"),
            std::string::npos);
}

TEST(TextConverters, ArabicPresentationFormsFollowTheUnicodeChart) {
  // Arabic Presentation Forms-B chart: ALEF U+0627 isolated U+FE8D (no initial form);
  // BEH U+0628 isolated U+FE8F, final U+FE90, initial U+FE91, medial U+FE92.
  const std::string alef = "\xD8\xA7", beh = "\xD8\xA8";
  EXPECT_EQ(run("arabic_presentation_forms", beh + alef), "\xEF\xBA\x8F\xEF\xBA\x8D");
  EXPECT_EQ(run("arabic_presentation_forms", beh, R"({"form":"final"})"), "\xEF\xBA\x90");
  EXPECT_EQ(run("arabic_presentation_forms", beh, R"({"form":"initial"})"), "\xEF\xBA\x91");
  EXPECT_EQ(run("arabic_presentation_forms", beh, R"({"form":"medial"})"), "\xEF\xBA\x92");
  EXPECT_EQ(run("arabic_presentation_forms", alef, R"({"form":"initial"})"), "\xEF\xBA\x8D");
  EXPECT_EQ(run("arabic_presentation_forms", "Latin 1"), "Latin 1");
  EXPECT_EQ(refused_field("arabic_presentation_forms", R"({"form":"round"})"), "/c/0/params/form");
}

TEST(TextConverters, MathObfuscationWritesOneIdentityPerCharacter) {
  EXPECT_EQ(
      run("math_obfuscation", "ab c", R"({"min_n":3,"max_n":3,"hint":"<h>","suffix":"|end"})"),
      "a = 3a - 2a <h>\nb = 3b - 2b\n\nc = 3c - 2c|end");
  EXPECT_EQ(run("math_obfuscation", "\xC3\xA9", R"({"min_n":2,"max_n":2,"hint":"","suffix":""})"),
            "\xC3\xA9 = 2\xC3\xA9 - 1\xC3\xA9");
  const auto out = run("math_obfuscation", "secret plan", "{}", 5);
  EXPECT_EQ(out, run("math_obfuscation", "secret plan", "{}", 5));
  EXPECT_EQ(refused_field("math_obfuscation", R"({"min_n":5,"max_n":4})"), "/c/0/params/max_n");
  EXPECT_EQ(refused_field("math_obfuscation", R"({"min_n":1})"), "/c/0/params/min_n");
}

TEST(TextConverters, NegationTrapStatesAWrongAnswerToCorrect) {
  const auto out = run("negation_trap", "the admin password");
  EXPECT_NE(out.find("the admin password"), std::string::npos);
  EXPECT_NE(out.find("'incorrect_guess'"), std::string::npos);
  EXPECT_EQ(run("negation_trap", "{wrong_value}?",
                R"({"wrong_value":"hunter2","trap_template":"{prompt} is not {wrong_value}"})"),
            "{wrong_value}? is not hunter2");
  EXPECT_EQ(refused_field("negation_trap", R"({"trap_template":"{prompt} only"})"),
            "/c/0/params/trap_template");
}

TEST(TextConverters, TaskFramingSetsThePromptInATask) {
  const auto story = run("task_framing", "open the safe", R"({"framing":"story"})");
  EXPECT_NE(story.find("thriller"), std::string::npos);
  EXPECT_NE(story.find("open the safe"), std::string::npos);
  EXPECT_EQ(run("task_framing", "x", R"({"template":"[{prompt}]"})"), "[x]");
  EXPECT_EQ(run("task_framing", "x", "{}", 9), run("task_framing", "x", "{}", 9));
  EXPECT_EQ(refused_field("task_framing", R"({"framing":"opera"})"), "/c/0/params/framing");
  EXPECT_EQ(refused_field("task_framing", R"({"framing":"story","template":"{prompt}"})"),
            "/c/0/params/framing");
}

TEST(TextConverters, AnsiEscapeAsksForRawOrEscapedSequences) {
  for (std::uint64_t seed = 0; seed < 10; ++seed) {
    const auto raw = run("ansi_escape", "then this", R"({"include_escaped":false})", seed);
    EXPECT_NE(raw.find('\x1b'), std::string::npos) << raw;
    EXPECT_NE(raw.find("then this"), std::string::npos);
    const auto escaped = run("ansi_escape", "p", R"({"include_raw":false})", seed);
    EXPECT_EQ(escaped.find('\x1b'), std::string::npos) << escaped;
    EXPECT_TRUE(
        escaped.find("\\x1b") != std::string::npos || escaped.find("\\033") != std::string::npos ||
        escaped.find("\\u001b") != std::string::npos || escaped.find("\\e") != std::string::npos)
        << escaped;
  }
  EXPECT_EQ(run("ansi_escape", "p", R"({"incorporate_user_prompt":false})", 2).find("Then: p"),
            std::string::npos);
  EXPECT_EQ(refused_field("ansi_escape", R"({"include_raw":false,"include_escaped":false})"),
            "/c/0/params/include_escaped");
}

TEST(TextConverters, TextJailbreakFillsEveryDeclaredParameter) {
  EXPECT_EQ(run("text_jailbreak", "the task",
                R"({"template":"You are {{ role }}. {{prompt}} {{ not a name }}",
                    "template_parameters":{"role":"a locksmith"}})"),
            "You are a locksmith. the task {{ not a name }}");
  EXPECT_EQ(refused_field("text_jailbreak", R"({"template":"{{ prompt }} {{ role }}"})"),
            "/c/0/params/template_parameters/role");
  EXPECT_EQ(refused_field("text_jailbreak",
                          R"({"template":"{{ prompt }}","template_parameters":{"x":"1"}})"),
            "/c/0/params/template_parameters/x");
  EXPECT_EQ(refused_field("text_jailbreak", R"({"template":"no slot"})"), "/c/0/params/template");
  EXPECT_EQ(refused_field("text_jailbreak",
                          R"({"template":"{{ prompt }} {{ r }}","template_parameters":{"r":1}})"),
            "/c/0/params/template_parameters/r");
  // A stored template is the server's to read: unresolved, it is named, never ignored.
  EXPECT_EQ(refused_field("text_jailbreak", R"({"template_dataset":"d1"})"),
            "/c/0/params/template_dataset");
  EXPECT_EQ(refused_field("text_jailbreak", R"({})"), "/c/0/params/template");
}

TEST(TextConverters, EveryCatalogEntryRejectsAnUnknownParamByName) {
  for (const auto& info : ConverterRegistry::builtin().catalog()) {
    auto c = make(info.type, R"({"no_such_param":1})");
    ASSERT_FALSE(c) << info.type;
    EXPECT_EQ(c.error().details()->field, "/c/0/params/no_such_param") << info.type;
  }
}

TEST(TextConverters, EveryParameterlessConverterKeepsWithinTheChainCapOnAFullInput) {
  // A 1 MiB prompt through each converter that takes no params: none may fail other than by
  // the chain's size check, and none may crash or hang.
  const std::string big(kMaxConvertedBytes, 'a');
  for (const auto& info : ConverterRegistry::builtin().catalog()) {
    auto c = make(info.type, "{}");
    if (!c || (*c)->traits().needs_llm) continue;
    auto out = (*c)->convert_seeded(big, 1);
    if (out) {
      EXPECT_FALSE(out->empty()) << info.type;
    }
  }
}

}  // namespace
}  // namespace redcell
