// SMART scopes as clients send them in token requests: v2 letters, v1 read/write/*, the
// finer "?category=laboratory" form, the non-resource scopes OpenID and launch add, and
// how a request is narrowed to what the client is registered for.
#include <catch2/catch.hpp>

#include "gateway/security/scopes.h"

namespace sec = carebridge::gateway::security;
using sec::Interaction;
using sec::Scope;

namespace {

std::vector<Scope> scopes(const std::string& text) {
  auto parsed = sec::parse_scopes(text);
  INFO(text << ": " << (parsed ? std::string() : parsed.issues().front().message));
  REQUIRE(parsed);
  return std::move(parsed).value();
}

std::string refusal(const std::string& text) {
  auto parsed = sec::parse_scopes(text);
  INFO(text);
  REQUIRE_FALSE(parsed);
  return parsed.issues().front().message;
}

// The interactions a single scope grants, as "cruds" letters.
std::string letters(const Scope& s) {
  std::string out;
  if (s.create) out += 'c';
  if (s.read) out += 'r';
  if (s.update) out += 'u';
  if (s.del) out += 'd';
  if (s.search) out += 's';
  return out;
}

}  // namespace

TEST_CASE("SMART v2 scopes grant the interactions their letters name", "[gateway][security][scopes]") {
  auto all = scopes("system/Observation.cruds");
  REQUIRE(all.size() == 1);
  CHECK(all[0].context == Scope::Context::System);
  CHECK(all[0].type == "Observation");
  CHECK(letters(all[0]) == "cruds");
  CHECK(all[0].restrictions.empty());
  for (auto i : {Interaction::Create, Interaction::Read, Interaction::Update, Interaction::Delete, Interaction::Search}) {
    CHECK(sec::allows(all, i, "Observation"));
    CHECK_FALSE(sec::allows(all, i, "Patient"));
  }

  auto read_search = scopes("system/*.rs");
  REQUIRE(read_search.size() == 1);
  CHECK(read_search[0].type == "*");
  CHECK(letters(read_search[0]) == "rs");
  CHECK(sec::allows(read_search, Interaction::Read, "Patient"));
  CHECK(sec::allows(read_search, Interaction::Search, "Encounter"));
  CHECK_FALSE(sec::allows(read_search, Interaction::Create, "Patient"));
  CHECK_FALSE(sec::allows(read_search, Interaction::Update, "Patient"));
  CHECK_FALSE(sec::allows(read_search, Interaction::Delete, "Patient"));

  auto patient = scopes("patient/*.rs");
  REQUIRE(patient.size() == 1);
  CHECK(patient[0].context == Scope::Context::Patient);
  CHECK(letters(patient[0]) == "rs");

  auto create_only = scopes("user/Encounter.c");
  REQUIRE(create_only.size() == 1);
  CHECK(create_only[0].context == Scope::Context::User);
  CHECK(sec::allows(create_only, Interaction::Create, "Encounter"));
  CHECK_FALSE(sec::allows(create_only, Interaction::Read, "Encounter"));

  // Several scopes in one request: each adds to what is allowed.
  auto two = scopes("system/Patient.r system/Observation.s");
  REQUIRE(two.size() == 2);
  CHECK(sec::allows(two, Interaction::Read, "Patient"));
  CHECK_FALSE(sec::allows(two, Interaction::Search, "Patient"));
  CHECK(sec::allows(two, Interaction::Search, "Observation"));
  CHECK_FALSE(sec::allows(two, Interaction::Read, "Observation"));
  CHECK_FALSE(sec::allows({}, Interaction::Read, "Patient"));
}

TEST_CASE("SMART v1 scopes read as their v2 equivalents", "[gateway][security][scopes]") {
  auto read = scopes("system/*.read");
  REQUIRE(read.size() == 1);
  CHECK(letters(read[0]) == "rs");
  CHECK(sec::to_string(read[0]) == "system/*.rs");

  auto write = scopes("user/Patient.write");
  REQUIRE(write.size() == 1);
  CHECK(letters(write[0]) == "cud");
  CHECK(sec::allows(write, Interaction::Update, "Patient"));
  CHECK_FALSE(sec::allows(write, Interaction::Read, "Patient"));
  CHECK(sec::to_string(write[0]) == "user/Patient.cud");

  auto everything = scopes("system/*.*");
  REQUIRE(everything.size() == 1);
  CHECK(letters(everything[0]) == "cruds");
  CHECK(sec::allows(everything, Interaction::Delete, "Consent"));
}

TEST_CASE("the finer scope form restricts what a search may return", "[gateway][security][scopes]") {
  auto labs = scopes("system/Observation.rs?category=laboratory");
  REQUIRE(labs.size() == 1);
  CHECK(labs[0].type == "Observation");
  REQUIRE(labs[0].restrictions.size() == 1);
  CHECK(labs[0].restrictions[0] == std::pair<std::string, std::string>("category", "laboratory"));
  // allows() leaves restrictions aside; restrictions() names them.
  CHECK(sec::allows(labs, Interaction::Search, "Observation"));
  auto found = sec::restrictions(labs, Interaction::Search, "Observation");
  REQUIRE(found.size() == 1);
  CHECK(found[0].second == "laboratory");
  CHECK(sec::restrictions(labs, Interaction::Search, "Patient").empty());

  auto two_params = scopes("patient/Observation.rs?category=vital-signs&status=final");
  REQUIRE(two_params[0].restrictions.size() == 2);
  CHECK(two_params[0].restrictions[1] == std::pair<std::string, std::string>("status", "final"));

  // An unrestricted scope for the same type lifts the restriction.
  auto lifted = scopes("system/Observation.rs?category=laboratory system/Observation.rs");
  CHECK(sec::restrictions(lifted, Interaction::Search, "Observation").empty());
  auto wildcard_lifts = scopes("system/Observation.rs?category=laboratory system/*.rs");
  CHECK(sec::restrictions(wildcard_lifts, Interaction::Read, "Observation").empty());

  // Two restricted scopes: both restrictions apply (either category).
  auto either = scopes("system/Observation.rs?category=laboratory system/Observation.rs?category=vital-signs");
  CHECK(sec::restrictions(either, Interaction::Search, "Observation").size() == 2);
}

TEST_CASE("scopes that are not about resources are ignored", "[gateway][security][scopes]") {
  auto mixed = scopes("openid fhirUser launch launch/patient offline_access online_access system/Patient.rs");
  REQUIRE(mixed.size() == 1);
  CHECK(mixed[0].type == "Patient");
  CHECK(scopes("openid profile").empty());
  CHECK(scopes("").empty());
  // Extra spaces between scopes are not scopes.
  CHECK(scopes("system/Patient.r  system/Observation.r ").size() == 2);
}

TEST_CASE("malformed resource scopes are refused with the scope in the message", "[gateway][security][scopes]") {
  CHECK(refusal("system/Observation").find("system/Observation") != std::string::npos);
  CHECK(!refusal("openid admin/*.rs").empty());  // no such context
  refusal("system/Observation.sr");              // letters out of order
  refusal("system/Observation.rrs");             // a letter twice
  refusal("system/Observation.rx");              // not a permission letter
  refusal("system/Observation.");                // no permissions
  refusal("system/observation.rs");              // not a resource type
  refusal("system/.rs");
  refusal("system/Obs3rvation.rs");
  refusal("system/Observation.rs?category");       // a restriction without a value
  refusal("system/Observation.rs?=laboratory");    // nor a name
  refusal("system/Observation.rs?category=");
  refusal("system/Patient.readwrite");
  // One malformed scope fails the whole list (the client is told, not silently narrowed).
  refusal("system/Patient.rs system/Observation.bad");
}

TEST_CASE("narrowing never grants more than the client is registered for", "[gateway][security][scopes]") {
  auto narrow = [](const std::string& requested, const std::string& allowed) {
    return sec::to_string(sec::narrow_scopes(scopes(requested), scopes(allowed)));
  };
  // What is asked and allowed.
  CHECK(narrow("system/Observation.rs", "system/*.cruds") == "system/Observation.rs");
  CHECK(narrow("system/*.rs", "system/*.rs") == "system/*.rs");
  // Letters the client may not have are dropped.
  CHECK(narrow("system/Observation.cruds", "system/Observation.rs") == "system/Observation.rs");
  CHECK(narrow("system/*.*", "system/*.read") == "system/*.rs");
  // A wildcard request gets the types the client is registered for, no others.
  CHECK(narrow("system/*.cruds", "system/Observation.rs") == "system/Observation.rs");
  CHECK(narrow("system/*.rs", "system/Patient.r system/Observation.s") == "system/Patient.r system/Observation.s");
  // Each permission once: what another granted scope covers is left out.
  CHECK(narrow("system/Observation.rs", "system/*.rs system/Observation.r") == "system/Observation.rs");
  CHECK(narrow("system/*.rs system/Patient.rs", "system/*.rs") == "system/*.rs");
  CHECK(narrow("system/*.rs system/*.rs", "system/*.rs") == "system/*.rs");
  // Nothing for another type, another context or letters the client has none of.
  CHECK(narrow("system/Patient.rs", "system/Observation.rs").empty());
  CHECK(narrow("system/Patient.rs", "patient/*.rs").empty());
  CHECK(narrow("patient/*.rs", "system/*.rs").empty());
  CHECK(narrow("system/Observation.cud", "system/Observation.rs").empty());
  CHECK(narrow("system/*.rs", "").empty());
  // A client registered for restricted access keeps its restriction, whatever it asks for.
  CHECK(narrow("system/Observation.rs?category=laboratory", "system/Observation.rs?category=laboratory") ==
        "system/Observation.rs?category=laboratory");
  CHECK(narrow("system/Observation.rs?category=laboratory", "system/Observation.rs") ==
        "system/Observation.rs?category=laboratory");
  CHECK(narrow("system/Observation.rs", "system/Observation.rs?category=laboratory") ==
        "system/Observation.rs?category=laboratory");
  CHECK(narrow("system/*.rs", "system/Observation.rs?category=laboratory") ==
        "system/Observation.rs?category=laboratory");
  CHECK(narrow("system/Observation.rs?category=vital-signs", "system/Observation.rs?category=laboratory").empty());

  // Whatever was asked, the result allows nothing the registration does not.
  auto allowed = scopes("system/Observation.rs system/Patient.r");
  auto granted = sec::narrow_scopes(scopes("system/*.* patient/*.* user/*.*"), allowed);
  for (auto i : {Interaction::Create, Interaction::Read, Interaction::Update, Interaction::Delete, Interaction::Search}) {
    for (const char* type : {"Observation", "Patient", "Consent", "AuditEvent"}) {
      INFO(type << " " << static_cast<int>(i));
      CHECK((!sec::allows(granted, i, type) || sec::allows(allowed, i, type)));
    }
  }
  CHECK(sec::allows(granted, Interaction::Search, "Observation"));
  CHECK(sec::allows(granted, Interaction::Read, "Patient"));
}

TEST_CASE("scopes print in their v2 form and read back the same", "[gateway][security][scopes]") {
  for (const char* text : {"system/Observation.cruds", "system/*.rs", "patient/*.rs", "user/Encounter.c",
                           "system/Observation.rs?category=laboratory",
                           "patient/Observation.rs?category=vital-signs&status=final"}) {
    auto parsed = scopes(text);
    REQUIRE(parsed.size() == 1);
    CHECK(sec::to_string(parsed[0]) == text);
    auto again = scopes(sec::to_string(parsed[0]));
    REQUIRE(again.size() == 1);
    CHECK(sec::to_string(again[0]) == text);
  }
  auto list = scopes("openid system/Patient.rs user/*.write");
  CHECK(sec::to_string(list) == "system/Patient.rs user/*.cud");
  CHECK(sec::to_string(scopes(sec::to_string(list))) == sec::to_string(list));
  CHECK(sec::to_string(std::vector<Scope>{}).empty());
}
