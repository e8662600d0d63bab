// Opening an XLSX workbook (see xlsx_workbook.h): the zip read from memory with every
// entry's bytes counted as they are unzipped, then xl/workbook.xml (the sheets and their
// relationship ids), xl/_rels/workbook.xml.rels (the part of each sheet, the shared
// strings and the styles), xl/sharedStrings.xml and xl/styles.xml.
#include "mappings/csv/xlsx_workbook.h"

#include <archive.h>
#include <archive_entry.h>

#include <charconv>
#include <memory>
#include <set>

#include "mappings/csv/columns.h"
#include "mappings/csv/xml_stream.h"

namespace carebridge::mappings::csv {
namespace {

using Parts = std::map<std::string, std::string>;

constexpr size_t kMaxParts = 10'000;

template <typename T>
Result<T> failure(std::string code, std::string message) {
  return Result<T>::failure(std::move(code), std::move(message));
}

struct ArchiveCloser {
  void operator()(archive* a) const { archive_read_free(a); }
};

// libarchive's reason for a failure; it has none for some (a null pointer).
std::string zip_error(archive* zip) {
  const char* reason = archive_error_string(zip);
  return reason ? reason : "the zip is damaged";
}

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
  return out;
}

// A path inside the workbook as a part name: `/` separators, no leading `/`, `.` and `..`
// resolved, in lower case.
// An entry's path without "." and ".." segments, as written (`lower`: lower-cased too).
std::string part_name(std::string_view path, bool lower_case = true) {
  std::vector<std::string> segments;
  std::string segment;
  for (size_t i = 0; i <= path.size(); ++i) {
    char c = i < path.size() ? path[i] : '/';
    if (c != '/' && c != '\\') {
      segment += c;
      continue;
    }
    if (segment == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!segment.empty() && segment != ".") {
      segments.push_back(segment);
    }
    segment.clear();
  }
  std::string name;
  for (const auto& s : segments) name += (name.empty() ? "" : "/") + s;
  return lower_case ? lower(name) : name;
}

// One entry's bytes, counted into `unzipped` block by block so that a zip bomb stops at
// the limit instead of filling memory; kept only when `keep`.
Result<std::string> read_entry(archive* zip, const std::string& name, bool keep, uint64_t& unzipped, uint64_t cap,
                               const std::string& why) {
  std::string data;
  static thread_local char block[64 * 1024];
  for (;;) {
    la_ssize_t n = archive_read_data(zip, block, sizeof block);
    if (n == 0) return data;
    if (n < 0)
      return failure<std::string>("structure", "the zip entry " + name + " cannot be unzipped: " + zip_error(zip));
    unzipped += static_cast<uint64_t>(n);
    if (unzipped > cap)
      return failure<std::string>("too-costly", "the zip unzips to more than " + size_in_words(cap) + why +
                                                    " (reached in " + name + ")");
    if (keep) data.append(block, static_cast<size_t>(n));
  }
}

// What a zip of `size` bytes may unzip to: the limit, and no more than 100 times its own
// size beyond the first 64 MB. Spreadsheets and CSV exports unzip to 5 to 30 times their
// size; a zip bomb to thousands (a 465 KB workbook whose sheet is 464 MB held about 870 MB
// while it was read, and refused only then).
constexpr uint64_t kMaxRatio = 100;
constexpr uint64_t kRatioFloor = uint64_t{64} << 20;

uint64_t unzip_cap(size_t size, const ReadLimits& limits, std::string& why) {
  uint64_t by_ratio = std::max(kRatioFloor, kMaxRatio * size);
  if (by_ratio >= limits.max_unzipped) {
    why = ", the limit";
    return limits.max_unzipped;
  }
  why = ", 100 times the file's own size (a zip bomb?)";
  return by_ratio;
}

}  // namespace

Result<std::map<std::string, std::string>> unzip_entries(std::string_view bytes, const ReadLimits& limits,
                                                         const std::function<bool(std::string_view)>& keep,
                                                         bool lower_case) {
  using Parts = std::map<std::string, std::string>;
  std::unique_ptr<archive, ArchiveCloser> zip(archive_read_new());
  archive_read_support_format_zip(zip.get());
  if (archive_read_open_memory(zip.get(), bytes.data(), bytes.size()) != ARCHIVE_OK)
    return failure<Parts>("structure", "the file is not a readable zip: " + zip_error(zip.get()));
  Parts parts;
  uint64_t unzipped = 0;
  std::string why;
  const uint64_t cap = unzip_cap(bytes.size(), limits, why);
  size_t count = 0;
  archive_entry* entry = nullptr;
  int status;
  while ((status = archive_read_next_header(zip.get(), &entry)) == ARCHIVE_OK || status == ARCHIVE_WARN) {
    if (++count > kMaxParts) return failure<Parts>("too-costly", "the zip holds more than 10000 entries, the limit");
    std::string name = part_name(archive_entry_pathname(entry) ? archive_entry_pathname(entry) : "", lower_case);
    if (archive_entry_filetype(entry) == AE_IFDIR || name.empty()) continue;
    if (archive_entry_size_is_set(entry) && static_cast<uint64_t>(archive_entry_size(entry)) > cap)
      return failure<Parts>("too-costly", "the zip entry " + name + " would unzip to more than " + size_in_words(cap) + why);
    bool kept = keep(name);
    auto data = read_entry(zip.get(), name, kept, unzipped, cap, why);
    if (!data) return data.issues();
    if (kept && !parts.emplace(name, std::move(data).value()).second)
      return failure<Parts>("structure", "the zip holds two entries named " + name);
  }
  if (status != ARCHIVE_EOF) return failure<Parts>("structure", "the file is not a readable zip: " + zip_error(zip.get()));
  return parts;
}

namespace {

// The workbook's XML and relationship parts (pictures, printer settings and macros are
// unzipped only to be counted), named in lower case (OPC names ignore case).
Result<Parts> unzip(std::string_view bytes, const ReadLimits& limits) {
  return unzip_entries(
      bytes, limits, [](std::string_view name) { return name.ends_with(".xml") || name.ends_with(".rels"); }, true);
}

Result<Workbook> xml_failure(std::string_view part, const XmlStream& xml) {
  return failure<Workbook>("structure", "the workbook part " + std::string(part) + " is not readable XML (" + xml.error() + ")");
}

struct Relationship {
  std::string type;    // its URI: ends in /worksheet, /sharedStrings, /styles, ...
  std::string target;  // the part it points to
};

// xl/_rels/workbook.xml.rels: relationship id → type and part (relative to xl/).
Result<std::map<std::string, Relationship>> read_relationships(Workbook& book, std::string_view path) {
  std::map<std::string, Relationship> relationships;
  auto part = book.parts.find(std::string(path));
  if (part == book.parts.end()) return relationships;
  XmlStream xml(part->second);
  for (auto event = xml.next(); event != XmlStream::Event::Done; event = xml.next()) {
    if (event == XmlStream::Event::Failed) return xml_failure(path, xml).issues();
    if (event != XmlStream::Event::Start || xml.name() != "Relationship" || xml.attribute("TargetMode") == "External") continue;
    std::string target = xml.attribute("Target");
    target = part_name(target.starts_with('/') ? target : "xl/" + target);
    relationships[xml.attribute("Id")] = Relationship{xml.attribute("Type"), target};
  }
  return relationships;
}

// The first relationship of a type (`/sharedStrings`, `/styles`), or `fallback`.
std::string part_of_type(const std::map<std::string, Relationship>& relationships, std::string_view type,
                         std::string fallback) {
  for (const auto& [id, relationship] : relationships) {
    if (relationship.type.ends_with(type)) return relationship.target;
  }
  return fallback;
}

// xl/workbook.xml: the worksheets in tab order, through their relationships to parts.
Result<Workbook> read_sheets(Workbook book, const std::map<std::string, Relationship>& relationships) {
  XmlStream xml(book.parts.at("xl/workbook.xml"));
  std::set<std::string> parts;
  for (auto event = xml.next(); event != XmlStream::Event::Done; event = xml.next()) {
    if (event == XmlStream::Event::Failed) return xml_failure("xl/workbook.xml", xml);
    if (event != XmlStream::Event::Start) continue;
    if (xml.name() == "workbookPr") {
      std::string date1904 = xml.attribute("date1904");
      book.date1904 = date1904 == "1" || date1904 == "true";
    }
    if (xml.name() != "sheet") continue;
    std::string name = xml.attribute("name");
    auto relationship = relationships.find(xml.attribute("id", true));
    if (relationship == relationships.end())
      return failure<Workbook>("structure", "the workbook names a sheet \"" + name + "\" but no part for it");
    if (!relationship->second.type.ends_with("/worksheet")) continue;  // a chart, dialog or macro sheet
    const std::string& part = relationship->second.target;
    if (!book.parts.contains(part))
      return failure<Workbook>("structure", "the sheet \"" + name + "\" has no part " + part + " in the workbook");
    if (!parts.insert(part).second)
      return failure<Workbook>("structure", "two sheets of the workbook share the part " + part);
    book.sheets.push_back(WorkbookSheet{name, part});
  }
  return book;
}

// xl/sharedStrings.xml: each <si> is a string, the <t> of its runs together; phonetic
// guides (<rPh>, ruby text over Japanese) are not part of it.
Result<Workbook> read_shared_strings(Workbook book, const std::string& path) {
  auto part = book.parts.find(path);
  if (part == book.parts.end()) return book;
  SharedStrings& strings = book.shared_strings;
  XmlStream xml(part->second);
  std::string current;
  bool in_text = false;
  int phonetic = 0;
  for (auto event = xml.next(); event != XmlStream::Event::Done; event = xml.next()) {
    if (event == XmlStream::Event::Failed) return xml_failure(path, xml);
    std::string_view name = xml.name();
    if (event == XmlStream::Event::Text && in_text && phonetic == 0) current += xml.text();
    if (event == XmlStream::Event::Start) {
      if (name == "rPh") ++phonetic;
      in_text = in_text || name == "t";
    } else if (event == XmlStream::Event::End) {
      if (name == "rPh") --phonetic;
      if (name == "t") in_text = false;
      if (name == "si") {
        strings.text += decode_escapes(current);
        strings.ends.push_back(strings.text.size());
        current.clear();
      }
    }
  }
  return book;
}

// Excel's built-in date and time formats: 14–22 and 45–47, and the East Asian dates
// 27–36 and 50–58 that such workbooks use without declaring.
bool builtin_date_format(unsigned id) {
  return (id >= 14 && id <= 22) || (id >= 45 && id <= 47) || (id >= 27 && id <= 36) || (id >= 50 && id <= 58);
}

// Whether a number format shows a date or time: a d, m, y, h or s outside quoted text,
// [brackets] (colours, conditions, locales) and escaped or padding characters.
bool date_format_code(std::string_view code) {
  for (size_t i = 0; i < code.size(); ++i) {
    char c = code[i];
    if (c == '"') {
      size_t close = code.find('"', i + 1);
      if (close == std::string_view::npos) return false;
      i = close;
    } else if (c == '[') {
      size_t close = code.find(']', i + 1);
      if (close == std::string_view::npos) return false;
      i = close;
    } else if (c == '\\' || c == '_' || c == '*') {
      ++i;
    } else if (std::string_view("dmyhsDMYHS").find(c) != std::string_view::npos) {
      return true;
    }
  }
  return false;
}

unsigned number(const std::string& text) {
  unsigned value = 0;
  std::from_chars(text.data(), text.data() + text.size(), value);
  return value;
}

// xl/styles.xml: for each cell style (<cellXfs><xf>), whether its number format is a date.
Result<Workbook> read_date_styles(Workbook book, const std::string& path) {
  auto part = book.parts.find(path);
  if (part == book.parts.end()) return book;
  XmlStream xml(part->second);
  std::map<unsigned, bool> custom;  // numFmtId → shows a date
  std::vector<unsigned> formats;    // by cell style: its numFmtId
  bool in_formats = false, in_styles = false;
  for (auto event = xml.next(); event != XmlStream::Event::Done; event = xml.next()) {
    if (event == XmlStream::Event::Failed) return xml_failure(path, xml);
    bool start = event == XmlStream::Event::Start, end = event == XmlStream::Event::End;
    std::string_view name = xml.name();
    if (name == "numFmts" && (start || end)) in_formats = start;
    if (name == "cellXfs" && (start || end)) in_styles = start;
    if (start && in_formats && name == "numFmt")
      custom[number(xml.attribute("numFmtId"))] = date_format_code(xml.attribute("formatCode"));
    if (start && in_styles && name == "xf") formats.push_back(number(xml.attribute("numFmtId")));
  }
  for (unsigned id : formats) {
    auto declared = custom.find(id);
    book.date_styles.push_back(declared != custom.end() ? declared->second : builtin_date_format(id));
  }
  return book;
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

std::string decode_escapes(std::string_view text) {
  if (text.find("_x") == std::string_view::npos) return std::string(text);
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    char32_t code = 0;
    bool escape = i + 7 <= text.size() && text[i] == '_' && text[i + 1] == 'x' && text[i + 6] == '_';
    for (size_t k = 2; escape && k < 6; ++k) {
      int digit = hex_digit(text[i + k]);
      escape = digit >= 0;
      code = code * 16 + static_cast<char32_t>(digit < 0 ? 0 : digit);
    }
    if (!escape || (code >= 0xD800 && code <= 0xDFFF)) {  // not an escape, or half a surrogate pair: as written
      out += text[i];
      continue;
    }
    append_utf8(out, code);
    i += 6;
  }
  return out;
}

Result<Workbook> open_workbook(std::string_view bytes, const ReadLimits& limits) {
  auto parts = unzip(bytes, limits);
  if (!parts) return parts.issues();
  Workbook book;
  book.parts = std::move(parts).value();
  if (!book.parts.contains("xl/workbook.xml"))
    return failure<Workbook>("invalid", "the file is a zip but not an Excel workbook (it has no xl/workbook.xml); "
                                        "save it as .xlsx or CSV");
  auto relationships = read_relationships(book, "xl/_rels/workbook.xml.rels");
  if (!relationships) return relationships.issues();
  auto with_sheets = read_sheets(std::move(book), *relationships);
  if (!with_sheets) return with_sheets;
  std::string strings = part_of_type(*relationships, "/sharedStrings", "xl/sharedstrings.xml");
  auto with_strings = read_shared_strings(std::move(with_sheets).value(), strings);
  if (!with_strings) return with_strings;
  std::string styles = part_of_type(*relationships, "/styles", "xl/styles.xml");
  auto complete = read_date_styles(std::move(with_strings).value(), styles);
  if (complete) {  // read once: their memory goes back (only the sheets are read again)
    complete->parts.erase(strings);
    complete->parts.erase(styles);
  }
  return complete;
}

}  // namespace carebridge::mappings::csv
