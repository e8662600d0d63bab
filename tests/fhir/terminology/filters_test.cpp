// Each ValueSet compose filter over a complete code system (=, is-a, descendent-of,
// is-not-a, generalizes, regex, in, not-in, exists), filters ANDed within one
// include, and the hierarchy given by nesting and by the parent / subsumedBy /
// child properties. A filter that cannot be evaluated leaves the system open.
#include <catch2/catch.hpp>

#include "terminology_fixture.h"

using namespace carebridge::testing::terminology;

namespace {

Codes filter_codes(const std::string& property, const std::string& op, const std::string& value) {
  auto e = expand(filtered(property, op, value));
  REQUIRE(e.expansion);
  CHECK(e.expansion->complete());
  return codes_of(*e.expansion);
}

}  // namespace

TEST_CASE("= selects the concepts whose property has the value", "[terminology][filters]") {
  CHECK(filter_codes("category", "=", "basic-need") == Codes{"food", "housing", "shelter"});
  CHECK(filter_codes("category", "=", "none").empty());
  CHECK(filter_codes("concept", "=", "legal") == Codes{"legal"});
}

TEST_CASE("is-a, descendent-of, is-not-a and generalizes follow the hierarchy", "[terminology][filters]") {
  CHECK(filter_codes("concept", "is-a", "housing") == Codes{"deposit", "housing", "rental-assistance", "shelter"});
  CHECK(filter_codes("concept", "descendent-of", "housing") == Codes{"deposit", "rental-assistance", "shelter"});
  CHECK(filter_codes("concept", "is-not-a", "housing") ==
        Codes{"bus-pass", "food", "legal", "meals", "pantry", "ride", "taxi-voucher", "transport"});
  CHECK(filter_codes("concept", "generalizes", "deposit") == Codes{"deposit", "housing", "rental-assistance"});
  CHECK(filter_codes("concept", "is-a", "no-such-code").empty());
}

TEST_CASE("the hierarchy also comes from parent, subsumedBy and child properties", "[terminology][filters]") {
  CHECK(filter_codes("concept", "is-a", "transport") == Codes{"bus-pass", "ride", "taxi-voucher", "transport"});
  CHECK(filter_codes("parent", "=", "transport") == Codes{"bus-pass", "ride", "taxi-voucher"});
  CHECK(filter_codes("child", "=", "deposit") == Codes{"rental-assistance"});
}

TEST_CASE("regex matches the whole code, display or property value", "[terminology][filters]") {
  CHECK(filter_codes("code", "regex", "[a-z]+-[a-z]+") == Codes{"bus-pass", "rental-assistance", "taxi-voucher"});
  CHECK(filter_codes("code", "regex", "s").empty());  // the whole code, not a part of it
  CHECK(filter_codes("display", "regex", "(Food|Hot) .*") == Codes{"food", "meals", "pantry"});
  CHECK(filter_codes("category", "regex", "adv.*") == Codes{"legal"});
}

TEST_CASE("in and not-in take a comma-separated list", "[terminology][filters]") {
  CHECK(filter_codes("concept", "in", "legal,meals, pantry") == Codes{"legal", "meals", "pantry"});
  CHECK(filter_codes("concept", "not-in", "housing,shelter,rental-assistance,deposit,food,pantry,meals") ==
        Codes{"bus-pass", "legal", "ride", "taxi-voucher", "transport"});
  CHECK(filter_codes("category", "in", "advocacy,other") == Codes{"legal"});
}

TEST_CASE("exists tells concepts with a property from those without", "[terminology][filters]") {
  CHECK(filter_codes("status", "exists", "true") == Codes{"meals", "shelter"});
  CHECK(filter_codes("category", "exists", "false") ==
        Codes{"bus-pass", "deposit", "meals", "pantry", "rental-assistance", "ride", "taxi-voucher", "transport"});
}

TEST_CASE("the filters of one include all apply", "[terminology][filters]") {
  auto e = expand(json(R"({"include":[{"system":"$S","filter":[
      {"property":"concept","op":"is-a","value":"housing"},
      {"property":"category","op":"=","value":"basic-need"}]}]})"));
  REQUIRE(e.expansion);
  CHECK(codes_of(*e.expansion) == Codes{"housing", "shelter"});
}

TEST_CASE("a filter that cannot be evaluated leaves its system open", "[terminology][filters]") {
  namespace term = carebridge::fhir::terminology;
  for (const auto& compose : {filtered("concept", "child-of", "housing"),            // not an R4 operator
                              filtered("status", "is-a", "active"),                  // is-a on a property
                              filtered("code", "regex", "(a"),                       // not a regex
                              filtered("code", "regex", std::string(2000, 'a'))}) {  // too long to run
    auto e = expand(compose);
    REQUIRE(e.expansion);
    CHECK_FALSE(e.expansion->complete());
    CHECK(e.expansion->contains(kServices, "anything") == term::Membership::in);
    CHECK(e.expansion->contains("http://other.example/cs", "x") == term::Membership::unknown);
  }
}
