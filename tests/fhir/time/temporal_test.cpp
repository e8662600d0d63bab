// The time model: each written form read and written back at each precision, what each
// FHIR type refuses and the words it says why, order across precisions and zones,
// boundaries and UTC spans.
#include <catch2/catch.hpp>

#include <string>

#include "fhir/time/temporal.h"

using namespace carebridge::fhir::time;

namespace {

// The text read in `syntax` and written back; "refused" when it is not valid.
std::string round_trip(std::string_view text, Syntax syntax) {
  auto t = try_parse(text, syntax);
  return t ? format(*t) : "refused";
}

bool valid(std::string_view text, Syntax syntax) { return try_parse(text, syntax).has_value(); }

// The reason parse() gives for refusing `text` ("" when it accepts it).
std::string why(std::string_view text, Syntax syntax) {
  auto r = parse(text, syntax);
  return r ? "" : r.message();
}

std::optional<int> order(std::string_view a, std::string_view b, Syntax syntax = Syntax::FhirPathDateTime) {
  auto x = try_parse(a, syntax), y = try_parse(b, syntax);
  REQUIRE(x);
  REQUIRE(y);
  return compare(*x, *y);
}

}  // namespace

TEST_CASE("each precision of a date-time is read and written back as it was", "[time]") {
  for (const char* text : {"2024", "2024-03", "2024-03-05", "2024-03-05T07:08:09Z", "2024-03-05T07:08:09.1Z",
                           "2024-03-05T07:08:09.123+01:00", "2024-03-05T07:08:09.123456789-05:30",
                           "0001-01-01", "9999-12-31T23:59:59.999+14:00"}) {
    CHECK(round_trip(text, Syntax::DateTime) == text);
  }
  auto t = try_parse("2024-03-05T07:08:09.1234+01:00", Syntax::Instant);
  REQUIRE(t);
  CHECK(t->precision == Precision::Fraction);
  CHECK(t->fraction_digits == 4);
  CHECK(t->nanosecond == 123'400'000);
  CHECK(t->millisecond() == 123);
  CHECK(t->zone_minutes == 60);
  CHECK_FALSE(t->zulu);
  CHECK(try_parse("2024-03", Syntax::Date)->precision == Precision::Month);
  CHECK(try_parse("2024-03-05T07:08:09Z", Syntax::DateTime)->precision == Precision::Second);
  CHECK(round_trip("12:30:00.5", Syntax::Time) == "12:30:00.5");
  CHECK(try_parse("12:30:00", Syntax::Time)->is_time);
}

TEST_CASE("digits past the ninth are read but not kept, FHIRPath keeps milliseconds", "[time]") {
  CHECK(round_trip("2024-03-05T07:08:09.12345678901Z", Syntax::DateTime) == "2024-03-05T07:08:09.123456789Z");
  CHECK(round_trip("2024-03-05T07:08:09.5Z", Syntax::FhirPathDateTime) == "2024-03-05T07:08:09.500Z");
  CHECK(round_trip("2024-03-05T07:08:09.123456Z", Syntax::FhirPathDateTime) == "2024-03-05T07:08:09.123Z");
}

TEST_CASE("FHIR date, dateTime, instant and time formats", "[time]") {
  CHECK(valid("2024-02-29", Syntax::Date));
  CHECK_FALSE(valid("2023-02-29", Syntax::Date));
  CHECK_FALSE(valid("2024-1-01", Syntax::Date));
  CHECK_FALSE(valid("2024-03-05T07:08:09Z", Syntax::Date));  // a date has no time
  CHECK_FALSE(valid("2024-03-05Z", Syntax::Date));
  CHECK(valid("2024", Syntax::DateTime));
  CHECK_FALSE(valid("2024-03-05T07:08:09", Syntax::DateTime));  // a time needs a zone
  CHECK_FALSE(valid("2024-03-05T07:08Z", Syntax::DateTime));    // ... and seconds
  CHECK_FALSE(valid("2024-03T07:08:09Z", Syntax::DateTime));    // ... and a full date
  CHECK_FALSE(valid("2024-03-05T", Syntax::DateTime));
  CHECK(valid("2024-03-05T07:08:09Z", Syntax::Instant));
  CHECK_FALSE(valid("2024-03-05", Syntax::Instant));  // an instant needs a time
  CHECK_FALSE(valid("2024-03-05T07:08:09", Syntax::Instant));
  CHECK(valid("00:00:00", Syntax::Time));
  CHECK_FALSE(valid("12:30", Syntax::Time));
  CHECK_FALSE(valid("12:30:00Z", Syntax::Time));  // a time of day has no zone
}

TEST_CASE("the field ranges every form shares", "[time]") {
  for (Syntax syntax : {Syntax::DateTime, Syntax::Instant, Syntax::SearchDate, Syntax::FhirPathDateTime}) {
    CHECK(valid("2024-12-31T23:59:59.999Z", syntax));
    CHECK_FALSE(valid("0000-01-01T00:00:00Z", syntax));  // years are 0001 to 9999
    CHECK_FALSE(valid("2024-13-01T00:00:00Z", syntax));
    CHECK_FALSE(valid("2024-04-31T00:00:00Z", syntax));
    CHECK_FALSE(valid("2024-01-01T24:00:00Z", syntax));  // 24:00 is the next day
    CHECK_FALSE(valid("2024-01-01T10:60:00Z", syntax));
    CHECK_FALSE(valid("2016-12-31T23:59:61Z", syntax));
    CHECK(valid("2024-01-01T10:00:00+14:00", syntax));
    CHECK(valid("2024-01-01T10:00:00-13:59", syntax));
    CHECK_FALSE(valid("2024-01-01T10:00:00+14:30", syntax));
    CHECK_FALSE(valid("2024-01-01T10:00:00+01:60", syntax));
    CHECK_FALSE(valid("2024-01-01T10:00:00+0100", syntax));
    CHECK_FALSE(valid("2024-01-01T10:00:00.Z", syntax));
  }
  CHECK_FALSE(valid("24:00:00", Syntax::Time));
  // A leap second: FHIR's primitives allow 60 (the R4 regexes), FHIRPath's literals do not.
  CHECK(valid("23:59:60", Syntax::Time));
  CHECK(valid("2016-12-31T23:59:60Z", Syntax::DateTime));
  CHECK(valid("2016-12-31T23:59:60Z", Syntax::Instant));
  CHECK_FALSE(valid("2016-12-31T23:59:60Z", Syntax::FhirPathDateTime));
}

TEST_CASE("a date search value may stop at minutes and leave out the zone", "[time]") {
  CHECK(valid("2024-03-05T07:08", Syntax::SearchDate));
  CHECK(valid("2024-03-05T07:08:09.5", Syntax::SearchDate));
  CHECK_FALSE(valid("2024-03-05T07", Syntax::SearchDate));
  CHECK_FALSE(valid("2024T", Syntax::SearchDate));
  CHECK_FALSE(valid("yesterday", Syntax::SearchDate));
}

TEST_CASE("FHIRPath literals: partial times, a bare T, no zone needed", "[time]") {
  CHECK(round_trip("2014T", Syntax::FhirPathDateTime) == "2014T");
  CHECK(round_trip("2014-01-05T", Syntax::FhirPathDateTime) == "2014-01-05T");
  CHECK(round_trip("2014-01-05T10", Syntax::FhirPathDateTime) == "2014-01-05T10");
  CHECK(round_trip("2014-01-05T10:30+01:00", Syntax::FhirPathDateTime) == "2014-01-05T10:30+01:00");
  CHECK(round_trip("10", Syntax::FhirPathTime) == "10");
  CHECK(round_trip("10:30:00.1", Syntax::FhirPathTime) == "10:30:00.100");
  CHECK_FALSE(valid("2014-01T10", Syntax::FhirPathDateTime));  // a time follows a full date
  CHECK_FALSE(valid("2014TZ", Syntax::FhirPathDateTime));       // a zone follows a time
  CHECK_FALSE(valid("10:30Z", Syntax::FhirPathTime));
}

TEST_CASE("a refusal says what is wrong, where, and the form", "[time]") {
  CHECK(why("2024-13", Syntax::Date) ==
        "'2024-13' is not a valid date: the month must be 01 to 12 (at character 6); the form is YYYY, YYYY-MM or "
        "YYYY-MM-DD");
  CHECK(why("2023-02-29", Syntax::Date).find("that month has no such day (at character 9)") != std::string::npos);
  CHECK(why("2024-01-01T10:00:00", Syntax::DateTime).find("needs a time zone") != std::string::npos);
  CHECK(why("2024-01-01T24:00:00Z", Syntax::Instant).find("hours are 00 to 23") != std::string::npos);
  CHECK(why("2024-01-01T23:59:61Z", Syntax::Instant).find("60 a leap second") != std::string::npos);
  CHECK(why("2024-01-01", Syntax::Instant).find("a time is needed") != std::string::npos);
  CHECK(why("0000", Syntax::Date).find("years are 0001 to 9999") != std::string::npos);
  CHECK(why("12:30", Syntax::Time).find("needs seconds") != std::string::npos);
  CHECK(why("2024-01-01 ", Syntax::Date).find("unexpected characters after the value (at character 11)") !=
        std::string::npos);
  CHECK(why("", Syntax::Date).find("four-digit year") != std::string::npos);
  auto r = parse("2024-13", Syntax::Date);
  REQUIRE(r.issues().size() == 1);
  CHECK(r.issues()[0].code == "value");
  // A long value is cut short in the message.
  CHECK(why(std::string(5000, '9'), Syntax::Date).size() < 200);
}

TEST_CASE("untrusted text never crashes the reader", "[time]") {
  const std::string seeds[] = {"2024-03-05T07:08:09.123+01:00", "23:59:59.999", "2014T", "2024-02-29"};
  const char alphabet[] = "0123456789-:T.Z+ x\xff";
  for (const auto& seed : seeds) {
    for (size_t at = 0; at <= seed.size(); ++at) {
      for (char c : std::string_view(alphabet, sizeof alphabet - 1)) {
        std::string changed = seed;
        changed.insert(changed.begin() + static_cast<std::ptrdiff_t>(at), c);
        std::string cut = seed.substr(0, at);
        for (int s = 0; s <= static_cast<int>(Syntax::FhirPathTime); ++s) {
          for (const std::string& text : {changed, cut}) {
            auto r = parse(text, static_cast<Syntax>(s));
            CHECK(r.ok() == try_parse(text, static_cast<Syntax>(s)).has_value());
            if (r) CHECK(try_parse(format(*r), static_cast<Syntax>(s)).has_value());
          }
        }
      }
    }
  }
}

TEST_CASE("order at different precisions is unknown when the coarser one is equal", "[time]") {
  CHECK(order("2012-04-15", "2012-04-16") == -1);
  CHECK(order("2012-04", "2012-04-15").has_value() == false);
  CHECK(order("2012-04", "2012-05-15") == -1);  // decided before the precisions part
  CHECK(order("2012-04-15T10:00:00Z", "2012-04-15T10:00:00.000Z") == 0);  // seconds and fraction are one precision
  CHECK(order("2012-04-15T10:00:00Z", "2012-04-15T10:00:00.001Z") == -1);
  CHECK(order("2012-04-15T10:00:00.0001Z", "2012-04-15T10:00:00.0002Z", Syntax::DateTime) == -1);
  CHECK_FALSE(order("2012-04-15T10:00Z", "2012-04-15T10:00:00Z").has_value());
  CHECK(order("10:00", "11:00", Syntax::FhirPathTime) == -1);
}

TEST_CASE("order across zones: date-times in UTC, a zone against none unknown past the date", "[time]") {
  CHECK(order("2012-04-15T15:00:00+02:00", "2012-04-15T13:00:00Z") == 0);
  CHECK(order("2012-04-15T15:00:00+02:00", "2012-04-15T14:00:00Z") == -1);
  CHECK(order("2012-04-16T01:00:00+05:00", "2012-04-15T21:00:00Z") == -1);  // the UTC date differs too
  CHECK_FALSE(order("2012-04-15T15:00:00", "2012-04-15T15:00:00Z").has_value());
  CHECK(order("2012-04-15T15:00:00", "2012-04-16T15:00:00Z") == -1);  // the dates already differ
  // A date against a date-time: the date as written, not the UTC date.
  CHECK_FALSE(order("2012-04-15T23:30:00-05:00", "2012-04-15").has_value());
  CHECK(order("2012-04-16", "2012-04-15T20:00:00-05:00") == 1);
  auto time = try_parse("10:00", Syntax::FhirPathTime), date = try_parse("2012", Syntax::FhirPathDateTime);
  CHECK_FALSE(compare(*time, *date).has_value());
}

TEST_CASE("boundaries fill what the precision leaves out", "[time]") {
  auto t = try_parse("2024-02", Syntax::Date);
  CHECK(format(boundary(*t, false)) == "2024-02-01T00:00:00.000");
  CHECK(format(boundary(*t, true)) == "2024-02-29T23:59:59.999");
  auto zoned = try_parse("2024-02-03T10:20:30+01:00", Syntax::DateTime);
  CHECK(format(boundary(*zoned, true)) == "2024-02-03T10:20:30.999+01:00");
  auto fine = try_parse("2024-02-03T10:20:30.25Z", Syntax::DateTime);
  CHECK(format(boundary(*fine, true)) == "2024-02-03T10:20:30.25Z");  // already to the fraction
  auto clock = try_parse("10:30", Syntax::FhirPathTime);
  CHECK(format(boundary(*clock, true)) == "10:30:59.999");
}

TEST_CASE("a value spans the UTC time its precision covers", "[time]") {
  auto span = [](std::string_view text) {
    auto t = try_parse(text, Syntax::SearchDate);
    REQUIRE(t);
    auto s = utc_span(*t);
    REQUIRE(s);
    return *s;
  };
  constexpr int64_t k2024 = 1704067200;  // 2024-01-01T00:00:00Z
  CHECK(span("2024").start.seconds == k2024);
  CHECK(span("2024").end.seconds == k2024 + 366 * 86400);
  CHECK(span("2024-02").end.seconds - span("2024-02").start.seconds == 29 * 86400);
  CHECK(span("2024-01-01").end.seconds == k2024 + 86400);
  CHECK(span("2024-01-01T10:00").end.seconds - span("2024-01-01T10:00").start.seconds == 60);
  CHECK(span("2024-01-01T01:00:00+01:00").start.seconds == k2024);
  CHECK(span("2024-01-01T00:00:00-00:30").start.seconds == k2024 + 1800);
  CHECK(span("2024-01-01T00:00:00").start.seconds == k2024);  // no zone: UTC
  auto fraction = span("2024-01-01T00:00:00.25Z");
  CHECK(fraction.start.nanos == 250'000'000);
  CHECK(fraction.end.nanos == 260'000'000);
  auto last = span("2024-01-01T00:00:00.9Z");
  CHECK((last.end == EpochTime{k2024 + 1, 0}));
  CHECK(span("0001-01-01").start.seconds == -62135596800);
  CHECK_FALSE(utc_span(*try_parse("10:00:00", Syntax::Time)).has_value());
}
