// Binary content as itself (R4 binary.html#rest) against a running server: a document posted
// with its own content type is stored as a Binary and read back byte for byte by a client
// that asks for that type, as FHIR by one that asks for FHIR; it is sent so that a browser
// never runs it.
#include <catch2/catch.hpp>

#include "fhir_client.h"
#include "server_process.h"
#include "support/test_support.h"

using namespace carebridge::testing;
using carebridge::gateway::http::Headers;

TEST_CASE("a Binary's content is stored and read as itself when the client asks for no FHIR format", "[gateway][e2e]") {
  ServerProcess server(temp_dir("binary-content"));
  auto c = server.client();
  const std::string pdf("%PDF-1.4\n\x01\x02\xff binary \0 bytes\n%%EOF", 33);
  auto created = c->post("/fhir/Binary", pdf, Headers{{"Content-Type", "application/pdf"}, {"X-Security-Context", "Patient/p1"}});
  REQUIRE(created.status == 201);
  auto binary = parse_json(created.body);
  CHECK(str(binary, "resourceType") == "Binary");
  CHECK(str(binary, "contentType") == "application/pdf");
  CHECK(str(binary["securityContext"], "reference") == "Patient/p1");
  std::string id = str(binary, "id");

  auto raw = c->get("/fhir/Binary/" + id, Headers{{"Accept", "application/pdf"}});
  REQUIRE(raw.status == 200);
  CHECK(raw.body == pdf);
  CHECK(header(raw, "Content-Type") == "application/pdf");
  CHECK(header(raw, "X-Content-Type-Options") == "nosniff");
  CHECK(header(raw, "Content-Security-Policy").find("sandbox") != std::string::npos);
  CHECK(c->get("/fhir/Binary/" + id + "/_history/1", Headers{{"Accept", "text/plain"}}).body == pdf);
  // Asked for FHIR, the Binary resource; a Binary that is not there is 404 either way.
  CHECK(str(parse_json(c->get("/fhir/Binary/" + id, Headers{{"Accept", "application/fhir+json"}}).body), "data").size() > 0);
  CHECK(c->get("/fhir/Binary/none", Headers{{"Accept", "application/pdf"}}).status == 404);
  // A PUT of content with its own type is the next version, with the id of the URL.
  REQUIRE(c->put("/fhir/Binary/" + id, "plain words", Headers{{"Content-Type", "text/plain; charset=utf-8"}}).status == 200);
  auto text = c->get("/fhir/Binary/" + id, Headers{{"Accept", "text/plain"}});
  CHECK(text.body == "plain words");
  CHECK(header(text, "Content-Type") == "text/plain");
  // Other resources are FHIR only.
  CHECK(c->post("/fhir/Patient", "plain words", Headers{{"Content-Type", "text/plain"}}).status == 415);
}
