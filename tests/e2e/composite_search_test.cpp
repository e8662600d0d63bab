// End to end: composite search parameters (code and value of the same observation
// or component, FHIR search 3.1.1.4.9) and the parameters that read another's index
// rows (patient reads subject's rows of type Patient; combo-code is code and
// component-code) answer as if each had rows of its own.
#include <catch2/catch.hpp>

#include "fhir_client.h"
#include "search_cases.h"
#include "server_process.h"
#include "support/test_support.h"

using namespace carebridge::testing;

TEST_CASE("composite parameters match code and value of the same observation or component", "[gateway][e2e][search]") {
  ServerProcess server(temp_dir("composite-search"));
  auto c = server.client();
  auto total = [&](const std::string& query) {
    auto r = c->get("/fhir/" + query);
    INFO(query << " -> " << r.body.substr(0, 1500));
    REQUIRE(r.status == 200);
    return parse_json(r.body)["total"].GetInt();
  };
  // Composites (search_cases.cpp lists them with their totals), then shared rows:
  // patient is subject of type Patient, also for a bare id; combo-code is code or component-code.
  for (const auto& search : composite_searches(http_send(*c))) {
    if (search.total >= 0) CHECK(total(search.query) == search.total);
  }
  auto bad = c->get("/fhir/Observation?code-value-quantity=gt100");
  CHECK(bad.status == 400);
  CHECK_THAT(bad.body, Catch::Contains("'$'"));

  // _include and _revinclude through a parameter that reads another's rows.
  auto included = parse_json(c->get("/fhir/Observation?code=29463-7&_include=Observation:patient").body);
  CHECK(included["entry"].Size() == 3);  // two weights and Patient/a, not Group/g
  auto revincluded = parse_json(c->get("/fhir/Patient?_id=a&_revinclude=Observation:patient").body);
  CHECK(revincluded["entry"].Size() == 5);
}

TEST_CASE(":text finds a concept by its codings' display or by its own text", "[gateway][e2e][search]") {
  ServerProcess server(temp_dir("token-text"));
  auto c = server.client();
  for (const auto& search : token_text_searches(http_send(*c))) {
    CHECK(parse_json(c->get("/fhir/" + search.query).body)["total"].GetInt() == search.total);
  }
}
