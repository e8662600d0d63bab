// mappings/hl7v2: HL7 v2 messages in their ER7 ("pipe and hat") encoding, as interface
// engines send them. The separators come from MSH-1 and MSH-2 (never assumed); segments
// end with CR, LF or CRLF; fields repeat, have components and sub-components; escape
// sequences (\F\ \S\ \T\ \R\ \E\, \Xhh\, \.br\, \.sp\) are decoded; MSH-18 chooses the
// character set (ASCII, 8859/1, 8859/15, UTF-8 by any of its table 0211 names; none given and
// bytes that are not UTF-8: Windows-1252, with a note); text is returned as UTF-8. Z-segments are kept like
// any other. Every value knows where it came from: "PID[1]-3[2].4.1" (segment, its
// repetition among segments of that name, field, field repetition, component,
// sub-component), and every error says where and what.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fhir/model/result.h"
#include "mappings/engine/text_encoding.h"

namespace carebridge::mappings::hl7v2 {

// The message's delimiters (MSH-1 and MSH-2).
struct Delimiters {
  char field = '|';
  char component = '^';
  char repetition = '~';
  char escape = '\\';
  char subcomponent = '&';
  char truncation = 0;  // v2.7+ fifth encoding character; 0: none
};

// Where a value is: SEG[rep]-field[rep].component.subcomponent (1-based; 0: not given).
struct Position {
  std::string segment;  // "PID"
  size_t segment_repetition = 1;
  size_t field = 0;
  size_t field_repetition = 0;
  size_t component = 0;
  size_t subcomponent = 0;
  std::string to_string() const;  // "PID[1]-3[2].4.1", "OBX[2]-5", "MSH"
};

// One segment: its name and its fields as received (raw, still escaped). For MSH, field 1
// is the field separator and field 2 the encoding characters, as the standard numbers them.
struct Segment {
  std::string name;
  size_t repetition = 1;                 // among the message's segments of this name
  std::vector<std::string_view> fields;  // fields[0] is the name; fields[n] is field n (views into the message)
};

struct ParseLimits {
  size_t max_bytes = 16u << 20;
  // A segment becomes a resource or part of one (about 10 KB while it is mapped and
  // validated): 20,000 segments bound one message to about 200 MB. A laboratory's largest
  // results are a few hundred OBX segments.
  size_t max_segments = 20000;
  size_t max_fields = 1000;  // per segment
};

// A parsed message owns its text; its segments' fields are views into it. Movable, not
// copyable (a copy's views would point into the original).
class Message {
 public:
  Message() = default;
  Message(Message&&) noexcept = default;
  Message& operator=(Message&&) noexcept = default;
  Message(const Message&) = delete;
  Message& operator=(const Message&) = delete;

  const Delimiters& delimiters() const { return delimiters_; }
  const std::vector<Segment>& segments() const { return segments_; }
  // The `repetition`th segment named `name`, or null.
  const Segment* segment(std::string_view name, size_t repetition = 1) const;
  // The decoded text at a position (field repetition, component and sub-component default
  // to the first): "" when absent, and for v2's null "". A field's repetitions, components and sub-components
  // past the first are reached with the position's numbers.
  std::string value(const Segment& segment, size_t field, size_t repetition = 1, size_t component = 1,
                    size_t subcomponent = 1) const;
  // Whether a field was sent as v2's null `""` (2.5.3: the receiver deletes what it has),
  // as against left empty (the receiver keeps what it has).
  bool is_null(const Segment& segment, size_t field) const;
  // How many repetitions a field has (0 when empty), and how many components one has.
  size_t repetitions(const Segment& segment, size_t field) const;
  size_t components(const Segment& segment, size_t field, size_t repetition = 1) const;
  // MSH-9 (message code, trigger event, structure), MSH-10, MSH-12, MSH-18.
  std::string message_code() const;
  std::string trigger_event() const;
  std::string structure() const;
  std::string control_id() const;
  std::string version() const;
  std::string character_set() const;

  // Decodes a raw field part's escape sequences (and the character set) into UTF-8.
  std::string decode(std::string_view raw) const;
  // Warnings from reading the message (a character set assumed), each at its position.
  const std::vector<Issue>& notes() const { return notes_; }

 private:
  friend carebridge::Result<Message> parse_er7(std::string_view text, const ParseLimits& limits);
  std::string_view part(const Segment& segment, size_t field, size_t repetition, size_t component,
                        size_t subcomponent) const;
  // The message as received; the fields are views into it. On the heap, so that moving the
  // Message never moves the bytes (a short string lives inside the string object itself).
  std::unique_ptr<const std::string> text_;
  Delimiters delimiters_;
  std::vector<Segment> segments_;
  // Bytes above 0x7F are characters of this set (MSH-18 8859/1, 8859/15; or Windows-1252
  // when MSH-18 names none and the text is not UTF-8); none: the text is UTF-8.
  std::optional<engine::SingleByteCharset> single_byte_;
  std::vector<Issue> notes_;
};

// Escapes text for a field: the delimiters become \F\ \S\ \R\ \E\ \T\, a line break \.br\ too
// (carriage returns are dropped).
std::string escape(std::string_view text, const Delimiters& delimiters = {});
// The current time as a v2 DTM in UTC ("20261128083000+0000").
std::string v2_now();

// Parses a message; fails, saying where and what, when it is not ER7 HL7 v2 (no MSH first,
// bad encoding characters, a malformed segment name, beyond the limits).
carebridge::Result<Message> parse_er7(std::string_view text, const ParseLimits& limits = {});

}  // namespace carebridge::mappings::hl7v2
