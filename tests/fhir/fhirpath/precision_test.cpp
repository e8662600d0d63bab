// The precision functions and quantity comparability: lowBoundary()/highBoundary() on
// decimals (negative ones too), quantities, dates, date-times and times; comparable();
// and strings read as quantities by toQuantity()/convertsToQuantity().
#include <catch2/catch.hpp>

#include "fhirpath_fixture.h"

using namespace carebridge::testing::fhirpath;
using Strings = std::vector<std::string>;

TEST_CASE("boundaries of decimals", "[fhirpath][precision]") {
  CHECK(value("1.587.lowBoundary()") == "1.58650000");
  CHECK(value("1.587.lowBoundary(6)") == "1.586500");
  CHECK(value("1.587.lowBoundary(2)") == "1.58");
  CHECK(value("1.587.lowBoundary(0)") == "1");
  CHECK(value("1.587.highBoundary()") == "1.58750000");
  CHECK(value("1.587.highBoundary(2)") == "1.59");
  CHECK(value("1.587.highBoundary(0)") == "2");
  CHECK(value("12.500.lowBoundary(4)") == "12.4995");
  CHECK(value("12.500.highBoundary(4)") == "12.5005");
  CHECK(value("1.lowBoundary(5)") == "0.50000");
  CHECK(value("1.highBoundary()") == "1.50000000");
  CHECK(value("120.lowBoundary(2)") == "119.50");
  CHECK(value("0.0034.lowBoundary(1)") == "0.0");
  CHECK(value("0.0034.highBoundary(1)") == "0.0");
  // Too fine a precision, or a negative one, gives empty.
  CHECK(value("1.587.lowBoundary(32)").empty());
  CHECK(value("1.587.highBoundary(39)").empty());
  CHECK(value("1.587.lowBoundary(-1)").empty());
}

TEST_CASE("boundaries of negative decimals lie on the other side", "[fhirpath][precision]") {
  CHECK(value("(-1.587).lowBoundary()") == "-1.58750000");
  CHECK(value("(-1.587).lowBoundary(2)") == "-1.59");
  CHECK(value("(-1.587).lowBoundary(0)") == "-2");
  CHECK(value("(-1.587).highBoundary()") == "-1.58650000");
  CHECK(value("(-1.587).highBoundary(2)") == "-1.58");
  CHECK(value("(-1.587).highBoundary(6)") == "-1.586500");
  CHECK(value("(-120).lowBoundary(2)") == "-120.50");
  CHECK(value("-120.highBoundary(2)") == "-120.50");  // -(120.highBoundary(2))
  CHECK(value("(-0.0034).lowBoundary(1)") == "-0.0");
  CHECK(value("-0.0034.highBoundary(1)") == "0.0");  // negating zero gives zero
  CHECK(value("-0.0") == "0.0");
}

TEST_CASE("boundaries of quantities keep the unit", "[fhirpath][precision]") {
  CHECK(value("1.587 'cm'.lowBoundary(8)") == "1.58650000 'cm'");
  CHECK(value("1.587 'm'.highBoundary(8)") == "1.58750000 'm'");
  CHECK(types("2.5 'mg'.highBoundary()") == Strings{"Quantity"});
}

TEST_CASE("boundaries of dates, date-times and times", "[fhirpath][precision]") {
  CHECK(value("@2014.lowBoundary(6)") == "2014-01");
  CHECK(value("@2014.highBoundary(6)") == "2014-12");
  CHECK(value("@2014.highBoundary()") == "2014-12-31");
  CHECK(value("@2016-02.highBoundary(8)") == "2016-02-29");
  CHECK(value("@2014-02.highBoundary(8)") == "2014-02-28");
  CHECK(value("@2014-01-01.highBoundary(17)").empty());  // a Date stays a Date
  CHECK(value("@2014-01-01T08:05+08:00.lowBoundary(17)") == "2014-01-01T08:05:00.000+08:00");
  CHECK(value("@2014-01-01T08:05-05:00.highBoundary(17)") == "2014-01-01T08:05:59.999-05:00");
  // Without an offset the boundary spans every zone: +14:00 is the earliest, -12:00 the latest.
  CHECK(value("@2014-01-01T08:05.lowBoundary(17)") == "2014-01-01T08:05:00.000+14:00");
  // A FHIR dateTime has no hour-only form: T08 is read as 08:00.
  CHECK(value("@2014-01-01T08.lowBoundary(17)") == "2014-01-01T08:00:00.000+14:00");
  CHECK(value("@2014-01-01T08.highBoundary(17)") == "2014-01-01T08:00:59.999-12:00");
  CHECK(value("@2014-01-01T08.lowBoundary(8)") == "2014-01-01");
  CHECK(value("@T10:30.lowBoundary(9)") == "10:30:00.000");
  CHECK(value("@T10:30.highBoundary(9)") == "10:30:59.999");
  CHECK(value("@T10:30.highBoundary(6)") == "10:30:59");
  CHECK(value("identifier.period.all(start.lowBoundary() < end.highBoundary())", "patient.json") == "true");
}

TEST_CASE("comparable() tells whether quantities can be compared", "[fhirpath][precision][quantity]") {
  CHECK(value("1 'cm'.comparable(1 '[in_i]')") == "true");
  CHECK(value("1 'm'.comparable(20 'cm')") == "true");
  CHECK(value("1 'mg'.comparable(2 'mg')") == "true");
  CHECK(value("1 'cm'.comparable(1 's')") == "false");
  CHECK(value("1 'cm'.comparable(1 '[s]')") == "false");  // not a unit
  CHECK(value("2 '1'.comparable(3)") == "true");  // numbers are quantities of unit '1'
  CHECK(value("1.comparable(2.5)") == "true");
  CHECK(value("1 week.comparable(7 'd')") == "true");
  CHECK(value("6 months.comparable(1 year)") == "true");
  CHECK(value("1 year.comparable(1 'a')") == "false");  // only equivalent, never equal
  CHECK(value("1 'mo'.comparable(1 month)") == "false");
  CHECK(value("1 day.comparable(1 'a')") == "false");
  CHECK(value("{}.comparable(1 'mg')").empty());
  CHECK(value("1 'mg'.comparable({})").empty());
  CHECK(value("'x'.comparable(1 'mg')").empty());
  // Comparison operators agree with comparable().
  CHECK(value("1 year > 1 'a'").empty());
  CHECK(value("6 months < 1 year") == "true");
  CHECK(value("1 week = 7 'd'") == "true");
}

TEST_CASE("strings read as quantities", "[fhirpath][conversion][quantity]") {
  CHECK(value("'1'.toQuantity()") == "1 '1'");
  CHECK(types("'1'.toQuantity()") == Strings{"Quantity"});
  CHECK(value("'1.5 \\'mg\\''.toQuantity()") == "1.5 'mg'");
  CHECK(value("'-2 \\'cm\\''.toQuantity()") == "-2 'cm'");
  CHECK(value("'4 days'.toQuantity()") == "4 days");
  CHECK(value("'1 day'.toQuantity() = 1 'd'") == "true");
  CHECK(value("'1 \\'wk\\''.toQuantity() = 1 week") == "true");
  CHECK(value("'1 \\'mo\\''.toQuantity() = 1 month").empty());  // a mean month is not a calendar month
  CHECK(value("'1 wk'.toQuantity()").empty());  // UCUM units are quoted
  CHECK(value("'1 wk'.convertsToQuantity()") == "false");
  CHECK(value("'1.a'.convertsToQuantity()") == "false");
  CHECK(value("'mg'.convertsToQuantity()") == "false");
  CHECK(value("'1.0'.convertsToQuantity()") == "true");
  CHECK(value("'1 day'.convertsToQuantity()") == "true");
  CHECK(value("'1 \\'wk\\''.convertsToQuantity()") == "true");
  CHECK(value("'1.0'.toQuantity() ~ 1 '1'") == "true");
  CHECK(value("1.toQuantity() = 1 '1'") == "true");
  CHECK(value("true.toQuantity()") == "1.0 '1'");
  CHECK(value("'1000 \\'mg\\''.toQuantity('g')") == "1 'g'");
  CHECK(value("'1 \\'mg\\''.convertsToQuantity('s')") == "false");
}

TEST_CASE("temperatures convert between scales by their offsets, not only factors", "[fhirpath][precision][quantity]") {
  CHECK(value("0 'Cel' = 273.15 'K'") == "true");
  CHECK(value("0 'Cel' ~ 32 '[degF]'") == "true");
  CHECK(value("37 'Cel' > 98 '[degF]'") == "true");
  CHECK(value("37 'Cel' < 99 '[degF]'") == "true");
  CHECK(value("20 'Cel'.comparable(1 'K')") == "true");
  CHECK(value("20 'Cel'.comparable(1 'm')") == "false");
  CHECK(value("'02139-1234'.matches(%`us-zip`)") == "true");
}
