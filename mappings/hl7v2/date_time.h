// v2 dates and times (DT, DTM, TS) as FHIR date and dateTime. v2's own form is
// YYYY[MM[DD[HH[MM[SS[.S+]]]]]][+/-ZZZZ]; senders also write ISO 8601 ("1980-01-15",
// "2025-01-01T10:00:00"), which is read as what it is (and reported), never cut short.
// A date that names no real day (February 30th, month 13) is no date at all.
#pragma once

#include <string>
#include <string_view>

namespace carebridge::mappings::hl7v2 {

// The FHIR form of a v2 DTM ("19800115" → "1980-01-15"; times take `timezone` when they
// have no zone of their own); "" when the text is not one or names no real day.
std::string fhir_date_time(std::string_view v2, std::string_view timezone, bool date_only = false);

// What reading a date/time field found.
struct MomentReading {
  enum class Form { V2, Iso8601, NoSuchDay, NotAMoment };
  std::string fhir;  // the FHIR date or dateTime; "" unless V2 or Iso8601
  Form form = Form::NotAMoment;
};

// A date/time field as sent: v2's DTM, else an unambiguous ISO 8601 date or date-time
// (YYYY-MM[-DD] with T or a space before hh:mm[:ss[.s]] and Z or +/-hh[:]mm).
MomentReading read_moment(std::string_view text, std::string_view timezone, bool date_only = false);

// The words a warning uses for a reading that is not plain v2 ("" for V2): "'1980-01-15'
// is ISO 8601, not v2's date/time format (YYYYMMDDHHMMSS+ZZZZ); it was read as 1980-01-15".
// `dropped` ends the sentence of a value that could not be read (" and was left out").
std::string moment_warning(const MomentReading& reading, std::string_view text, std::string_view dropped);

// The zone of a message's times (MSH-7's, "-05:00"), else `configured`; "" when neither gives one.
std::string message_time_zone(const std::string& msh7, const std::string& configured);

}  // namespace carebridge::mappings::hl7v2
