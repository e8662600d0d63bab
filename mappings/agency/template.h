// The spec language's templates: text with {placeholders} for a row's values.
//   {key}          the column's value, read and checked as its type (a Code column: its code)
//   {key|raw}      the value as the agency wrote it
//   {key|display}  a Code column's display for its code
//   {key|system}   a Code column's code system
//   {key|days}     an iCalendar day list as written, in words: MO,WE "Monday and Wednesday",
//                  2TU "the second Tuesday", -1FR "the last Friday", 1,15 "the 1st and the 15th"
//   {system:name}  the spec's identifier system called `name`
//   {agency}       the organization whose data it is (the sender's id on the gateway)
// and references: "@id" (the resource the spec calls `id`, built from the same row) or
// "@Type:system:TEMPLATE" (the resource of that type whose identifier in the spec's system
// `system` is the template's value — built from any row of the export, or already stored).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace carebridge::mappings::agency {

struct TemplatePart {
  enum class Kind { Text, Value, Raw, Display, CodeSystem, IdentifierSystem, Agency, Days } kind = Kind::Text;
  std::string text;  // literal text, the column key or the system's name
  // A placeholder's column: its index among the table's columns, when the mapper has
  // compiled the template for a table (looked up by key for every row before).
  size_t column = static_cast<size_t>(-1);
};

// The parts of a template; false (with `error`) when a brace is not closed or a
// placeholder's form is unknown.
bool parse_template(std::string_view text, std::vector<TemplatePart>& parts, std::string& error);

struct ReferenceSpec {
  std::string local;        // "@patient": the row's resource called "patient"
  std::string type;         // "@Patient:client:{PersonalID}": Patient ...
  std::string system;       // ... whose identifier in the system called "client" ...
  std::string value;        // ... is this template's value
};

// An iCalendar BYDAY or BYMONTHDAY list in English words (see {key|days}); a part it
// cannot read is kept as written.
std::string days_in_words(std::string_view list);

// Reads "@id" or "@Type:system:TEMPLATE"; false when it is neither.
bool parse_reference(std::string_view text, ReferenceSpec& out);

}  // namespace carebridge::mappings::agency
