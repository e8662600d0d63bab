// Date/time arithmetic (FHIRPath N1 "Date/Time Arithmetic", with calendar semantics):
// calendar keywords and UCUM definite durations, whole-unit truncation, partial
// precisions, month ends, the units each kind of value accepts, and what results keep.
#include <catch2/catch.hpp>

#include "fhirpath_fixture.h"

using namespace carebridge::testing::fhirpath;
using Strings = std::vector<std::string>;

TEST_CASE("calendar duration keywords move dates, date-times and times", "[fhirpath][dates]") {
  CHECK(value("@2014-01-01 + 1 year") == "2015-01-01");
  CHECK(value("@2014-01-01 + 2 years") == "2016-01-01");
  CHECK(value("@2014-01-01 + 1 month") == "2014-02-01");
  CHECK(value("@2014-01-01 + 14 months") == "2015-03-01");
  CHECK(value("@2014-01-01 + 1 week") == "2014-01-08");
  CHECK(value("@2014-01-01 + 2 weeks") == "2014-01-15");
  CHECK(value("@2014-01-01 + 1 day") == "2014-01-02");
  CHECK(value("@2014-01-01 - 1 day") == "2013-12-31");
  CHECK(value("@2014-01-01 - 13 months") == "2012-12-01");
  CHECK(value("@2014-01-01T10:00:00.000Z + 1 hour") == "2014-01-01T11:00:00.000Z");
  CHECK(value("@2014-01-01T10:00:00.000Z + 30 minutes") == "2014-01-01T10:30:00.000Z");
  CHECK(value("@2014-01-01T10:00:00.000Z - 1 minute") == "2014-01-01T09:59:00.000Z");
  CHECK(value("@2014-01-01T10:00:00.000Z + 15 seconds") == "2014-01-01T10:00:15.000Z");
  CHECK(value("@2014-01-01T10:00:00.000Z + 250 milliseconds") == "2014-01-01T10:00:00.250Z");
  CHECK(value("@2014-01-01T23:00:00.000Z + 2 hours") == "2014-01-02T01:00:00.000Z");
  CHECK(value("@2014-01-01T10:00:00Z + 1 year") == "2015-01-01T10:00:00Z");
  CHECK(value("@T10:00:00 + 3 hours") == "13:00:00");
  CHECK(value("@T23:30:00 + 1 hour") == "00:30:00");  // times wrap around midnight
  CHECK(value("@T01:00:00 - 2 hours") == "23:00:00");
  CHECK(value("@T01:00:00 + 48 hours") == "01:00:00");
}

TEST_CASE("UCUM definite durations move dates as their calendar words do", "[fhirpath][dates]") {
  CHECK(value("@1973-12-25 + 1 'wk'") == "1974-01-01");
  CHECK(value("@1973-12-25 + 1 'd'") == "1973-12-26");
  CHECK(value("@1973-12-25T00:00:00.000+10:00 + 1 'h'") == "1973-12-25T01:00:00.000+10:00");
  CHECK(value("@1973-12-25T00:00:00.000+10:00 + 1 'min'") == "1973-12-25T00:01:00.000+10:00");
  CHECK(value("@1973-12-25T00:00:00.000+10:00 + 1 's'") == "1973-12-25T00:00:01.000+10:00");
  CHECK(value("@1973-12-25T00:00:00.000+10:00 + 10 'ms'") == "1973-12-25T00:00:00.010+10:00");
  CHECK(value("@T12:00 - 90 'min'") == "10:30");
  // A quoted calendar word is that calendar duration's unit representation.
  CHECK(value("@1974-12-25 - 1 'month'") == "1974-11-25");
  CHECK(value("@1974-12-25 + 2 'years'") == "1976-12-25");
}

TEST_CASE("UCUM mean years and months are not calendar durations", "[fhirpath][dates]") {
  CHECK(is_error("@1973-12-25 + 1 'a'"));
  CHECK(is_error("@1973-12-25 + 1 'mo'"));
  CHECK(is_error("@1973-12-25T10:00:00Z - 1 'a'"));
  CHECK(value("@1973-12-25 + 1 'a'").find("calendar") != std::string::npos);  // the error says what to write
  CHECK(value("@1973-12-25 + 1 year") == "1974-12-25");
}

TEST_CASE("month and year steps keep the day where the month has it", "[fhirpath][dates]") {
  CHECK(value("@2014-01-31 + 1 month") == "2014-02-28");
  CHECK(value("@2016-01-31 + 1 month") == "2016-02-29");
  CHECK(value("@2014-03-31 - 1 month") == "2014-02-28");
  CHECK(value("@2014-05-31 + 1 month") == "2014-06-30");
  CHECK(value("@2016-02-29 + 1 year") == "2017-02-28");
  CHECK(value("@2016-02-29 + 4 years") == "2020-02-29");
  CHECK(value("@2014-01-31T10:00:00Z + 1 month") == "2014-02-28T10:00:00Z");
  CHECK(value("@2014-12-31 + 1 day") == "2015-01-01");
  CHECK(value("@2016-02-28 + 1 day") == "2016-02-29");
  CHECK(value("@2019-03-01 + 24 months") == "2021-03-01");
}

TEST_CASE("decimal amounts count in whole units", "[fhirpath][dates]") {
  CHECK(value("@1973-12-25 + 7.7 days") == "1974-01-01");
  CHECK(value("@1973-12-25T00:00:00.000+10:00 + 7.7 days") == "1974-01-01T00:00:00.000+10:00");
  CHECK(value("@1973-12-25T00:00:00.000+10:00 + 0.1 's'") == "1973-12-25T00:00:00.000+10:00");
  CHECK(value("@1973-12-25T00:00:00.000+10:00 + 1.9 seconds") == "1973-12-25T00:00:01.000+10:00");
  CHECK(value("@2014-01-01T10:00:00Z + 1.5 hours") == "2014-01-01T11:00:00Z");
  CHECK(value("@2014-01-10 - 1.5 days") == "2014-01-09");
  CHECK(value("@2014-01-10 + 0.5 'wk'") == "2014-01-10");
}

TEST_CASE("partial dates take amounts converted to their own precision", "[fhirpath][dates]") {
  CHECK(value("@2014 + 24 months") == "2016");
  CHECK(value("@2014 + 23 months") == "2015");
  CHECK(value("@2014 + 11 months") == "2014");
  CHECK(value("@2014 - 24 months") == "2012");
  CHECK(value("@2014 - 1 month") == "2014");
  CHECK(value("@2016 + 365 days") == "2017");  // a year counts 365 days here, leap or not
  CHECK(value("@2016 + 364 days") == "2016");
  CHECK(value("@2016 + 53 weeks") == "2017");
  CHECK(value("@2026-02 + 5 weeks") == "2026-03");  // 35 days, a month counts 30
  CHECK(value("@2026-02 + 4 weeks") == "2026-02");
  CHECK(value("@2026-02 - 1 day") == "2026-02");
  CHECK(value("@2014-01 + 60 days") == "2014-03");
  CHECK(value("@2014T + 400 days") == "2015T");
  CHECK(value("@2014-01-01T10 + 90 minutes") == "2014-01-01T11");
  CHECK(value("@2014-01-01T10:00 + 59 seconds") == "2014-01-01T10:00");
  CHECK(value("@2014-01-01T + 36 hours") == "2014-01-02T");
  CHECK(value("@T10 + 90 minutes") == "11");
}

TEST_CASE("a Date moves by hours and finer at its own precision, dropping the rest", "[fhirpath][dates]") {
  // N1 6.6: the quantity is converted to the value's precision (days) and truncated.
  CHECK(value("@2014-01-01 + 1 hour") == "2014-01-01");
  CHECK(value("@2014-01-01 + 47 hours") == "2014-01-02");
  CHECK(value("@2014-01-01 - 23 hours") == "2014-01-01");
  CHECK(value("@2014-01-01 - 48 'h'") == "2013-12-30");
  CHECK(value("@2014-01-01 + 2880 minutes") == "2014-01-03");
  CHECK(value("@2014-01-01 + 86399 seconds") == "2014-01-01");
  CHECK(value("@2014-01-01 - 86400 's'") == "2013-12-31");
  CHECK(value("@2014-01-01 - 10 milliseconds") == "2014-01-01");
  CHECK(types("@2014-01-01 + 1 hour") == Strings{"Date"});
}

TEST_CASE("a unit the value cannot hold is an error", "[fhirpath][dates]") {
  CHECK(is_error("@T10:00 + 1 day"));  // a Time moves by hours and finer
  CHECK(is_error("@T10:00 + 1 year"));
  CHECK(is_error("@T10:00 + 1 'wk'"));
  CHECK(is_error("@2014-01-01 - 1 'cm'"));
  CHECK(is_error("@2014-01-01 + 7"));
  CHECK(is_error("@2014-01-01 + (1 day | 2 days)"));
  CHECK(value("@2014-01-01T10:00:00Z + 1 hour") == "2014-01-01T11:00:00Z");  // a DateTime takes them all
}

TEST_CASE("results keep the value's type, precision and offset", "[fhirpath][dates]") {
  CHECK(types("@2014-01 + 1 month") == Strings{"Date"});
  CHECK(value("(@2014-01-01T10:00+05:00 + 1 day)") == "2014-01-02T10:00+05:00");
  CHECK(value("(@2014-01-01T10:00+05:00 + 1 day).precision()") == "12");
  CHECK(types("@2014-01-01T10:00+05:00 + 1 day") == Strings{"DateTime"});
  CHECK(value("birthDate + 1 year", "patient.json") == "1989-07-14");
  CHECK(types("birthDate + 1 year", "patient.json") == Strings{"Date"});
  // A FHIR dateTime written as a date stays a DateTime.
  CHECK(value("parameter.where(name = 'admitted').value + 1 month", "parameters.json") == "2024-02-29");
  CHECK(types("parameter.where(name = 'admitted').value + 1 month", "parameters.json") == Strings{"DateTime"});
  CHECK(value("parameter.where(name = 'checkout').value + 1 hour", "parameters.json") == "00:30:00");
  CHECK(value("{} + 1 day").empty());
  CHECK(value("@2014-01-01 + {}").empty());
  CHECK(value("@9999-12-31 + 1 day").empty());  // beyond the year 9999
  CHECK(value("@0001-01-01 - 1 year").empty());
}

TEST_CASE("FHIR quantities from the resource move dates by their UCUM code", "[fhirpath][dates]") {
  // stay is a Duration of 3 'd'; age an Age of 34 'a', a UCUM mean year.
  CHECK(value(R"(parameter.where(name = 'admitted').value + parameter.where(name = 'stay').value)",
              "parameters.json") == "2024-02-03");
  CHECK(value(R"(@2024-02-03 - parameter.where(name = 'stay').value)", "parameters.json") == "2024-01-31");
  CHECK(is_error(R"(@2024-02-03 - parameter.where(name = 'age').value)", "parameters.json"));
}
