// Folding strings for search: FHIR's string search is case- and accent-insensitive, so
// "Stastny" finds "Šťastný", "Lukasz" finds "Łukasz" and "Nguyen" finds "Nguyễn". Names
// arrive from hospitals in every Latin script (Latin-1, Latin Extended-A and -B, the
// Vietnamese letters of Latin Extended Additional), composed (NFC) or decomposed (NFD:
// a base letter followed by combining marks, as macOS and some EHRs send), and in
// Greek and Cyrillic, whose capitals are lowered too. Index rows and query values go
// through the same fold, so both sides agree; other characters (CJK, symbols) are kept.
#include <string>
#include <string_view>

#include "fhir/json/utf8.h"
#include "fhir/search/index.h"

namespace carebridge::fhir::search {
namespace {

// Base letters of U+00C0..U+00FF; '*' keeps the character (×, ÷).
constexpr std::string_view kLatin1 = "aaaaaaaceeeeiiiidnooooo*ouuuuyts" "aaaaaaaceeeeiiiidnooooo*ouuuuyty";
// Base letters of U+0100..U+017F (Latin Extended-A); '*' keeps the ligatures Ĳ and Œ, lowered.
constexpr std::string_view kLatinExtendedA =
    "aaaaaa" "cccccccc" "dddd" "eeeeeeeeee" "gggggggg" "hhhh" "iiiiiiiiii" "**" "jj" "kkk" "llllllllll"
    "nnnnnnnnn" "oooooo" "**" "rrrrrr" "ssssssss" "tttttt" "uuuuuuuuuuuu" "ww" "yyy" "zzzzzz" "s";
static_assert(kLatin1.size() == 0x40 && kLatinExtendedA.size() == 0x80);

bool is_combining_mark(char32_t c) {
  return (c >= 0x0300 && c <= 0x036F) || (c >= 0x1AB0 && c <= 0x1AFF) || (c >= 0x1DC0 && c <= 0x1DFF) ||
         (c >= 0x20D0 && c <= 0x20FF) || (c >= 0xFE20 && c <= 0xFE2F);
}

// The base letter of a Latin letter with diacritics, or 0 when it has none here.
char latin_base(char32_t c) {
  if (c >= 0xC0 && c <= 0xFF) return kLatin1[c - 0xC0] == '*' ? 0 : kLatin1[c - 0xC0];
  if (c >= 0x100 && c <= 0x17F) return kLatinExtendedA[c - 0x100] == '*' ? 0 : kLatinExtendedA[c - 0x100];
  if (c == 0x1A0 || c == 0x1A1) return 'o';  // Ơ ơ (Vietnamese)
  if (c == 0x1AF || c == 0x1B0) return 'u';  // Ư ư (Vietnamese)
  if (c >= 0x1CD && c <= 0x1DC) {            // Ǎ ǎ Ǐ ǐ Ǒ ǒ Ǔ ǔ Ǖ..ǜ (pinyin tones)
    static constexpr std::string_view kPinyin = "aaiioouuuuuuuuuu";
    return kPinyin[c - 0x1CD];
  }
  if (c >= 0x218 && c <= 0x21B) return c < 0x21A ? 's' : 't';  // Ș ș Ț ț (Romanian)
  if (c >= 0x1EA0 && c <= 0x1EF9) {                              // Vietnamese: Ạ..ặ Ẹ..ệ Ỉ..ị Ọ..ợ Ụ..ự Ỳ..ỹ
    return c < 0x1EB8 ? 'a' : c < 0x1EC8 ? 'e' : c < 0x1ECC ? 'i' : c < 0x1EE4 ? 'o' : c < 0x1EF2 ? 'u' : 'y';
  }
  return 0;
}

// Greek letters with tonos or dialytika, and final sigma, as the plain lower-case letter:
// what their decomposed (NFD) spelling folds to once the combining mark is dropped.
char32_t greek_base(char32_t c) {
  switch (c) {
    case 0x386: case 0x3AC: return 0x3B1;  // Ά ά -> α
    case 0x388: case 0x3AD: return 0x3B5;  // Έ έ -> ε
    case 0x389: case 0x3AE: return 0x3B7;  // Ή ή -> η
    case 0x38A: case 0x3AF: case 0x3AA: case 0x3CA: case 0x390: return 0x3B9;  // Ί ί Ϊ ϊ ΐ -> ι
    case 0x38C: case 0x3CC: return 0x3BF;  // Ό ό -> ο
    case 0x38E: case 0x3CD: case 0x3AB: case 0x3CB: case 0x3B0: return 0x3C5;  // Ύ ύ Ϋ ϋ ΰ -> υ
    case 0x38F: case 0x3CE: return 0x3C9;  // Ώ ώ -> ω
    case 0x3C2: return 0x3C3;              // ς -> σ
    default: return 0;
  }
}

// The lower case of a capital that keeps its letter (Ĳ, Œ, Greek, Cyrillic), else itself;
// Cyrillic ё and й as е and и, as their decomposed spellings fold.
char32_t lower(char32_t c) {
  if (c == 0x132 || c == 0x152) return c + 1;
  if (char32_t greek = greek_base(c)) return greek;
  if (c >= 0x391 && c <= 0x3A9 && c != 0x3A2) return c + 0x20;
  if (c >= 0x410 && c <= 0x42F) c += 0x20;
  if (c >= 0x400 && c <= 0x40F) c += 0x50;
  if (c == 0x451) return 0x435;  // ё -> е
  if (c == 0x439) return 0x438;  // й -> и
  return c;
}

}  // namespace

std::string fold(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {  // the common case, byte by byte
      out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
      ++i;
      continue;
    }
    // A byte that starts no UTF-8 character reads as a lone surrogate and is written back
    // as it was (readers refuse such text before it gets here).
    char32_t code = json::next_code_point(text, i);
    if (is_combining_mark(code)) {
      // a decomposed accent: dropped, as its composed letter's accent is
    } else if (char base = latin_base(code)) {
      out += base;
    } else {
      json::append_utf8(out, lower(code));
    }
  }
  return out;
}

}  // namespace carebridge::fhir::search
