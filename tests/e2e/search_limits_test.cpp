// End to end: a search costs in proportion to its size. Hundreds of values of one
// parameter, many parameters, _has nested eight deep are answered; beyond the
// limits (values per parameter, parameters per search, _has depth, length) the
// answer is 400 with an OperationOutcome that names the limit, quickly, and the
// limits come from the config.
#include <catch2/catch.hpp>

#include <chrono>

#include "fhir_client.h"
#include "server_process.h"
#include "support/test_support.h"

using namespace carebridge::testing;
using carebridge::gateway::http::Client;

namespace {

carebridge::gateway::http::Response post_search(Client& c, const std::string& type, const std::string& form) {
  return c.post("/fhir/" + type + "/_search", form, {{"Content-Type", "application/x-www-form-urlencoded"}});
}

int total_of(const carebridge::gateway::http::Response& r) {
  INFO(r.status << " " << r.body.substr(0, 400));
  REQUIRE(r.status == 200);
  return parse_json(r.body)["total"].GetInt();
}

// The OperationOutcome's first message, after requiring a 400 with code too-long.
std::string refusal(const carebridge::gateway::http::Response& r) {
  INFO(r.body.substr(0, 400));
  REQUIRE(r.status == 400);
  auto doc = parse_json(r.body);
  REQUIRE(str(doc, "resourceType") == "OperationOutcome");
  CHECK(str(doc["issue"][0], "code") == "too-long");
  return str(doc["issue"][0]["details"], "text");
}

// `levels` nested _has from Patient to Patient through link, ending in gender.
std::string nested_has(int levels) {
  std::string key;
  for (int i = 0; i < levels; ++i) key += "_has:Patient:link:";
  return key + "gender=male";
}

}  // namespace

TEST_CASE("large searches are answered, larger ones refused with the limit they pass", "[gateway][e2e][search]") {
  ServerProcess server(temp_dir("search-limits"));
  auto c = server.client();
  std::string a = "{\"resourceType\":\"Patient\",\"identifier\":[{\"system\":\"urn:mrn\",\"value\":\"v417\"}],\"gender\":\"male\"}";
  REQUIRE(c->post("/fhir/Patient", a, json_headers()).status == 201);
  std::string linked = R"({"resourceType":"Patient","gender":"female","link":[{"other":{"reference":"Patient/x"},"type":"seealso"}]})";
  REQUIRE(c->post("/fhir/Patient", linked, json_headers()).status == 201);

  // 500 values of one parameter, OR'ed (SQLite refused the expression before).
  std::string values;
  for (int i = 0; i < 500; ++i) values += (i ? "," : "") + std::string("urn:mrn|v") + std::to_string(i);
  CHECK(total_of(post_search(*c, "Patient", "identifier=" + values)) == 1);
  CHECK(total_of(c->get("/fhir/Patient?_id=" + std::string(499, ',') + "x")) == 0);
  // 100 parameters, AND'ed.
  std::string many;
  for (int i = 0; i < 100; ++i) many += (i ? "&" : "") + std::string("gender=male");
  CHECK(total_of(post_search(*c, "Patient", many)) == 1);
  // _has nested eight levels deep.
  CHECK(total_of(c->get("/fhir/Patient?" + nested_has(8))) == 0);

  // Beyond each limit: 400, naming it.
  CHECK_THAT(refusal(post_search(*c, "Patient", "identifier=" + values + "," + values + ",x")),
             Catch::Contains("at most 1000 values per parameter"));
  CHECK_THAT(refusal(post_search(*c, "Patient", many + "&" + many)), Catch::Contains("at most 100 parameters"));
  CHECK_THAT(refusal(c->get("/fhir/Patient?" + nested_has(9))), Catch::Contains("at most 8 _has levels"));
  // A 218 KiB _has chain is refused at once, not parsed level by level.
  std::string chain;
  while (chain.size() < 218 * 1024) chain += "_has:Patient:link:";
  auto start = std::chrono::steady_clock::now();
  CHECK_THAT(refusal(post_search(*c, "Patient", chain + "gender=male")), Catch::Contains("at most 65536 bytes"));
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(2));
  // A chain of the same depth within the length limit is refused by its depth.
  CHECK_THAT(refusal(post_search(*c, "Patient", nested_has(3000))), Catch::Contains("_has levels"));
  // Sort keys are joins: a bounded number of them.
  std::string sorts;
  for (int i = 0; i < 17; ++i) sorts += (i ? "," : "") + std::string("birthdate");
  CHECK_THAT(refusal(c->get("/fhir/Patient?_sort=" + sorts)), Catch::Contains("at most 16"));
  CHECK(c->get("/fhir/metadata").status == 200);
}

TEST_CASE("the search limits come from the config", "[gateway][e2e][search]") {
  ServerProcess server(temp_dir("search-limits-config"), R"({"limits":{"max_search_values":3,"max_search_parameters":4,)"
                                                         R"("max_has_depth":1,"max_search_query_bytes":200}})");
  auto c = server.client();
  CHECK(c->get("/fhir/Patient?gender=male,female,other").status == 200);
  CHECK_THAT(refusal(c->get("/fhir/Patient?gender=male,female,other,unknown")), Catch::Contains("at most 3 values"));
  CHECK(c->get("/fhir/Patient?gender=male&name=a&family=b&given=c").status == 200);
  CHECK_THAT(refusal(c->get("/fhir/Patient?gender=male&name=a&family=b&given=c&_count=1")), Catch::Contains("at most 4 parameters"));
  CHECK(c->get("/fhir/Patient?" + nested_has(1)).status == 200);
  CHECK_THAT(refusal(c->get("/fhir/Patient?" + nested_has(2))), Catch::Contains("at most 1 _has levels"));
  CHECK_THAT(refusal(c->get("/fhir/Patient?name=" + std::string(300, 'a'))), Catch::Contains("at most 200 bytes"));
}
