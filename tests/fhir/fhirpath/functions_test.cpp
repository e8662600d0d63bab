// The function library by family: existence, filtering, subsetting, combining,
// strings, math, conversion, utility, the aggregates, and primitives that have extensions
// but no value.
#include <catch2/catch.hpp>

#include "fhirpath_fixture.h"

using namespace carebridge::testing::fhirpath;
using Strings = std::vector<std::string>;

TEST_CASE("existence functions", "[fhirpath][functions]") {
  CHECK(value("name.exists()", "patient.json") == "true");
  CHECK(value("name.exists(use = 'maiden')", "patient.json") == "false");
  CHECK(value("deceased.empty()", "patient.json") == "true");
  CHECK(value("name.all(given.exists())", "patient.json") == "true");
  CHECK(value("{}.all(false)") == "true");
  CHECK(value("(true | false).allTrue()") == "false");
  CHECK(value("(true | false).anyTrue()") == "true");
  CHECK(value("(false).allFalse()") == "true");
  CHECK(value("(true).anyFalse()") == "false");
  CHECK(value("(1 | 2).subsetOf(1 | 2 | 3)") == "true");
  CHECK(value("(1 | 2 | 3).supersetOf(4)") == "false");
  CHECK(value("name.given.count()", "patient.json") == "3");
  CHECK(value("(1 | 2 | 2).count()") == "2");
  CHECK(value("(1).combine(1).combine(2).distinct().count()") == "2");
  CHECK(value("(1).combine(1).isDistinct()") == "false");
  CHECK(is_error("(1 | 2).allTrue()"));
}

TEST_CASE("filtering and projection", "[fhirpath][functions]") {
  CHECK(eval("name.where(use = 'official').given", "patient.json") == Strings{"Adaeze", "Ngozi"});
  CHECK(eval("name.select(given.first())", "patient.json") == Strings{"Adaeze", "Ada"});
  CHECK(eval("name.given.where($index > 0)", "patient.json") == Strings{"Ngozi", "Ada"});
  CHECK(value("item.repeat(item).linkId.count()", "questionnaire.json") == "3");  // not the start items
  CHECK(value("(1 | 2).repeat('x')") == "x");
  CHECK(eval("identifier.ofType(Identifier).value", "patient.json") == Strings{"C-1001", "H-77"});
  CHECK(value("(1 | 2 | 3).aggregate($this + $total, 0)") == "6");
  CHECK(value("(4 | 2 | 7).aggregate(iif($total.empty(), $this, iif($this > $total, $this, $total)))") == "7");
  CHECK(value("(1 | 2).aggregate($total.where($this > 0) | $this)") == "1, 2");  // reaches into where()
  CHECK(run("$total").error == "at 1: $total is only defined inside aggregate()");
  CHECK(is_error("(1 | 2).select($total)"));
  CHECK(value("iif(active, 'yes', 'no')", "patient.json") == "yes");
  CHECK(value("iif({}, 'yes')").empty());
  // Singleton evaluation (N1 4.5): one item that is not a Boolean is true.
  CHECK(value("iif('text', 1, 2)") == "1");
  CHECK(value("iif(name.family, 'named', 'unnamed')", "patient.json") == "named");
  CHECK(is_error("iif(name.given, 'named', 'unnamed')", "patient.json"));  // not one item
  fp::Context strict;
  strict.check_paths = true;
  CHECK(run("iif('text', 1, 2)", "", strict).error == "at 5: a condition must be a Boolean, not a literal String");
  CHECK(run("iif(name.family, 'named', 'unnamed')", "patient.json", strict).ok);
  CHECK(is_error("(1 | 2).iif(true, 1, 2)"));
  CHECK(value("name.trace('names').count()", "patient.json") == "2");
  CHECK(eval("(3 | 1 | 2).sort()") == Strings{"1", "2", "3"});
  CHECK(eval("('b' | 'c' | 'a').sort(-$this)") == Strings{"c", "b", "a"});
}

TEST_CASE("subsetting and combining", "[fhirpath][functions]") {
  CHECK(value("name.given.first()", "patient.json") == "Adaeze");
  CHECK(value("name.given.last()", "patient.json") == "Ada");
  CHECK(eval("name.given.tail()", "patient.json") == Strings{"Ngozi", "Ada"});
  CHECK(eval("name.given.skip(2)", "patient.json") == Strings{"Ada"});
  CHECK(eval("name.given.take(2)", "patient.json") == Strings{"Adaeze", "Ngozi"});
  CHECK(value("name.given.take(0)", "patient.json").empty());
  CHECK(value("name[1].given.single()", "patient.json") == "Ada");
  CHECK(is_error("name.given.single()", "patient.json"));
  CHECK(eval("(1 | 2 | 3).intersect(2 | 3 | 4)") == Strings{"2", "3"});
  CHECK(eval("(1 | 2 | 3).exclude(2)") == Strings{"1", "3"});
  CHECK(eval("(1 | 2).union(2 | 3)") == Strings{"1", "2", "3"});
  CHECK(value("(1 | 2).combine(2 | 3).count()") == "4");
  CHECK(value("name.given[1]", "patient.json") == "Ngozi");
  CHECK(value("name.given[9]", "patient.json").empty());
}

TEST_CASE("string functions", "[fhirpath][functions]") {
  CHECK(value("'Carebridge'.indexOf('bridge')") == "4");
  CHECK(value("'Carebridge'.indexOf('x')") == "-1");
  CHECK(value("'Carebridge'.substring(4)") == "bridge");
  CHECK(value("'Carebridge'.substring(0, 4)") == "Care");
  CHECK(value("'Carebridge'.substring(40)").empty());
  CHECK(value("'Carebridge'.startsWith('Care')") == "true");
  CHECK(value("'Carebridge'.endsWith('bridge')") == "true");
  CHECK(value("'Carebridge'.contains('reb')") == "true");
  CHECK(value("'Carebridge'.upper()") == "CAREBRIDGE");
  CHECK(value("'Carebridge'.lower()") == "carebridge");
  CHECK(value("'a-b-c'.replace('-', '+')") == "a+b+c");
  CHECK(value("'abc'.replace('', '.')") == ".a.b.c.");
  CHECK(value("'C-1001'.matches('^C-[0-9]+$')") == "true");
  CHECK(value("'line1\\nline2'.matches('1.line')") == "true");
  CHECK(value("'2024-02-10'.replaceMatches('(\\\\d+)-(\\\\d+)-(\\\\d+)', '$3/$2/$1')") == "10/02/2024");
  // Named groups, as the specification's own example writes them.
  CHECK(value("'11/30/1972'.replaceMatches('\\\\b(?<month>\\\\d{1,2})/(?<day>\\\\d{1,2})/(?<year>\\\\d{2,4})\\\\b', "
              "'${day}-${month}-${year}')") == "30-11-1972");
  CHECK(value("'Ada'.length()") == "3");
  CHECK(eval("'ab'.toChars()") == Strings{"a", "b"});
  CHECK(value("'  x  '.trim()") == "x");
  CHECK(value("'a,b,,c'.split(',').count()") == "4");
  CHECK(value("name.given.join('|')", "patient.json") == "Adaeze|Ngozi|Ada");
  CHECK(value("'care'.encode('base64')") == "Y2FyZQ==");
  CHECK(value("'Y2FyZQ=='.decode('base64')") == "care");
  CHECK(value("'<b>'.escape('html')") == "&lt;b&gt;");
  CHECK(value("{}.upper()").empty());
  CHECK(value("'Zoë Ñúñez'.length()") == "9");
  CHECK(value("'Zoë Ñúñez'.substring(4, 5)") == "Ñúñez");
  CHECK(value("'Zoë Ñúñez'.indexOf('Ñ')") == "4");
  CHECK(value("'Zoë'.toChars().count()") == "3");
  CHECK(is_error("identifier.contains('C')", "patient.json"));
  CHECK(is_error("'x'.matches('(')"));
}

TEST_CASE("string functions take String arguments and convert nothing to a String", "[fhirpath][functions]") {
  // N1 has no implicit conversion to String: 'abc'.contains(1) is a type error, not false.
  CHECK(is_error("'abc'.contains(1)"));
  CHECK(is_error("'abc'.startsWith(true)"));
  CHECK(is_error("'abc'.indexOf(@2014)"));
  CHECK(is_error("'abc'.replace(1, 'x')"));
  CHECK(is_error("'abc'.matches(1)"));
  CHECK(is_error("name.given.join(1)", "patient.json"));
  CHECK(is_error("extension(true)", "patient.json"));
  // FHIR string-like primitives are Strings; empty arguments still give empty.
  CHECK(value("name.given.first().startsWith(name.given.first())", "patient.json") == "true");
  CHECK(value("gender.startsWith(gender)", "patient.json") == "true");
  CHECK(value("'abc'.contains({})").empty());
}

TEST_CASE("string functions work on characters, not UTF-8 bytes", "[fhirpath][functions]") {
  // upper() and lower() change every letter, not only ASCII (N1 5.6).
  CHECK(value("'Łódź Ωμέγα Москва Nguyễn Şerban'.upper()") == "ŁÓDŹ ΩΜΈΓΑ МОСКВА NGUYỄN ŞERBAN");
  CHECK(value("'ÉLODIE ÑÚÑEZ ΣΟΦΊΑ ЁЛКА'.lower()") == "élodie ñúñez σοφία ёлка");
  CHECK(value("'straße'.upper()") == "STRAßE");  // one letter to one: no 'SS'
  // ~ ignores case in any alphabet; final sigma is a sigma.
  CHECK(value("'Zoë' ~ 'ZOË'") == "true");
  CHECK(value("'ΟΔΥΣΣΕΥΣ' ~ 'οδυσσευς'") == "true");
  CHECK(value("'Zoë' ~ 'Zoe'") == "false");
  // The empty string is found between characters; the result stays valid UTF-8.
  CHECK(value("'Zoë'.replace('', '/')") == "/Z/o/ë/");
  CHECK(eval("'añ'.split('')") == Strings{"a", "ñ"});
  // A regular expression's '.' is one character.
  CHECK(value("'ñ'.matches('^.$')") == "true");
  CHECK(value("'Ñúñez'.matchesFull('.{5}')") == "true");
  CHECK(value("'Ñúñez'.replaceMatches('[úñ]', '_')") == "Ñ__ez");
  // A character beyond U+FFFF written as a surrogate pair is one character.
  CHECK(value("'\\uD83D\\uDE00'.length()") == "1");
  CHECK(is_error("'\\uD83D'"));
}

TEST_CASE("math functions", "[fhirpath][functions]") {
  CHECK(value("(-5).abs()") == "5");
  CHECK(value("(-5.5 'mg').abs()") == "5.5 'mg'");
  CHECK(value("1.1.ceiling()") == "2");
  CHECK(value("(-1.1).floor()") == "-2");
  CHECK(value("2.7.truncate()") == "2");
  CHECK(value("0.exp()") == "1");
  CHECK(value("1.ln()") == "0");
  CHECK(value("100.log(10)") == "2");
  CHECK(value("2.power(10)") == "1024");
  CHECK(value("(-1).power(0.5)").empty());
  CHECK(value("3.14159.round(2)") == "3.14");
  CHECK(value("16.sqrt()") == "4");
  CHECK(value("(-4).sqrt()").empty());
  CHECK(value("1.587.lowBoundary(2)") == "1.58");
  CHECK(value("1.587.highBoundary(2)") == "1.59");
  CHECK(value("1.58700.precision()") == "5");
  CHECK(value("@2024-02.highBoundary(8)") == "2024-02-29");
}

TEST_CASE("conversion functions", "[fhirpath][functions]") {
  CHECK(value("'yes'.toBoolean()") == "true");
  CHECK(value("'maybe'.convertsToBoolean()") == "false");
  CHECK(value("'-12'.toInteger()") == "-12");
  CHECK(value("'1.5'.toInteger()").empty());
  CHECK(value("'1.50'.toDecimal()") == "1.50");
  CHECK(value("true.toDecimal()") == "1.0");
  CHECK(value("12.toString()") == "12");
  CHECK(value("@2015T.toString()") == "2015");  // the T of a partial date-time literal is syntax (N1 5.5.8)
  CHECK(value("@2015-02T.toString()") == "2015-02");
  CHECK(value("@2015-02-04T14:34:28Z.toString()") == "2015-02-04T14:34:28Z");
  CHECK(value("5 'mg'.toString()") == "5 'mg'");
  CHECK(value("'2024-02-10'.toDate()") == "2024-02-10");
  CHECK(value("'2024-02-10T09:15:00Z'.toDateTime()") == "2024-02-10T09:15:00Z");
  CHECK(value("'09:15'.toTime()") == "09:15");
  CHECK(value("'2024-13'.convertsToDate()") == "false");
  CHECK(value("'5 \\'mg\\''.toQuantity()") == "5 'mg'");
  CHECK(value("'4 days'.toQuantity()") == "4 days");
  CHECK(value("1000 'mg'.toQuantity('g')") == "1 'g'");
  CHECK(value("'abc'.convertsToQuantity()") == "false");
  CHECK(value("birthDate.toString()", "patient.json") == "1988-07-14");
}

TEST_CASE("toQuantity() reads a string with any whitespace or none before the unit", "[fhirpath][functions]") {
  // N1's pattern: a number, \s*, then a quoted UCUM unit or a calendar keyword.
  CHECK(value("'5\\'mg\\''.toQuantity()") == "5 'mg'");
  CHECK(value("'5  days'.toQuantity()") == "5 days");
  CHECK(value("'5\\t\\'mg\\''.toQuantity()") == "5 'mg'");
  CHECK(value("'-2.5 \\'cm\\''.toQuantity()") == "-2.5 'cm'");
  CHECK(value("'7'.toQuantity()") == "7 '1'");
  CHECK(value("'5 mg'.toQuantity()").empty());  // a bare unit must be a calendar keyword
  CHECK(value("'5 \\'mg\\' x'.toQuantity()").empty());
  CHECK(value("'.5 \\'mg\\''.toQuantity()").empty());
}

TEST_CASE("utility and date component functions", "[fhirpath][functions]") {
  CHECK(value("@2024-02-10T09:15:00.000+01:00.yearOf()") == "2024");
  CHECK(value("@2024-02-10T09:15.minuteOf()") == "15");
  CHECK(value("@2024-02.dayOf()").empty());
  CHECK(value("@2024-02-10T09:15:00-05:00.timezoneOffsetOf()") == "-5.0");
  CHECK(value("@2024-02-10T09:15.dateOf()") == "2024-02-10");
  CHECK(value("@T09:15:30.secondOf()") == "30");
  CHECK(value("coalesce({}, deceased, 'none')", "patient.json") == "none");
  CHECK(value("defineVariable('first', name.first()).name.where($this = %first).count()", "patient.json") == "1");
  CHECK(is_error("defineVariable('v', 1).select(%v) | %v"));
  CHECK(value("today() = now().dateOf()").empty() == false);
  CHECK(value("2L + 1") == "3");
}

TEST_CASE("set operations inside select() keep each item's own result", "[fhirpath][functions]") {
  // The union for the second name must not be deduped against what select() gathered
  // for the first: {Adaeze, Ngozi, Ada} then {Ada}.
  CHECK(value("name.select(given | 'Ada').count()", "patient.json") == "4");
  CHECK(value("name.select(given.union('Ada')).count()", "patient.json") == "4");
  CHECK(value("name.select(('Ada' | 'Ada').distinct()).count()", "patient.json") == "2");
  CHECK(value("name.select(given.intersect('Ada' | 'Adaeze')).count()", "patient.json") == "2");
  CHECK(value("name.select('x'.repeat('x')).count()", "patient.json") == "2");
}

TEST_CASE("order-dependent functions on children() are errors when checking paths", "[fhirpath][functions]") {
  fp::Context strict;
  strict.check_paths = true;
  CHECK_FALSE(run("Patient.children().skip(1)", "patient.json", strict).ok);
  CHECK_FALSE(run("descendants().given.first()", "patient.json", strict).ok);
  CHECK_FALSE(run("children().where(true)[0]", "patient.json", strict).ok);
  CHECK(run("descendants().given.count()", "patient.json", strict).ok);
  CHECK(run("name.given.first()", "patient.json", strict).ok);
  CHECK(value("children().skip(1).exists()", "patient.json") == "true");  // without checks: as stored
}

TEST_CASE("sum min max and avg aggregate numbers quantities and ordered values", "[fhirpath][functions]") {
  CHECK(value("(1 | 2 | 3).sum()") == "6");
  CHECK(value("(1.5 | 2).sum()") == "3.5");
  CHECK(value("(1 | 2).avg()") == "1.5");
  CHECK(value("(4 | 9 | 2).max()") == "9");
  CHECK(value("('pear' | 'apple').min()") == "apple");
  CHECK(value("(@2021-03-01 | @2020-12-31).min()") == "2020-12-31");
  CHECK(eval("{}.sum()").empty());
  CHECK(is_error("('a' | 'b').sum()"));
}

TEST_CASE("a primitive with extensions but no value exists but has no value to use", "[fhirpath][functions]") {
  const std::string absent = "patient-absent.json";
  CHECK(value("birthDate.exists()", absent) == "true");
  CHECK(value("birthDate.hasValue()", absent) == "false");
  CHECK(eval("birthDate < @2000-01-01", absent).empty());
  CHECK(eval("birthDate + 1 day", absent).empty());
  CHECK(eval("name.given.select(length())", absent) == Strings{"5", "7"});
  CHECK(value("name.given.count()", absent) == "3");
  CHECK(eval("name.given[1].upper()", absent).empty());
  CHECK(eval("name.given[1] = 'x'", absent).empty());
}
