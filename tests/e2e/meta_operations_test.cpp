// $meta, $meta-add and $meta-delete (R4 resource-operations.html) against a running server:
// a resource's profiles, tags and security labels read, added (found by _tag afterwards, not
// added twice) and removed, each change the next version; a resource the caller cannot see
// is not there; an operation not offered at the type level says so.
#include <catch2/catch.hpp>

#include "fhir_client.h"
#include "server_process.h"
#include "support/test_support.h"

using namespace carebridge::testing;

namespace {

std::string meta_change(const std::string& meta) {
  return R"({"resourceType":"Parameters","parameter":[{"name":"meta","valueMeta":)" + meta + "}]}";
}

}  // namespace

TEST_CASE("$meta-add and $meta-delete change a resource's tags and profiles, $meta reads them", "[gateway][e2e]") {
  ServerProcess server(temp_dir("meta-operations"));
  auto c = server.client();
  REQUIRE(c->put("/fhir/Patient/p1", patient_json("Okafor", "Ada", R"("id":"p1",)"), json_headers()).status == 201);
  const std::string review = R"({"system":"http://example.org/workflow","code":"needs-review"})";

  auto added = c->post("/fhir/Patient/p1/$meta-add", meta_change(R"({"tag":[)" + review + R"(]})"), json_headers());
  REQUIRE(added.status == 200);
  auto returned = parse_json(added.body);
  CHECK(str(returned, "resourceType") == "Parameters");
  CHECK(str(returned["parameter"][0], "name") == "return");
  CHECK(str(returned["parameter"][0]["valueMeta"]["tag"][0], "code") == "needs-review");
  CHECK(parse_json(c->get("/fhir/Patient?_tag=http://example.org/workflow%7Cneeds-review").body)["total"].GetInt() == 1);
  // The same tag again is not a second one.
  REQUIRE(c->post("/fhir/Patient/p1/$meta-add", meta_change(R"({"tag":[)" + review + R"(]})"), json_headers()).status == 200);
  auto read = parse_json(c->get("/fhir/Patient/p1/$meta").body);
  CHECK(read["parameter"][0]["valueMeta"]["tag"].Size() == 1);

  auto deleted = c->post("/fhir/Patient/p1/$meta-delete", meta_change(R"({"tag":[)" + review + R"(]})"), json_headers());
  REQUIRE(deleted.status == 200);
  CHECK(!parse_json(deleted.body)["parameter"][0]["valueMeta"].HasMember("tag"));
  CHECK(parse_json(c->get("/fhir/Patient?_tag=http://example.org/workflow%7Cneeds-review").body)["total"].GetInt() == 0);
  CHECK(str(parse_json(c->get("/fhir/Patient/p1").body)["meta"], "versionId") == "3");  // each change a version

  CHECK(c->get("/fhir/Patient/nobody/$meta").status == 404);
  CHECK(c->get("/fhir/Patient/p1/$meta-add").status == 405);
  CHECK(c->post("/fhir/Patient/p1/$meta-add", R"({"resourceType":"Parameters"})", json_headers()).status == 400);
  auto type_level = c->get("/fhir/Patient/$meta");
  CHECK(type_level.status == 400);
  CHECK(type_level.body.find("not offered") != std::string::npos);
  CHECK(c->get("/fhir/metadata").body.find("Resource-meta-add") != std::string::npos);
}
