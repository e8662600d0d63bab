#include "mappings/hl7v2/er7.h"

#include <algorithm>
#include <cctype>
#include <ctime>
#include <charconv>
#include <map>

#include "fhir/json/utf8.h"

namespace carebridge::mappings::hl7v2 {
namespace {

using carebridge::Result;

Result<Message> failure(const std::string& where, const std::string& what) {
  return Result<Message>::failure("structure", where + ": " + what);
}

// The n-th (1-based) part of `text` split at `separator`; empty when there are fewer.
std::string_view nth(std::string_view text, char separator, size_t n) {
  for (size_t i = 1; i < n; ++i) {
    size_t at = text.find(separator);
    if (at == std::string_view::npos) return {};
    text.remove_prefix(at + 1);
  }
  return text.substr(0, text.find(separator));
}

size_t count_parts(std::string_view text, char separator) {
  if (text.empty()) return 0;
  size_t n = 1;
  for (char c : text) n += c == separator;
  return n;
}

// Text in the message's character set, appended as UTF-8.
void append_text(std::string& out, std::string_view text, const std::optional<engine::SingleByteCharset>& charset) {
  if (charset) engine::append_decoded(out, text, *charset);
  else out += text;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// The bytes of an \Xhhhh\ escape (pairs of hex digits); false when malformed.
bool hex_bytes(std::string_view digits, std::string& out) {
  if (digits.empty() || digits.size() % 2) return false;
  for (size_t i = 0; i < digits.size(); i += 2) {
    int high = hex_value(digits[i]), low = hex_value(digits[i + 1]);
    if (high < 0 || low < 0) return false;
    out += static_cast<char>(high * 16 + low);
  }
  return true;
}

// The line breaks of a formatted text's \.sp <number>\ (end the line and skip <number>
// lines; none given: one), at most a page's worth; also the spaces \.sk <number>\ skips.
size_t vertical_space(std::string_view number) {
  while (!number.empty() && (number.front() == ' ' || number.front() == '+')) number.remove_prefix(1);
  size_t n = 0;
  for (char c : number) {
    if (c < '0' || c > '9') return 1;
    n = std::min<size_t>(n * 10 + (c - '0'), 100);
  }
  return number.empty() ? 1 : std::max<size_t>(n, 1);
}

bool valid_name(std::string_view name) {
  if (name.size() != 3) return false;
  for (char c : name) {
    if (!std::isupper(static_cast<unsigned char>(c)) && !std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// MSH-1 and MSH-2: the field separator and 4 or 5 distinct encoding characters.
Result<Delimiters> read_delimiters(std::string_view text) {
  using R = Result<Delimiters>;
  if (text.size() < 8 || text.substr(0, 3) != "MSH") return R::failure("structure", "MSH: a message starts with MSH");
  Delimiters d;
  d.field = text[3];
  size_t end = text.find(d.field, 4);
  if (end == std::string_view::npos) return R::failure("structure", "MSH-2: the encoding characters are not followed by a field");
  std::string_view encoding = text.substr(4, end - 4);
  if (encoding.size() < 4 || encoding.size() > 5)
    return R::failure("structure", "MSH-2: expected 4 or 5 encoding characters (such as ^~\\&), found " +
                                       std::to_string(encoding.size()));
  std::string all = std::string(1, d.field) + std::string(encoding);
  for (size_t i = 0; i < all.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(all[i]);
    if (std::isalnum(c) || c == '\r' || c == '\n' || all.find(all[i], i + 1) != std::string::npos)
      return R::failure("structure", "MSH-1/MSH-2: the separators must be distinct punctuation characters");
  }
  d.component = encoding[0];
  d.repetition = encoding[1];
  d.escape = encoding[2];
  d.subcomponent = encoding[3];
  if (encoding.size() == 5) d.truncation = encoding[4];
  return d;
}

}  // namespace

std::string escape(std::string_view text, const Delimiters& d) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == d.field) out += "\\F\\";
    else if (c == d.component) out += "\\S\\";
    else if (c == d.repetition) out += "\\R\\";
    else if (c == d.escape) out += "\\E\\";
    else if (c == d.subcomponent) out += "\\T\\";
    else if (c == '\n') out += "\\.br\\";
    else if (c != '\r') out += c;
  }
  return out;
}

std::string v2_now() {
  std::time_t now = std::time(nullptr);
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%d%H%M%S+0000", &utc);
  return text;
}

std::string Position::to_string() const {
  char buffer[96];
  char* at = buffer;
  char* const end = buffer + sizeof buffer;
  auto number = [&](size_t n) { at = std::to_chars(at, end, n).ptr; };
  size_t name = std::min<size_t>(segment.size(), 32);
  at = std::copy_n(segment.data(), name, at);
  if (segment_repetition > 1 || field) {
    *at++ = '[';
    number(segment_repetition);
    *at++ = ']';
  }
  if (field) {
    *at++ = '-';
    number(field);
    if (field_repetition) {
      *at++ = '[';
      number(field_repetition);
      *at++ = ']';
    }
    if (component) {
      *at++ = '.';
      number(component);
    }
    if (subcomponent) {
      *at++ = '.';
      number(subcomponent);
    }
  }
  return std::string(buffer, at);
}

namespace {

// MSH-18 (table 0211; its first repetition is the message's own set): a single-byte set,
// or none for UTF-8 (ASCII is a part of it). Fails for the sets this reader cannot decode.
Result<std::optional<engine::SingleByteCharset>> read_charset(const Message& message) {
  using R = Result<std::optional<engine::SingleByteCharset>>;
  std::string name = message.character_set();
  for (char& c : name) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (name == "8859/1" || name == "ISO IR100") return R(engine::SingleByteCharset::Latin1);
  if (name == "8859/15") return R(engine::SingleByteCharset::Latin9);
  if (name.empty() || name == "ASCII" || name == "ISO IR6" || name == "UNICODE" || name == "UNICODE UTF-8" ||
      name == "UTF-8" || name == "ISO IR192")
    return R(std::optional<engine::SingleByteCharset>());
  return R::failure("structure", "MSH-18: the character set '" + message.character_set() +
                                     "' is not supported (ASCII, 8859/1, 8859/15, UNICODE UTF-8)");
}

}  // namespace

Result<Message> parse_er7(std::string_view text, const ParseLimits& limits) {
  if (text.size() > limits.max_bytes) return failure("message", "larger than " + std::to_string(limits.max_bytes) + " bytes");
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a UTF-8 byte order mark
  while (!text.empty() && (text.front() == '\r' || text.front() == '\n' || text.front() == 0x0B)) text.remove_prefix(1);
  auto delimiters = read_delimiters(text);
  if (!delimiters) return Result<Message>(delimiters.issues());
  Message message;
  message.delimiters_ = *delimiters;
  message.text_ = std::make_unique<const std::string>(text);
  text = *message.text_;  // the fields are views into the message's own copy
  std::vector<std::pair<std::string_view, size_t>> seen;  // segment name → how many so far (few names)
  auto count = [&seen](std::string_view name) -> size_t {
    for (auto& [n, c] : seen)
      if (n == name) return ++c;
    seen.emplace_back(name, 1);
    return 1;
  };
  size_t number = 0;
  while (!text.empty()) {
    size_t end = text.find_first_of("\r\n");
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    if (line.empty() || line == "\x1C") continue;  // blank lines between segments, the MLLP end block
    ++number;
    if (message.segments_.size() >= limits.max_segments)
      return failure("message", "more than " + std::to_string(limits.max_segments) + " segments");
    Segment segment;
    std::string_view name = line.substr(0, line.find(message.delimiters_.field));
    segment.name = std::string(name);
    if (!valid_name(segment.name))
      return failure("segment " + std::to_string(number), "'" + segment.name.substr(0, 20) +
                                                              "' is not a segment name (three capital letters or digits)");
    segment.repetition = count(name);
    bool msh = segment.name == "MSH";
    if (msh && number > 1) return failure("segment " + std::to_string(number), "a second MSH in one message");
    segment.fields.emplace_back(name);
    if (msh) segment.fields.emplace_back(line.substr(3, 1));  // MSH-1 is the separator itself
    std::string_view rest = line.size() > 3 ? line.substr(4) : std::string_view();
    while (line.size() > 3) {
      if (segment.fields.size() > limits.max_fields)
        return failure(segment.name, "more than " + std::to_string(limits.max_fields) + " fields");
      size_t at = rest.find(message.delimiters_.field);
      segment.fields.emplace_back(rest.substr(0, at));
      if (at == std::string_view::npos) break;
      rest.remove_prefix(at + 1);
    }
    message.segments_.push_back(std::move(segment));
  }
  auto charset = read_charset(message);
  if (!charset) return Result<Message>(charset.issues());
  message.single_byte_ = *charset;
  if (!*charset && fhir::json::find_invalid_utf8(*message.text_) != std::string::npos) {
    if (!message.character_set().empty() && message.character_set() != "ASCII" && message.character_set() != "ISO IR6") return message;
    message.single_byte_ = engine::SingleByteCharset::Windows1252;  // what Latin-1 senders on Windows write
    message.notes_.push_back({Severity::Warning, "value",
                              "MSH[1]-18: the message names no character set beyond ASCII and is not UTF-8: "
                              "it was read as Windows-1252 (Latin-1); the sender should say so in MSH-18 (8859/1)",
                              {}, {}});
  }
  return message;
}

const Segment* Message::segment(std::string_view name, size_t repetition) const {
  for (const auto& s : segments_) {
    if (s.name == name && s.repetition == repetition) return &s;
  }
  return nullptr;
}

std::string_view Message::part(const Segment& segment, size_t field, size_t repetition, size_t component,
                               size_t subcomponent) const {
  if (field >= segment.fields.size()) return {};
  std::string_view raw = segment.fields[field];
  if (segment.name == "MSH" && field <= 2) return raw;  // the delimiters are not split
  raw = nth(raw, delimiters_.repetition, repetition);
  raw = nth(raw, delimiters_.component, component);
  return nth(raw, delimiters_.subcomponent, subcomponent);
}

std::string Message::value(const Segment& segment, size_t field, size_t repetition, size_t component,
                           size_t subcomponent) const {
  std::string_view raw = part(segment, field, repetition, component, subcomponent);
  if (segment.name == "MSH" && field <= 2) return std::string(raw);
  // "" is v2's null (2.5.3: "the value is to be deleted"), never the text of two quotes: it
  // reads as no value, so nothing stores it (a name "\"\"", a phone "\"\"").
  if (raw == "\"\"") return {};
  return decode(raw);
}

bool Message::is_null(const Segment& segment, size_t field) const {
  return field < segment.fields.size() && segment.fields[field] == "\"\"";
}

size_t Message::repetitions(const Segment& segment, size_t field) const {
  if (field >= segment.fields.size()) return 0;
  if (segment.name == "MSH" && field <= 2) return 1;
  return count_parts(segment.fields[field], delimiters_.repetition);
}

size_t Message::components(const Segment& segment, size_t field, size_t repetition) const {
  if (field >= segment.fields.size()) return 0;
  return count_parts(nth(segment.fields[field], delimiters_.repetition, repetition), delimiters_.component);
}

std::string Message::decode(std::string_view raw) const {
  std::string out;
  out.reserve(raw.size());
  const Delimiters& d = delimiters_;
  while (!raw.empty()) {
    size_t at = raw.find(d.escape);
    size_t close = at == std::string_view::npos ? at : raw.find(d.escape, at + 1);
    if (close == std::string_view::npos) {  // no (complete) escape sequence left: the rest is text
      append_text(out, raw, single_byte_);
      break;
    }
    append_text(out, raw.substr(0, at), single_byte_);
    std::string_view sequence = raw.substr(at + 1, close - at - 1);
    raw.remove_prefix(close + 1);
    if (sequence == "F") out += d.field;
    else if (sequence == "S") out += d.component;
    else if (sequence == "T") out += d.subcomponent;
    else if (sequence == "R") out += d.repetition;
    else if (sequence == "E") out += d.escape;
    else if (sequence == "P" && d.truncation) out += d.truncation;
    else if (sequence == ".br" || sequence == ".ce") out += '\n';  // a line break; centring has no meaning in FHIR text
    else if (sequence.starts_with(".sp")) out.append(vertical_space(sequence.substr(3)), '\n');
    else if (sequence == ".fi" || sequence == ".nf") continue;  // word wrap on and off
    // Indenting a line (\.in <number>\, \.ti <number>\) has no meaning in FHIR text, as centring;
    // skipping <number> spaces to the right (\.sk\) is spaces, at most a line's worth.
    else if (sequence.starts_with(".in") || sequence.starts_with(".ti")) continue;
    else if (sequence.starts_with(".sk")) out.append(std::min<size_t>(vertical_space(sequence.substr(3)), 80), ' ');
    else if (sequence == "H" || sequence == "N") continue;  // highlighting on and off: no meaning in FHIR text
    else if (std::string bytes; !sequence.empty() && sequence[0] == 'X' && hex_bytes(sequence.substr(1), bytes))
      append_text(out, bytes, single_byte_);
    else {  // an escape this reader does not know (\Cxxyy\, \Zxx\, a malformed \XZZ\, ...) is kept as written
      out += d.escape;
      append_text(out, sequence, single_byte_);
      out += d.escape;
    }
  }
  return out;
}

std::string Message::message_code() const {
  const Segment* msh = segment("MSH");
  return msh ? value(*msh, 9, 1, 1) : std::string();
}

std::string Message::trigger_event() const {
  const Segment* msh = segment("MSH");
  return msh ? value(*msh, 9, 1, 2) : std::string();
}

std::string Message::structure() const {
  const Segment* msh = segment("MSH");
  return msh ? value(*msh, 9, 1, 3) : std::string();
}

std::string Message::control_id() const {
  const Segment* msh = segment("MSH");
  return msh ? value(*msh, 10) : std::string();
}

std::string Message::version() const {
  const Segment* msh = segment("MSH");
  return msh ? value(*msh, 12, 1, 1) : std::string();
}

std::string Message::character_set() const {
  const Segment* msh = segment("MSH");
  return msh ? value(*msh, 18) : std::string();
}

}  // namespace carebridge::mappings::hl7v2
