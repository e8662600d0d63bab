// Column values as agencies write them, read as the spec's types.
#include <catch2/catch.hpp>

#include <cstdio>
#include <ctime>

#include "mappings/agency/template.h"
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
  CHECK(read_value(time, "24:00").value == "23:59:59");  // a directory's "open until midnight"
  CHECK(!read_value(time, "24:30").ok);
  CHECK(!read_value(time, "13 pm").ok);
  CHECK(read_value(time, "noonish").problem == "\"noonish\" is not a time of day (write it as 17:30)");
}

TEST_CASE("agency values: a date and time as exporters and sheets write it keeps its time of day", "[agency]") {
  Column when = of(ValueType::DateTime);
  CHECK(read_value(when, "2024-03-05T09:00:00").value == "2024-03-05T09:00:00Z");
  CHECK(read_value(when, "2024-03-05 10:00:00").value == "2024-03-05T10:00:00Z");  // HMIS's DateUpdated
  CHECK(read_value(when, "3/5/2024 9:00 PM").value == "2024-03-05T21:00:00Z");     // a spreadsheet's
  CHECK(read_value(when, "Mar 5, 2024 9:00").value == "2024-03-05T09:00:00Z");
  CHECK(read_value(when, "2024-03-05").value == "2024-03-05");  // a day alone stays a day
  when.format = "-05:00";
  CHECK(read_value(when, "2024-03-05 10:00:00").value == "2024-03-05T10:00:00-05:00");
  CHECK(!read_value(when, "soon 9:00").ok);
}

TEST_CASE("agency values: a Social Security number is nine digits the SSA issues", "[agency]") {
  Column ssn = of(ValueType::Ssn);
  CHECK(read_value(ssn, "123-45-6789").value == "123456789");
  CHECK(read_value(ssn, "012 34 5678").value == "012345678");
  for (const char* never : {"000000000", "000-12-3456", "666-12-3456", "912-34-5678", "123-00-4567", "123-45-0000", "12345",
                            "xxxxx4821", "1234567890"}) {
    INFO(never);
    CHECK(!read_value(ssn, never).ok);
  }
  CHECK(read_value(ssn, "12345678").problem == "\"12345678\" has 8 digits, not 9: a spreadsheet may have dropped its leading zero");
}

TEST_CASE("agency values: an identifier a spreadsheet rounded to scientific notation is refused", "[agency]") {
  Column id = of(ValueType::Id);
  for (const char* rounded : {"4E+15", "4.00E+15", "1.23457e+15"}) {
    INFO(rounded);
    CHECK(!read_value(id, rounded).ok);  // 4000000000000011 and 4000000000000012 would be one record
  }
  CHECK(read_value(id, "4E+15").problem ==
        "\"4E+15\" is a number a spreadsheet rounded (scientific notation): the identifier's digits are lost");
  for (const char* written : {"4000000000000011", "C-100", "9e8f0a7c", "E-1000", "12E4", "none"}) {
    INFO(written);
    CHECK(read_value(id, written).value == written);  // as written, hex and words alike
  }
}

// pandas and openpyxl write an ID column with a gap in it as floats: 10232.0 was client
// "10232.0", a second record beside the 10232 another export gave.
TEST_CASE("agency values: an identifier a float column wrote (10232.0) is the whole number", "[agency]") {
  Column id = of(ValueType::Id);
  CHECK(read_value(id, "10232.0").value == "10232");
  CHECK(read_value(id, "10232.00").value == "10232");
  for (const char* written : {"10232.5", "1.0.2", ".0", "10232.", "A1.0", "v2.0"}) {
    INFO(written);
    CHECK(read_value(id, written).value == written);
  }
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
  CHECK(read_value(date, "9999-12-31").value == "9999-12-31");  // an open end, as exports write it
  CHECK(read_value(date, "1/1/2999").value == "2999-01-01");
  CHECK(read_value(date, "1/1/1492").problem.find("is not a date") != std::string::npos);
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

TEST_CASE("agency values: phone numbers as directories and people write them", "[agency]") {
  Column phone = of(ValueType::Phone);
  // North American numbers in any punctuation, and as a number cell.
  CHECK(read_value(phone, "6175550142").value == "+16175550142");
  CHECK(read_value(phone, "617-555-0142").value == "+16175550142");
  CHECK(read_value(phone, "+1 (617) 555-0142").value == "+16175550142");
  CHECK(read_value(phone, "1-800-555-0199").value == "+18005550199");
  CHECK(read_value(phone, "6175550142.0").value == "+16175550142");
  // An extension written in the number is kept after it.
  CHECK(read_value(phone, "(617) 555-0142 x12").value == "+16175550142 ext. 12");
  CHECK(read_value(phone, "617.555.0142 ext. 3").value == "+16175550142 ext. 3");
  CHECK(read_value(phone, "617-555-0142, Extension 40").value == "+16175550142 ext. 40");
  CHECK(read_value(phone, "617-555-0142x7").value == "+16175550142 ext. 7");
  // International numbers as E.164, whichever way the call abroad is written.
  CHECK(read_value(phone, "+44 20 7946 0958").value == "+442079460958");
  CHECK(read_value(phone, "+44 (0)20 7946 0959").value == "+442079460959");
  CHECK(read_value(phone, "0044 20 7946 0958").value == "+442079460958");
  // Service codes and text lines stay digits; a vanity number is dialled by its keys.
  CHECK(read_value(phone, "211").value == "211");
  CHECK(read_value(phone, "9-1-1").value == "911");
  CHECK(read_value(phone, "898211").value == "898211");
  CHECK(read_value(phone, "1-800-FLOWERS").value == "+18003569377");
  // A number without its area code is kept as written, with a warning; the row is taken.
  auto local = read_value(phone, "555-0188");
  CHECK(local.ok);
  CHECK(local.value == "555-0188");
  CHECK(local.warning.find("area code") != std::string::npos);
  // Quotes an export put around the number are not part of it.
  CHECK(read_value(phone, "\"+44 1234 234567\"").value == "+441234234567");
  // Words are not a phone number: the reason says how to write one.
  auto words = read_value(phone, "ask the front desk");
  CHECK(!words.ok);
  CHECK(words.problem.find("\"ask the front desk\" is not a phone number") == 0);
  CHECK(!read_value(phone, "12").ok);
  // Letters after a number are a label, not keys to dial: only toll-free numbers are spelt.
  CHECK(read_value(phone, "617-555-0142 fax").value != "+16175550142329");
  CHECK(read_value(phone, "555-0142 TTY").value.find("889") == std::string::npos);
}

TEST_CASE("agency values: numbers, dates and ZIP codes as sheets in other locales write them", "[agency]") {
  Column decimal = of(ValueType::Decimal), date = of(ValueType::Date), zip = of(ValueType::Zip);
  CHECK(read_value(decimal, "32,5").value == "32.5");  // a European sheet's decimal comma
  CHECK(read_value(decimal, "0,75").value == "0.75");
  CHECK(read_value(decimal, "0,125").value == "0.125");  // a lone 0 never starts a group of thousands
  CHECK(read_value(decimal, "1.250,5").value == "1250.5");
  CHECK(read_value(decimal, "1 250,5").value == "1250.5");
  CHECK(read_value(decimal, "1,250").value == "1250");  // a comma before three digits groups them
  CHECK(read_value(decimal, "1.250.000").value == "1250000");
  CHECK(!read_value(decimal, "12,5,3").ok);
  CHECK(read_value(date, "05-Mar-2024").value == "2024-03-05");
  CHECK(read_value(date, "5-Mar-24").value == "2024-03-05");
  {  // a two-digit year: up to ten years ahead for a plan's date; never ahead for a birth date
    std::time_t now = std::time(nullptr);
    std::tm utc{};
    gmtime_r(&now, &utc);
    int this_year = utc.tm_year + 1900, next = (this_year + 1) % 100;
    char text[32], ahead[32], last_century[32];
    std::snprintf(text, sizeof text, "1/5/%02d", next);
    std::snprintf(ahead, sizeof ahead, "%d-01-05", this_year + 1);
    std::snprintf(last_century, sizeof last_century, "%d-01-05", this_year / 100 * 100 - 100 + next);
    CHECK(read_value(date, text).value == ahead);
    Column birth = date;
    birth.past = true;
    CHECK(read_value(birth, text).value == last_century);
  }
  CHECK(read_value(decimal, "$1,834.50").value == "1834.50");  // a sheet's currency format
  CHECK(read_value(decimal, "-$20").value == "-20");
  CHECK(read_value(date, "Mar 5, 2024").value == "2024-03-05");
  CHECK(read_value(date, "March 6 2024").value == "2024-03-06");
  CHECK(read_value(date, "05.03.2024").value == "2024-03-05");  // dotted dates are day first
  CHECK(read_value(date, "45356.0").value == "2024-03-05");
  CHECK(read_value(date, "45356.75").value == "2024-03-05");
  CHECK(!read_value(date, "31-Foo-2024").ok);
  CHECK(!read_value(date, "03.2024").ok);  // month and year: no day to write, never 1900-01-03
  CHECK(!read_value(date, "12").ok);
  CHECK(!read_value(date, "30-Feb-2024").ok);
  CHECK(read_value(zip, "2139").value == "02139");
  CHECK(read_value(zip, "02139-1234").value == "02139-1234");
  CHECK(read_value(zip, "2139-1234").value == "02139-1234");
  CHECK(read_value(zip, "2139.0").value == "02139");
}

TEST_CASE("agency values: N/A in a cell is no answer, unless the column lists it", "[agency]") {
  Column date = of(ValueType::Date), text = of(ValueType::String), code = of(ValueType::Code);
  CHECK(read_value(date, "N/A").ok);
  CHECK(read_value(date, "N/A").value.empty());
  CHECK(read_value(date, "none").value.empty());
  CHECK(read_value(text, "n/a").value.empty());
  CHECK(read_value(text, "#N/A").value.empty());
  CHECK(read_value(text, "Na").value == "Na");  // a surname
  auto codes = std::make_shared<CodeMap>();
  codes->targets["n/a"] = {"", "not-applicable", ""};
  code.codes = codes;
  CHECK(read_value(code, "N/A").value == "not-applicable");
}

// HMIS exports written through a spreadsheet or a database's float columns give their integer
// codes as 8.0, 08 or padded: a lenient importer reads each as the integer (DisabilityType 8.0
// was refused, TargetPopulation 3.0's HIV label lost, a Destination 99.0 warned of as a code).
TEST_CASE("agency values: a code written as a whole number another way is that code, no answer included", "[agency]") {
  Column type = of(ValueType::Code);
  auto codes = std::make_shared<CodeMap>();
  codes->targets["8"] = {"", "8", "HIV/AIDS"};
  codes->targets["10"] = {"", "10", "Substance use disorder"};
  codes->targets["01"] = {"", "first", ""};  // a code list that has 01 as it is written keeps it
  codes->targets["8|1"] = {"", "yes-hiv", ""};
  type.codes = codes;
  type.missing = {"9", "99"};
  for (const char* eight : {"8", "8.0", "08", " 8 ", "008.00"}) {
    INFO(eight);
    CHECK(read_value(type, eight).value == "8");
  }
  CHECK(read_value(type, "10.0").value == "10");
  CHECK(read_value(type, "01").value == "first");
  CHECK(read_value(type, "1").problem.find("is not one of the allowed values") != std::string::npos);
  for (const char* no_answer : {"99.0", "099", "9.00"}) {
    INFO(no_answer);
    CHECK(read_value(type, no_answer).ok);
    CHECK(read_value(type, no_answer).value.empty());
    CHECK(read_value(type, no_answer).warning.empty());
  }
  CHECK(!read_value(type, "8.5").ok);  // not a whole number: no code
  CHECK(read_value(type, "1.0", "8.0").value == "yes-hiv");  // the value it depends on read so too
  Column whole = of(ValueType::Integer);
  CHECK(read_value(whole, "08").value == "8");
  CHECK(read_value(whole, "8.00").value == "8");
  CHECK(!read_value(whole, "8.50").ok);
}

TEST_CASE("agency values: e-mail cells as people and mail programs write them", "[agency]") {
  Column email = of(ValueType::Email);
  CHECK(read_value(email, "info@foodbank.example.org").value == "info@foodbank.example.org");
  CHECK(read_value(email, "mailto:Info@Foodbank.example.org").value == "Info@Foodbank.example.org");
  CHECK(read_value(email, "Eastside Food Bank <help@eastside.example.org>").value == "help@eastside.example.org");
  // Several addresses in one cell: the first is kept, and the row is told why.
  auto several = read_value(email, "intake@shelter.example.org; director@shelter.example.org");
  CHECK(several.ok);
  CHECK(several.value == "intake@shelter.example.org");
  CHECK(several.warning.find("more than one e-mail address") != std::string::npos);
  CHECK(read_value(email, "a@x.example.org, b@x.example.org").value == "a@x.example.org");
  CHECK(read_value(email, "a@x.example.org ;").warning.empty());
  // Not an address at all: refused, saying so.
  CHECK(!read_value(email, "call us").ok);
  CHECK(!read_value(email, "info@").ok);
  CHECK(read_value(email, "@example.org").problem == "\"@example.org\" is not an e-mail address");
}

TEST_CASE("agency templates: iCalendar day lists in words, for hours FHIR's weekly form cannot hold", "[agency]") {
  CHECK(days_in_words("MO,WE") == "Monday and Wednesday");
  CHECK(days_in_words("MO, TU,FR") == "Monday, Tuesday and Friday");
  CHECK(days_in_words("2TU") == "the second Tuesday");
  CHECK(days_in_words("+1mo") == "the first Monday");
  CHECK(days_in_words("-1FR") == "the last Friday");
  CHECK(days_in_words("-2SU") == "the 2nd Sunday from the end");
  CHECK(days_in_words("1,15") == "the 1st and the 15th");
  CHECK(days_in_words("2,3,11,22,-1") == "the 2nd, the 3rd, the 11th, the 22nd and the last day");
  CHECK(days_in_words("XX") == "XX");  // not a day: kept as written
  CHECK(days_in_words("99999999999999999999,3MO") == "99999999999999999999 and the third Monday");
  CHECK(days_in_words("").empty());
}
