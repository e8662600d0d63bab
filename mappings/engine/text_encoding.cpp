// Single-byte character sets and UTF-16 to UTF-8 (text_encoding.h).
#include "mappings/engine/text_encoding.h"

#include <iconv.h>

#include "fhir/json/utf8.h"

namespace carebridge::mappings::engine {
namespace {

// Windows-1252's 0x80–0x9F (its other bytes are Latin-1). The five bytes it leaves
// undefined become the C1 control of the same number, as browsers read them.
constexpr char16_t kWindows1252[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

// ISO 8859-15 (Latin-9) is Latin-1 but for eight code points: the euro sign, Š š Ž ž Œ œ Ÿ.
char32_t latin9(unsigned char c) {
  switch (c) {
    case 0xA4: return 0x20AC;
    case 0xA6: return 0x0160;
    case 0xA8: return 0x0161;
    case 0xB4: return 0x017D;
    case 0xB8: return 0x017E;
    case 0xBC: return 0x0152;
    case 0xBD: return 0x0153;
    case 0xBE: return 0x0178;
    default: return c;
  }
}

}  // namespace

void append_utf8(std::string& out, char32_t code) { fhir::json::append_utf8(out, code); }

bool append_utf16(std::string& out, std::string_view bytes) {
  iconv_t to_utf8 = iconv_open("UTF-8", "UTF-16");  // glibc's: the mark read and dropped
  if (to_utf8 == reinterpret_cast<iconv_t>(-1)) return false;
  size_t had = out.size();
  out.resize(had + bytes.size() / 2 * 3 + 4);  // each UTF-16 unit is at most 3 bytes of UTF-8
  char* in = const_cast<char*>(bytes.data());
  char* at = out.data() + had;
  size_t in_left = bytes.size(), out_left = out.size() - had;
  bool whole = iconv(to_utf8, &in, &in_left, &at, &out_left) != static_cast<size_t>(-1) && in_left == 0;
  iconv_close(to_utf8);
  out.resize(whole ? static_cast<size_t>(at - out.data()) : had);
  return whole;
}

void append_decoded(std::string& out, std::string_view bytes, SingleByteCharset charset) {
  for (unsigned char c : bytes) {
    if (c < 0x80) out += static_cast<char>(c);
    else if (charset == SingleByteCharset::Windows1252 && c < 0xA0) append_utf8(out, kWindows1252[c - 0x80]);
    else if (charset == SingleByteCharset::Latin9) append_utf8(out, latin9(c));
    else append_utf8(out, c);
  }
}

}  // namespace carebridge::mappings::engine
