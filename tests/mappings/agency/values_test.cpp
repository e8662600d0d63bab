// Column values as agencies write them, read as the spec's types.
#include <catch2/catch.hpp>

#include "mappings/agency/values.h"

using namespace carebridge::mappings::agency;

namespace {

Column of(ValueType type) {
  Column c;
  c.name = c.key = "x";
  c.type = type;
  return c;
}

}  // namespace

TEST_CASE("agency values: times of day in the forms schedules use, as FHIR time", "[agency]") {
  Column time = of(ValueType::Time);
  CHECK(read_value(time, "9:30").value == "09:30:00");
  CHECK(read_value(time, "09:30:15").value == "09:30:15");
  CHECK(read_value(time, "9:30 AM").value == "09:30:00");
  CHECK(read_value(time, "12:15 am").value == "00:15:00");
  CHECK(read_value(time, "5pm").value == "17:00:00");
  CHECK(read_value(time, "17:00Z").value == "17:00:00");
  CHECK(read_value(time, "10:00:00-05:00").value == "10:00:00");
  CHECK(!read_value(time, "25:00").ok);
  CHECK(!read_value(time, "13 pm").ok);
  CHECK(read_value(time, "noonish").problem == "\"noonish\" is not a time of day (write it as 17:30)");
}

TEST_CASE("agency values: a split column reads each of its values alone", "[agency]") {
  Column days = of(ValueType::Code);
  auto codes = std::make_shared<CodeMap>();
  for (const char* day : {"mo", "tu", "we"})
    codes->targets[day] = {"", std::string(day) == "mo" ? "mon" : std::string(day) == "tu" ? "tue" : "wed", ""};
  days.codes = codes;
  days.split = ",";
  CHECK(read_value(days, "MO,TU").value == std::string("mon") + kValueSeparator + "tue");
  CHECK(read_value(days, "WE").value == "wed");
  auto bad = read_value(days, "MO,XX");
  CHECK(!bad.ok);
  CHECK(bad.problem.find("\"XX\" is not one of the allowed values") != std::string::npos);
}

TEST_CASE("agency values: dates as sheets write them", "[agency]") {
  Column date = of(ValueType::Date);
  CHECK(read_value(date, "3/14/1984").value == "1984-03-14");
  CHECK(read_value(date, "1984-03-14").value == "1984-03-14");
  CHECK(read_value(date, "45292").value == "2024-01-01");
  CHECK(read_value(date, "1/31/2024 0:00").value == "2024-01-31");  // Excel's CSV of a date cell with a time format
  CHECK(read_value(date, "1/31/2024 12:30 PM").value == "2024-01-31");
  CHECK(read_value(date, "2/29/2023").problem.find("is not a date") != std::string::npos);
  date.format = "DMY";
  CHECK(read_value(date, "14/3/1984").value == "1984-03-14");
}

TEST_CASE("agency values: numbers are written as JSON numbers, whatever the sheet wrote", "[agency]") {
  Column decimal = of(ValueType::Decimal), integer = of(ValueType::Integer);
  CHECK(read_value(decimal, "007.50").value == "7.50");
  CHECK(read_value(decimal, ".5").value == "0.5");
  CHECK(read_value(decimal, "5.").value == "5");
  CHECK(read_value(decimal, "1,250.75").value == "1250.75");
  CHECK(read_value(decimal, "-0").value == "0");
  CHECK(!read_value(decimal, "nan").ok);
  CHECK(!read_value(decimal, "inf").ok);
  CHECK(!read_value(decimal, "1e5").ok);
  CHECK(read_value(integer, "007").value == "7");
  CHECK(read_value(integer, "3.0").value == "3");
  CHECK(!read_value(integer, "3.5").ok);
  integer.range = std::pair{1.0, 30.0};
  CHECK(read_value(integer, "31").value.empty());
  CHECK(!read_value(integer, "31").warning.empty());
}
