// ValueSet expansion from compose: whole systems, concept lists, excludes, nested
// value sets (united across includes, intersected within one), canonicals with a
// version, stored expansions, cycles, open systems; and code lookup and subsumption.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "terminology_fixture.h"

using namespace carebridge::testing::terminology;
using term::Membership;

TEST_CASE("a whole system, a concept list and an exclude", "[terminology][value-sets]") {
  auto whole = expand(json(R"({"include":[{"system":"$S"}]})"));
  REQUIRE(whole.expansion);
  CHECK(whole.expansion->size() == 12);
  auto listed = expand(json(R"({"include":[{"system":"$S","concept":[{"code":"legal"},{"code":"ride"}]}]})"));
  CHECK(codes_of(*listed.expansion) == Codes{"legal", "ride"});
  auto excluded = expand(json(R"({"include":[{"system":"$S"}],
      "exclude":[{"system":"$S","filter":[{"property":"concept","op":"is-a","value":"food"}]},
                 {"system":"$S","concept":[{"code":"legal"}]}]})"));
  CHECK(codes_of(*excluded.expansion) ==
        Codes{"bus-pass", "deposit", "housing", "rental-assistance", "ride", "shelter", "taxi-voucher", "transport"});
  CHECK(excluded.expansion->contains(kServices, "pantry") == Membership::not_in);
  CHECK(excluded.expansion->contains_code("legal") == Membership::not_in);
  CHECK(excluded.expansion->contains_code("ride") == Membership::in);
}

TEST_CASE("value sets in different includes are united, in one include intersected", "[terminology][value-sets]") {
  std::vector<std::string> parts = {
      value_set("housing", filtered("concept", "is-a", "housing")),
      value_set("basic", filtered("category", "=", "basic-need")),
  };
  auto united = expand(json(R"({"include":[{"valueSet":["$VS/housing"]},{"valueSet":["$VS/basic"]}]})"), parts);
  REQUIRE(united.expansion);
  CHECK(codes_of(*united.expansion) == Codes{"deposit", "food", "housing", "rental-assistance", "shelter"});
  auto common = expand(json(R"({"include":[{"valueSet":["$VS/housing","$VS/basic"]}]})"), parts);
  CHECK(codes_of(*common.expansion) == Codes{"housing", "shelter"});
  // A system and a value set in one include: the codes of the system that are in the value set.
  auto both = expand(json(R"({"include":[{"system":"$S","concept":[{"code":"shelter"},{"code":"legal"}],
                                          "valueSet":["$VS/housing"]}]})"),
                     parts);
  CHECK(codes_of(*both.expansion) == Codes{"shelter"});
}

TEST_CASE("canonicals with a version find the value set and code system", "[terminology][value-sets]") {
  auto defs = definitions_with();
  term::Terminology terminology(*defs);
  CHECK(terminology.contains(value_set_url("housing-support|1.0.0"), kServices, "shelter") == Membership::in);
  CHECK(terminology.contains(value_set_url("housing-support|9.9"), kServices, "shelter") == Membership::in);
  CHECK(terminology.lookup(kServices + "|1.0.0", "legal").status == term::LookupStatus::found);
  // A code system's URL stands for its implicit value set.
  CHECK(terminology.contains(kServices, kServices, "ride") == Membership::in);
  CHECK(terminology.contains(kServices, kServices, "walk") == Membership::not_in);
  CHECK(terminology.contains("http://example.org/no-such-value-set", kServices, "ride") == Membership::unknown);
  CHECK(terminology.expansion("http://example.org/no-such-value-set") == nullptr);
}

TEST_CASE("a stored expansion is used as it is", "[terminology][value-sets]") {
  auto defs = definitions_with({json(R"({"resourceType":"ValueSet","url":"$VS/stored",
      "compose":{"include":[{"system":"http://example.org/cs"}]},
      "expansion":{"timestamp":"2024-01-01","contains":[
        {"system":"http://example.org/cs","code":"a"},
        {"system":"http://example.org/cs","code":"b","contains":[{"system":"http://example.org/cs","code":"c"}]}]}})"),
                                json(R"({"resourceType":"ValueSet","url":"$VS/paged",
      "expansion":{"timestamp":"2024-01-01","total":40,"offset":0,
                   "contains":[{"system":"http://example.org/cs","code":"a"}]}})")});
  term::Terminology terminology(*defs);
  CHECK(terminology.contains(value_set_url("stored"), "http://example.org/cs", "c") == Membership::in);
  CHECK(terminology.contains(value_set_url("stored"), "http://example.org/cs", "d") == Membership::not_in);
  // One page of a larger expansion says nothing about what is not on the page.
  CHECK(terminology.contains(value_set_url("paged"), "http://example.org/cs", "d") == Membership::unknown);
}

TEST_CASE("value sets that include each other are expanded once, without looping", "[terminology][value-sets]") {
  auto defs = definitions_with(
      {value_set("a", json(R"({"include":[{"valueSet":["$VS/b"]},{"system":"$S","concept":[{"code":"legal"}]}]})")),
       value_set("b", json(R"({"include":[{"valueSet":["$VS/a"]},{"system":"$S","concept":[{"code":"ride"}]}]})"))});
  term::Terminology terminology(*defs);
  const term::Expansion* a = terminology.expansion(value_set_url("a"));
  REQUIRE(a);
  CHECK(codes_of(*a) == Codes{"legal", "ride"});
  CHECK(terminology.expansion(value_set_url("a")) == a);         // cached
  CHECK(a->contains(kServices, "food") == Membership::unknown);  // the cycle is a part nobody can list
}

TEST_CASE("expansions are built once and shared by threads asking at the same time", "[terminology][value-sets]") {
  auto defs = definitions_with({value_set("nested", json(R"({"include":[{"valueSet":["$VS/housing-support"]}]})"))});
  term::Terminology terminology(*defs);
  constexpr size_t kThreads = 8;
  std::vector<const term::Expansion*> seen(kThreads);
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (size_t t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int k = 0; k < 50; ++k) {
        seen[t] = terminology.expansion(value_set_url("nested"));
        if (!seen[t] || terminology.contains(value_set_url("nested"), kServices, "shelter") != Membership::in ||
            terminology.contains(value_set_url("nested"), kServices, "rental-assistance") != Membership::not_in ||
            terminology.lookup(kServices, "legal").display() != "Legal aid") {
          ++wrong;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(wrong == 0);
  for (const auto* e : seen) CHECK(e == seen.front());
}

TEST_CASE("systems that cannot be expanded here are open, never a false 'not in'", "[terminology][value-sets]") {
  auto e = expand(json(R"({
      "include":[{"system":"http://snomed.info/sct","filter":[{"property":"concept","op":"is-a","value":"404684003"}]},
                 {"system":"$S","concept":[{"code":"legal"}]}],
      "exclude":[{"system":"http://snomed.info/sct","concept":[{"code":"123"}]}]})"));
  REQUIRE(e.expansion);
  CHECK_FALSE(e.expansion->complete());
  CHECK(e.expansion->contains("http://snomed.info/sct", "22298006") == Membership::in);
  CHECK(e.expansion->contains("http://snomed.info/sct", "123") == Membership::not_in);  // excluded by name
  CHECK(e.expansion->contains(kServices, "legal") == Membership::in);
  CHECK(e.expansion->contains(kServices, "ride") == Membership::unknown);
  CHECK(e.expansion->contains_code("ride") == Membership::unknown);
  // An unknown value set inside makes the rest unknown, not 'not in'.
  auto unknown = expand(json(R"({"include":[{"valueSet":["http://example.org/missing"]},
                                            {"system":"$S","concept":[{"code":"legal"}]}]})"));
  CHECK(unknown.expansion->contains(kServices, "legal") == Membership::in);
  CHECK(unknown.expansion->contains(kServices, "ride") == Membership::unknown);
}

TEST_CASE("lookup gives the display and tells not found from unknown", "[terminology][lookup]") {
  auto defs = definitions_with({R"({"resourceType":"CodeSystem","url":"http://carebridge.example/fhir/CodeSystem/partial",
      "content":"fragment","caseSensitive":false,"concept":[{"code":"Known","display":"A known code"}]})"});
  term::Terminology terminology(*defs);
  auto found = terminology.lookup(kServices, "legal");
  CHECK(found.status == term::LookupStatus::found);
  CHECK(found.display() == "Legal aid");
  REQUIRE(found.entry);
  CHECK(found.entry->displays == std::vector<std::string>{"Legal aid", "Legal help"});
  CHECK(terminology.lookup(kServices, "Legal").status == term::LookupStatus::not_found);  // case-sensitive
  CHECK(terminology.lookup(kServices, "nope").status == term::LookupStatus::not_found);
  auto partial = "http://carebridge.example/fhir/CodeSystem/partial";
  CHECK(terminology.lookup(partial, "KNOWN").display() == "A known code");            // not case-sensitive
  CHECK(terminology.lookup(partial, "other").status == term::LookupStatus::unknown);  // a fragment
  CHECK(terminology.lookup("http://loinc.org", "1234-5").status == term::LookupStatus::unknown);
}

TEST_CASE("subsumes follows the hierarchy of one code system", "[terminology][lookup]") {
  auto defs = definitions_with();
  term::Terminology terminology(*defs);
  CHECK(terminology.subsumes(kServices, "housing", "deposit") == term::Subsumption::subsumes);
  CHECK(terminology.subsumes(kServices, "ride", "transport") == term::Subsumption::subsumed_by);
  CHECK(terminology.subsumes(kServices, "food", "food") == term::Subsumption::equivalent);
  CHECK(terminology.subsumes(kServices, "food", "housing") == term::Subsumption::not_subsumed);
  CHECK(terminology.subsumes(kServices, "food", "nope") == term::Subsumption::unknown);
  CHECK(terminology.subsumes("http://snomed.info/sct", "1", "2") == term::Subsumption::unknown);
}

TEST_CASE("a value set the definitions lack expands over code systems and value sets a caller holds", "[terminology][value-sets]") {
  // A client's value set naming a client's code system was open (422 on $expand) and a
  // client's value set it included was unknown.
  auto defs = definitions_with();
  term::Terminology terminology(*defs);
  auto local = term::read_code_system(R"({"resourceType":"CodeSystem","url":"http://shelter.example/cs","version":"2",)"
                                      R"("content":"complete","concept":[{"code":"a","concept":[{"code":"a1"}]},{"code":"b"}]})");
  REQUIRE(local.ok());
  std::string nested = R"({"resourceType":"ValueSet","url":"http://shelter.example/vs-b","compose":{"include":[)"
                       R"({"system":"http://shelter.example/cs","concept":[{"code":"b"}]}]}})";
  term::ExtraSources extra{[&](std::string_view url) { return url.starts_with("http://shelter.example/cs") ? &*local : nullptr; },
                           [&](std::string_view url) -> std::optional<std::string> {
                             if (url == "http://shelter.example/vs-b") return nested;
                             return std::nullopt;
                           }};
  auto expanded = terminology.expand(R"({"resourceType":"ValueSet","compose":{"include":[{"system":"http://shelter.example/cs",)"
                                     R"("filter":[{"property":"concept","op":"is-a","value":"a"}]},{"valueSet":["http://shelter.example/vs-b"]}]}})",
                                     extra);
  REQUIRE(expanded.ok());
  CHECK(expanded->complete());
  CHECK(codes_of(*expanded, "http://shelter.example/cs") == Codes{"a", "a1", "b"});
}
