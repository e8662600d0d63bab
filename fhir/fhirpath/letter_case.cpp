// The simple case mapping of letter_case.h, as three kinds of rows taken from
// Unicode's UnicodeData.txt: blocks where a fixed distance separates the cases,
// blocks where upper and lower case alternate, and single letters.
#include "fhir/fhirpath/letter_case.h"

#include "fhir/json/utf8.h"

namespace carebridge::fhir::fhirpath {
namespace {

// Upper case letters first..last whose lower case letters are `distance` above them.
struct ShiftedBlock {
  char32_t first, last;
  char32_t distance;
};
constexpr ShiftedBlock kShifted[] = {
    {0x00C0, 0x00D6, 32}, {0x00D8, 0x00DE, 32},  // Latin-1 (not × U+00D7)
    {0x0388, 0x038A, 37}, {0x038E, 0x038F, 63},  // Greek with tonos
    {0x0391, 0x03A1, 32}, {0x03A3, 0x03AB, 32},  // Greek (U+03A2 is unassigned)
    {0x0400, 0x040F, 80}, {0x0410, 0x042F, 32},  // Cyrillic
    {0x0531, 0x0556, 48},                        // Armenian
    {0xFF21, 0xFF3A, 32},                        // fullwidth Latin
};

// Blocks of pairs: an upper case letter at first, first + 2, ..., its lower case right after.
struct AlternatingBlock {
  char32_t first, last;
};
constexpr AlternatingBlock kAlternating[] = {
    {0x0100, 0x012F}, {0x0132, 0x0137}, {0x0139, 0x0148}, {0x014A, 0x0177}, {0x0179, 0x017E},  // Extended-A
    {0x01CD, 0x01DC}, {0x01DE, 0x01EF}, {0x01F4, 0x01F5}, {0x01F8, 0x021F}, {0x0222, 0x0233},  // Extended-B
    {0x0246, 0x024F},
    {0x03D8, 0x03EF},                                                                          // Greek, Coptic
    {0x0460, 0x0481}, {0x048A, 0x04BF}, {0x04C1, 0x04CE}, {0x04D0, 0x052F},                    // Cyrillic
    {0x1E00, 0x1E95}, {0x1EA0, 0x1EFF},  // Latin Extended Additional (Vietnamese, Welsh)
};

struct LetterPair {
  char32_t upper, lower;
};
// Single letters that map both ways.
constexpr LetterPair kPairs[] = {
    {0x0178, 0x00FF},  // Ÿ ÿ
    {0x0386, 0x03AC},  // Ά ά
    {0x038C, 0x03CC},  // Ό ό
    {0x04C0, 0x04CF},  // Ӏ ӏ
    {0x01C4, 0x01C6}, {0x01C7, 0x01C9}, {0x01CA, 0x01CC}, {0x01F1, 0x01F3},  // DŽ dž, LJ lj, NJ nj, DZ dz
};
// Letters whose mapping one way does not come back: the upper case of µ is Μ, but
// the lower case of Μ is μ; dotless ı and dotted İ; the title case Dž.
constexpr LetterPair kOnlyToUpper[] = {
    {0x039C, 0x00B5}, {0x03A3, 0x03C2}, {0x0049, 0x0131}, {0x0053, 0x017F},
    {0x01C4, 0x01C5}, {0x01C7, 0x01C8}, {0x01CA, 0x01CB}, {0x01F1, 0x01F2},
};
constexpr LetterPair kOnlyToLower[] = {
    {0x0130, 0x0069}, {0x1E9E, 0x00DF},
    {0x01C5, 0x01C6}, {0x01C8, 0x01C9}, {0x01CB, 0x01CC}, {0x01F2, 0x01F3},
};

template <char32_t (*Map)(char32_t)>
std::string map_letters(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {  // ASCII without decoding
      out += static_cast<char>(Map(byte));
      ++i;
      continue;
    }
    json::append_utf8(out, Map(json::next_code_point(text, i)));
  }
  return out;
}

}  // namespace

char32_t upper_case(char32_t c) {
  if (c < 0x80) return c >= 'a' && c <= 'z' ? c - 32 : c;
  for (const auto& b : kShifted) {
    if (c >= b.first + b.distance && c <= b.last + b.distance) return c - b.distance;
  }
  for (const auto& b : kAlternating) {
    if (c >= b.first && c <= b.last) return (c - b.first) % 2 == 1 ? c - 1 : c;
  }
  for (const auto& p : kPairs) {
    if (c == p.lower) return p.upper;
  }
  for (const auto& p : kOnlyToUpper) {
    if (c == p.lower) return p.upper;
  }
  return c;
}

char32_t lower_case(char32_t c) {
  if (c < 0x80) return c >= 'A' && c <= 'Z' ? c + 32 : c;
  for (const auto& b : kShifted) {
    if (c >= b.first && c <= b.last) return c + b.distance;
  }
  for (const auto& b : kAlternating) {
    if (c >= b.first && c <= b.last) return (c - b.first) % 2 == 0 ? c + 1 : c;
  }
  for (const auto& p : kPairs) {
    if (c == p.upper) return p.lower;
  }
  for (const auto& p : kOnlyToLower) {
    if (c == p.upper) return p.lower;
  }
  return c;
}

std::string to_upper(std::string_view text) { return map_letters<upper_case>(text); }
std::string to_lower(std::string_view text) { return map_letters<lower_case>(text); }

namespace {
char32_t folded(char32_t c) { return lower_case(upper_case(c)); }
}  // namespace

std::string fold_case(std::string_view text) { return map_letters<folded>(text); }

}  // namespace carebridge::fhir::fhirpath
