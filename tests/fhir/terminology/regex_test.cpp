// The bounded regex matcher behind ValueSet regex filters: the syntax FHIR value
// sets use, whole-text matching, and patterns that hang backtracking engines
// finishing at once; patterns too long or too complex are refused, not run.
#include "fhir/terminology/regex.h"

#include <catch2/catch.hpp>
#include <chrono>

using carebridge::fhir::terminology::BoundedRegex;

namespace {

bool matches(const std::string& pattern, const std::string& text) {
  auto regex = BoundedRegex::compile(pattern);
  REQUIRE(regex.ok());
  return regex->full_match(text);
}

}  // namespace

TEST_CASE("regex syntax: classes, groups, alternation and counts", "[terminology][regex]") {
  CHECK(matches("[0-9]{5}(-[0-9]{4})?", "12345"));
  CHECK(matches("[0-9]{5}(-[0-9]{4})?", "12345-6789"));
  CHECK_FALSE(matches("[0-9]{5}(-[0-9]{4})?", "1234"));
  CHECK(matches("\\d+\\.\\d*", "3.14"));
  CHECK_FALSE(matches("\\d+\\.\\d*", "3x14"));
  CHECK(matches("(?:cat|dog)s?", "dogs"));
  CHECK(matches("[^a-z]+", "ABC-1"));
  CHECK_FALSE(matches("[^a-z]+", "AbC"));
  CHECK(matches("^\\w+\\s\\w+$", "hot meals"));
  CHECK(matches("a{2,3}", "aaa"));
  CHECK_FALSE(matches("a{2,3}", "aaaa"));
  CHECK(matches("x{2,}", "xxxxx"));
  CHECK(matches(".*é.*", "café"));  // code points, not bytes
  CHECK(matches("caf.", "café"));
  CHECK(matches("[a\\-z]+", "a-z"));
  CHECK(matches("a.c", "abc"));
}

TEST_CASE("a match is of the whole text", "[terminology][regex]") {
  CHECK_FALSE(matches("b", "abc"));
  CHECK(matches(".*b.*", "abc"));
}

TEST_CASE("patterns that make backtracking engines hang finish at once", "[terminology][regex]") {
  std::string long_a(5000, 'a');
  auto start = std::chrono::steady_clock::now();
  CHECK_FALSE(matches("(a*)*b", long_a));
  CHECK_FALSE(matches("(a|a)*b", long_a));
  CHECK_FALSE(matches("(a+)+c", long_a + "!"));
  CHECK(matches("(a|aa)*", long_a));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(5));
}

TEST_CASE("patterns too long, too complex or unsupported are refused", "[terminology][regex]") {
  CHECK_FALSE(BoundedRegex::compile(std::string(BoundedRegex::kMaxPattern + 1, 'a')).ok());
  CHECK_FALSE(BoundedRegex::compile("((a{1000}){1000}){1000}").ok());
  CHECK_FALSE(BoundedRegex::compile("(a").ok());
  CHECK_FALSE(BoundedRegex::compile("a)").ok());
  CHECK_FALSE(BoundedRegex::compile("*a").ok());
  CHECK_FALSE(BoundedRegex::compile("(a)\\1").ok());
  CHECK_FALSE(BoundedRegex::compile("[a-").ok());
  CHECK_FALSE(BoundedRegex::compile("\\p{L}+").ok());
  std::string deep(60, '(');
  CHECK_FALSE(BoundedRegex::compile(deep + "a" + std::string(60, ')')).ok());
  CHECK_FALSE(BoundedRegex::compile("a{3,2}").ok());
}
