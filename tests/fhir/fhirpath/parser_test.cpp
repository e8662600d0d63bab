// Grammar: literals, precedence, comments, delimited identifiers, and errors that
// name the position; hostile expressions fail cleanly.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "fhirpath_fixture.h"

using namespace carebridge::testing::fhirpath;

TEST_CASE("literals of every kind", "[fhirpath][parser]") {
  CHECK(value("true") == "true");
  CHECK(value("'it''s'").empty() == false);
  CHECK(value("'a\\'b'") == "a'b");
  CHECK(value("'tab\\tend'") == "tab\tend");
  CHECK(value("'\\u0041da'") == "Ada");
  CHECK(value("42") == "42");
  CHECK(value("1.50") == "1.50");
  CHECK(types("1.50") == std::vector<std::string>{"Decimal"});
  CHECK(value("@2024") == "2024");
  CHECK(types("@2024-02") == std::vector<std::string>{"Date"});
  CHECK(types("@2024-02-10T09:15") == std::vector<std::string>{"DateTime"});
  CHECK(types("@2024T") == std::vector<std::string>{"DateTime"});
  CHECK(types("@T09:15:00.250") == std::vector<std::string>{"Time"});
  CHECK(value("5 'mg'") == "5 'mg'");
  CHECK(value("3 days") == "3 days");
  CHECK(value("{}").empty());
}

TEST_CASE("operator precedence follows the specification", "[fhirpath][parser]") {
  CHECK(value("1 + 2 * 3 + 4") == "11");
  CHECK(value("(1 + 2) * 3") == "9");
  CHECK(value("10 - 4 - 3") == "3");
  CHECK(value("2 * 3 div 4") == "1");
  CHECK(value("true or false and false") == "true");
  CHECK(value("false implies true or false") == "true");
  CHECK(value("1 | 2 = 1 | 2") == "true");  // '|' binds tighter than '='
  CHECK(value("(1 | 2) = (1 | 2)") == "true");
  CHECK(value("(-1).abs()") == "1");
  CHECK(value("-1.abs()") == "-1");  // polarity applies to the whole invocation
  // is/as (#06) bind tighter than | (#07) and the comparisons (#08).
  CHECK(value("1 | 1 is Integer") == "1, true");
  CHECK(value("(1 | 1 is Integer).count()") == "2");
  CHECK(value("(1 | 1) is Integer") == "true");
  CHECK(is_error("1 > 2 is Boolean"));  // 1 > (2 is Boolean) compares an Integer with a Boolean
  CHECK(value("(1 > 2) is Boolean") == "true");
  CHECK(value("1 + 2 is Integer") == "true");  // additive binds tighter than is
  CHECK(value("2 * 3 as Integer = 6") == "true");
  CHECK(value("Bundle.entry.resource.ofType(Observation).value as Quantity > 70 'kg'", "bundle.json") == "true");
}

TEST_CASE("comments and delimited identifiers", "[fhirpath][parser]") {
  CHECK(value("1 + // one more\n 1") == "2");
  CHECK(value("/* multi\nline */ 2 * /* inline */ 3") == "6");
  CHECK(value("`Patient`.name.`given`.first()", "patient.json") == "Adaeze");
  CHECK(value("%`vs-administrative-gender`") == "http://hl7.org/fhir/ValueSet/administrative-gender");
}

TEST_CASE("syntax errors carry the position", "[fhirpath][parser]") {
  std::string error;
  CHECK_FALSE(engine().compile("name.foo()", &error));
  CHECK(error == "at 6: unknown function 'foo'");
  CHECK_FALSE(engine().compile("name.where(use = 'x'", &error));
  CHECK(error.starts_with("at "));
  CHECK_FALSE(engine().compile("1 +", &error));
  CHECK(error.find("end of expression") != std::string::npos);
  CHECK_FALSE(engine().compile("'unterminated", &error));
  CHECK(error == "at 1: unterminated string");
  CHECK_FALSE(engine().compile("@2024-13-01", &error));
  CHECK_FALSE(engine().compile("substring()", &error));
  CHECK(error.find("takes 1 to 2 arguments") != std::string::npos);
  CHECK_FALSE(engine().compile("", &error));
  CHECK_FALSE(engine().compile("1 # 2", &error));
  CHECK(error == "at 3: unexpected character '#'");
}

TEST_CASE("a string has only the escapes of the grammar", "[fhirpath][parser]") {
  // N1 ESC: \' \" \` \\ \/ \f \n \r \t \uXXXX; anything else is a syntax error.
  std::string error;
  CHECK_FALSE(engine().compile("'C-\\d+'", &error));
  CHECK(error == "at 4: unknown escape '\\d' in a string (a backslash itself is written '\\\\')");
  CHECK_FALSE(engine().compile("'caf\\\xc3\xa9'", &error));  // a backslash before a non-ASCII character
  CHECK(value("'C-1001'.matches('^C-\\\\d+$')") == "true");  // a regex's backslash written doubled
  CHECK(value("'a\\/b'") == "a/b");
}

TEST_CASE("hostile expressions fail without crashing", "[fhirpath][parser][limits]") {
  std::string deep(5000, '(');
  deep += "1";
  deep += std::string(5000, ')');
  std::string error;
  CHECK_FALSE(engine().compile(deep, &error));
  CHECK(error.find("nests too deeply") != std::string::npos);
  std::string minus(5000, '-');
  CHECK_FALSE(engine().compile(minus + "1", &error));
  std::string chain = "1";
  for (int i = 0; i < 3000; ++i) chain += " + 1";
  auto r = run(chain);
  CHECK((r.ok ? r.items.front().text == "3001" : r.error.find("too deeply") != std::string::npos));
  // Exponential growth is cut by the work budget, not the machine.
  std::string nested = "1";
  for (int i = 0; i < 9; ++i) nested = "(1|2|3|4|5|6|7|8|9|10).select(" + nested + ")";
  auto big = run(nested + ".count()");
  CHECK_FALSE(big.ok);
  CHECK(big.error.find("too large") != std::string::npos);  // as select() gathers, not once it has a billion
  // A string longer than FHIR allows (1 MB) is refused as it is made: .replace() in .replace()
  // grew tenfold a level, to a gigabyte in a 400-byte FHIRPath Patch.
  std::string growing = "'aaaaaaaaaa'";
  for (int i = 0; i < 9; ++i) growing += ".replace('a', 'aaaaaaaaaa')";
  auto long_string = run(growing + ".length()");
  CHECK_FALSE(long_string.ok);
  CHECK(long_string.error.find("longer than FHIR allows") != std::string::npos);
  CHECK_FALSE(run("'" + std::string(600000, 'x') + "' & '" + std::string(600000, 'y') + "'").ok);
  // Catastrophic backtracking is refused, not waited for.
  auto regex = run("'" + std::string(60, 'a') + "!'.matches('^(a+)+$')");
  CHECK_FALSE(regex.ok);
  CHECK(regex.error.find("too complex") != std::string::npos);
  // repeat() over a cycle of values ends.
  CHECK(run("(1 | 2).repeat(($this + 1) mod 3)").items.size() == 3);
}

TEST_CASE("compiled expressions are cached and shared across threads", "[fhirpath][parser]") {
  auto a = engine().compile("name.given.first()");
  auto b = engine().compile("name.given.first()");
  REQUIRE(a);
  CHECK(a.get() == b.get());
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        auto e = engine().compile("name.given.count() + " + std::to_string((t * 200 + i) % 50));
        if (e) ++ok;
      }
    });
  }
  for (auto& th : threads) th.join();
  CHECK(ok == 800);
}
