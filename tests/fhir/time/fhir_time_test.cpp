// FHIR dates as ranges, and the server's timestamps.
#include <catch2/catch.hpp>

#include "fhir/time/fhir_time.h"

using namespace carebridge::fhir::time;

TEST_CASE("dates cover what their precision allows", "[gateway][time]") {
  auto year = date_range("2024");
  REQUIRE(year);
  CHECK(year->first == 1704067200.0);
  CHECK(year->second == Approx(1735689600.0 - 0.001));
  auto month = date_range("2024-02");
  REQUIRE(month);
  CHECK(month->second - month->first == Approx(29 * 86400.0 - 0.001));
  auto instant = date_range("2024-01-01T01:00:00+01:00");
  REQUIRE(instant);
  CHECK(instant->first == 1704067200.0);
  CHECK(date_range("2024-01-01T00:00:00.5Z")->first == Approx(1704067200.5));
  CHECK(!date_range("2024-13"));
  CHECK(!date_range("2023-02-29"));
  CHECK(!date_range("yesterday"));
  CHECK(!date_range("2024-01-01T10"));
  CHECK(!date_range("2024-01-01T24:00:00Z"));
  CHECK(format_instant(1704067200123) == "2024-01-01T00:00:00.123Z");
  CHECK(http_date(1704067200000) == "Mon, 01 Jan 2024 00:00:00 GMT");
}

TEST_CASE("search ranges: minutes, fractions, and a date-time without a zone read as UTC", "[gateway][time]") {
  auto minute = date_range("2024-01-01T10:00");
  REQUIRE(minute);
  CHECK(minute->first == 1704067200.0 + 36000);
  CHECK(minute->second == Approx(1704067200.0 + 36060 - 0.001));
  auto tenth = date_range("2024-01-01T00:00:00.5Z");
  CHECK(tenth->second == Approx(1704067200.599));
  auto fine = date_range("2024-01-01T00:00:00.1234Z");
  CHECK(fine->second == fine->first);  // finer than a millisecond: one point
  CHECK(date_range("2024-01-01T10:00:00")->first == date_range("2024-01-01T10:00:00Z")->first);
  CHECK(date_range("2024-01-01T10:00:00+05:00")->first == date_range("2024-01-01T05:00:00Z")->first);
}

TEST_CASE("an offset whose '+' a query decoded as a space is read with its '+'", "[gateway][time]") {
  // GET Observation?date=ge2024-01-01T10:00:00+05:00 sent unescaped reaches the search as
  // "2024-01-01T10:00:00 05:00"; it was refused as no date.
  REQUIRE(date_range("2024-01-01T10:00:00 05:00"));
  CHECK(date_range("2024-01-01T10:00:00 05:00")->first == date_range("2024-01-01T05:00:00Z")->first);
  CHECK(date_range("2024-01-01T10:00 05:30")->first == date_range("2024-01-01T04:30:00Z")->first);
  CHECK(!date_range("2024-01-01 05:00"));  // no time: not an offset
  CHECK(!date_range("2024-01-01T10:00:00  05:00"));
  CHECK(!date_range("2024-01-01T10:00:00 0500"));
}
