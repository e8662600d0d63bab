// End to end: create, read, vread, update with If-Match, conditional create and
// update, delete and history against a running server, in JSON and in XML, with
// every status code, header and body checked.
#include <atomic>
#include <catch2/catch.hpp>

#include <set>
#include <thread>

#include "fhir_client.h"
#include "server_process.h"
#include "support/test_support.h"

using namespace carebridge::testing;
using carebridge::gateway::http::Headers;

TEST_CASE("create read vread update with If-Match delete and history in JSON", "[gateway][e2e]") {
  ServerProcess server(temp_dir("crud-json"));
  auto c = server.client();

  auto created = c->post("/fhir/Patient", patient_json("Okafor", "Ada", R"("id":"ignored",)"), json_headers());
  REQUIRE(created.status == 201);
  std::string location = header(created, "Location");
  INFO(location);
  REQUIRE(location.find("/fhir/Patient/") != std::string::npos);
  REQUIRE(location.size() > 12);
  REQUIRE(location.substr(location.size() - 11) == "/_history/1");
  CHECK(header(created, "ETag") == "W/\"1\"");
  CHECK(!header(created, "Last-Modified").empty());
  CHECK(header(created, "Content-Type").find("application/fhir+json") == 0);
  auto body = parse_json(created.body);
  REQUIRE(body.IsObject());
  std::string id = str(body, "id");
  CHECK(id != "ignored");
  CHECK(location.find("/Patient/" + id + "/_history/1") != std::string::npos);
  CHECK(str(body["meta"], "versionId") == "1");
  CHECK(!str(body["meta"], "lastUpdated").empty());

  auto read = c->get("/fhir/Patient/" + id);
  REQUIRE(read.status == 200);
  CHECK(header(read, "ETag") == "W/\"1\"");
  CHECK(!header(read, "Last-Modified").empty());
  CHECK(str(parse_json(read.body)["name"][0], "family") == "Okafor");

  // Update with the right version, then with a stale one.
  std::string updated_body = patient_json("Okafor-Bello", "Ada", R"("id":")" + id + R"(",)");
  Headers if_match = json_headers();
  if_match.emplace_back("If-Match", "W/\"1\"");
  auto updated = c->put("/fhir/Patient/" + id, updated_body, if_match);
  REQUIRE(updated.status == 200);
  CHECK(header(updated, "ETag") == "W/\"2\"");
  CHECK(str(parse_json(updated.body)["meta"], "versionId") == "2");
  auto stale = c->put("/fhir/Patient/" + id, updated_body, if_match);
  CHECK(stale.status == 412);
  CHECK(str(parse_json(stale.body), "resourceType") == "OperationOutcome");

  // vread of both versions; an unknown version is 404.
  auto v1 = c->get("/fhir/Patient/" + id + "/_history/1");
  REQUIRE(v1.status == 200);
  CHECK(str(parse_json(v1.body)["name"][0], "family") == "Okafor");
  auto v2 = c->get("/fhir/Patient/" + id + "/_history/2");
  REQUIRE(v2.status == 200);
  CHECK(str(parse_json(v2.body)["name"][0], "family") == "Okafor-Bello");
  CHECK(c->get("/fhir/Patient/" + id + "/_history/9").status == 404);
  CHECK(c->get("/fhir/Patient/does-not-exist").status == 404);

  // _elements and _summary on read; HEAD has the headers without the body.
  auto subset = parse_json(c->get("/fhir/Patient/" + id + "?_elements=birthDate").body);
  CHECK(subset.HasMember("birthDate"));
  CHECK(!subset.HasMember("name"));
  CHECK(str(subset["meta"]["tag"][0], "code") == "SUBSETTED");
  auto summary = parse_json(c->get("/fhir/Patient/" + id + "?_summary=true").body);
  CHECK(summary.HasMember("name"));  // Patient.name is a summary element
  auto head = c->send({"HEAD", "/fhir/Patient/" + id, {}, {}, {}, false});
  CHECK(head.status == 200);
  CHECK(head.body.empty());
  CHECK(header(head, "ETag") == "W/\"2\"");

  // Prefer: return=minimal and return=OperationOutcome.
  Headers minimal = json_headers();
  minimal.emplace_back("Prefer", "return=minimal");
  auto quiet = c->post("/fhir/Patient", patient_json("Quiet", "Q"), minimal);
  CHECK(quiet.status == 201);
  CHECK(quiet.body.empty());
  CHECK(!header(quiet, "Location").empty());
  Headers oo = json_headers();
  oo.emplace_back("Prefer", "return=OperationOutcome");
  auto with_outcome = c->post("/fhir/Patient", patient_json("Outcome", "O"), oo);
  CHECK(with_outcome.status == 201);
  CHECK(str(parse_json(with_outcome.body), "resourceType") == "OperationOutcome");

  // Update as create with a client id.
  auto as_create = c->put("/fhir/Patient/client-chosen-1", patient_json("Chosen", "C", R"("id":"client-chosen-1",)"), json_headers());
  CHECK(as_create.status == 201);
  CHECK(header(as_create, "ETag") == "W/\"1\"");

  // Delete, then read is 410 Gone; deleting again is fine; history shows all three versions.
  auto deleted = c->del("/fhir/Patient/" + id);
  CHECK(deleted.status == 204);
  CHECK(c->get("/fhir/Patient/" + id).status == 410);
  CHECK(c->get("/fhir/Patient/" + id + "/_history/3").status == 410);
  CHECK(c->get("/fhir/Patient/" + id + "/_history/2").status == 200);
  CHECK(c->del("/fhir/Patient/" + id).status == 204);
  auto history = c->get("/fhir/Patient/" + id + "/_history");
  REQUIRE(history.status == 200);
  auto h = parse_json(history.body);
  CHECK(str(h, "type") == "history");
  CHECK(h["total"].GetInt() == 3);
  REQUIRE(h["entry"].Size() == 3);
  CHECK(str(h["entry"][0]["request"], "method") == "DELETE");
  CHECK(str(h["entry"][0]["response"], "status") == "204 No Content");
  CHECK(!h["entry"][0].HasMember("resource"));
  CHECK(str(h["entry"][1]["request"], "method") == "PUT");
  CHECK(str(h["entry"][2]["request"], "method") == "POST");
  CHECK(str(h["entry"][2]["resource"]["meta"], "versionId") == "1");

  // Type and system history, _count paging and _since.
  auto type_history = parse_json(c->get("/fhir/Patient/_history?_count=2").body);
  CHECK(type_history["total"].GetInt() == 6);
  CHECK(type_history["entry"].Size() == 2);
  bool has_next = false;
  for (const auto& link : type_history["link"].GetArray()) has_next = has_next || str(link, "relation") == "next";
  CHECK(has_next);
  // _count=0: the total alone, and no page to go to.
  auto counted = parse_json(c->get("/fhir/Patient/_history?_count=0").body);
  CHECK(counted["total"].GetInt() == 6);
  for (const auto& link : counted["link"].GetArray()) CHECK(str(link, "relation") == "self");
  // The system's history has these and the 5 subscription topics the server stores at start.
  auto system_history = parse_json(c->get("/fhir/_history").body);
  CHECK(system_history["total"].GetInt() == 6 + 5);
  auto since = parse_json(c->get("/fhir/Patient/_history?_since=2100-01-01T00:00:00Z").body);
  CHECK(since["total"].GetInt() == 0);
  // A version written between pages does not push the first page's versions onto the next.
  std::string next;
  std::set<std::string> seen;
  for (const auto& e : type_history["entry"].GetArray()) seen.insert(str(e["response"], "etag") + str(e, "fullUrl"));
  for (const auto& link : type_history["link"].GetArray())
    if (str(link, "relation") == "next") next = str(link, "url");
  REQUIRE(next.find("_snapshot=") != std::string::npos);
  REQUIRE(c->post("/fhir/Patient", patient_json("Between", "Pages"), json_headers()).status == 201);
  auto second = parse_json(c->get(next.substr(next.find("/fhir/"))).body);
  CHECK(second["total"].GetInt() == 6);
  REQUIRE(second["entry"].Size() == 2);
  for (const auto& e : second["entry"].GetArray()) CHECK(!seen.count(str(e["response"], "etag") + str(e, "fullUrl")));
}

TEST_CASE("conditional create and conditional update", "[gateway][e2e]") {
  ServerProcess server(temp_dir("conditional"));
  auto c = server.client();
  std::string with_identifier =
      patient_json("Nguyen", "Linh", R"("identifier":[{"system":"urn:mrn","value":"MRN-77"}],)");
  Headers h = json_headers();
  h.emplace_back("If-None-Exist", "identifier=urn:mrn|MRN-77");
  auto first = c->post("/fhir/Patient", with_identifier, h);
  REQUIRE(first.status == 201);
  auto again = c->post("/fhir/Patient", with_identifier, h);
  CHECK(again.status == 200);
  CHECK(str(parse_json(again.body), "id") == str(parse_json(first.body), "id"));

  // Conditional update: one match updates it, no match creates.
  std::string renamed = patient_json("Nguyen", "Linh Thi", R"("identifier":[{"system":"urn:mrn","value":"MRN-77"}],)");
  auto update = c->put("/fhir/Patient?identifier=urn:mrn|MRN-77", renamed, json_headers());
  CHECK(update.status == 200);
  CHECK(header(update, "ETag") == "W/\"2\"");
  // The same content again changes nothing: no new version.
  auto same = c->put("/fhir/Patient?identifier=urn:mrn|MRN-77", renamed, json_headers());
  CHECK(same.status == 200);
  CHECK(header(same, "ETag") == "W/\"2\"");
  auto create = c->put("/fhir/Patient?identifier=urn:mrn|MRN-78",
                       patient_json("Nguyen", "Minh", R"("identifier":[{"system":"urn:mrn","value":"MRN-78"}],)"),
                       json_headers());
  CHECK(create.status == 201);
  // Conditional delete.
  CHECK(c->del("/fhir/Patient?identifier=urn:mrn|MRN-78").status == 204);

  // Concurrent conditional creates of the same patient make one resource.
  std::vector<std::thread> threads;
  std::atomic<int> created{0};
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&] {
      Headers ifne = json_headers();
      ifne.emplace_back("If-None-Exist", "identifier=urn:mrn|RACE-1");
      auto r = server.client()->post(
          "/fhir/Patient", patient_json("Race", "R", R"("identifier":[{"system":"urn:mrn","value":"RACE-1"}],)"), ifne);
      if (r.status == 201) ++created;
    });
  }
  for (auto& t : threads) t.join();
  CHECK(created == 1);
  CHECK(parse_json(c->get("/fhir/Patient?identifier=urn:mrn|RACE-1").body)["total"].GetInt() == 1);
  auto gone = parse_json(c->get("/fhir/Patient?identifier=urn:mrn|MRN-78").body);
  CHECK(gone["total"].GetInt() == 0);
}

TEST_CASE("create read update and history in XML", "[gateway][e2e][xml]") {
  ServerProcess server(temp_dir("crud-xml"));
  auto c = server.client();
  std::string xml = R"(<Patient xmlns="http://hl7.org/fhir"><name><family value="Dubois"/><given value="Zoé"/></name>)"
                    R"(<birthDate value="1975-02-03"/></Patient>)";
  auto created = c->post("/fhir/Patient", xml, xml_headers());
  REQUIRE(created.status == 201);
  CHECK(header(created, "Content-Type").find("application/fhir+xml") == 0);
  CHECK(created.body.find("<Patient xmlns=\"http://hl7.org/fhir\">") != std::string::npos);
  CHECK(created.body.find("<versionId value=\"1\"/>") != std::string::npos);
  std::string location = header(created, "Location");
  auto at = location.find("/Patient/");
  std::string id = location.substr(at + 9, location.find("/_history") - at - 9);

  auto read = c->get("/fhir/Patient/" + id, {{"Accept", "application/fhir+xml"}});
  REQUIRE(read.status == 200);
  CHECK(read.body.find("<family value=\"Dubois\"/>") != std::string::npos);
  CHECK(read.body.find("Zoé") != std::string::npos);
  // _format wins over Accept; JSON of the same resource.
  auto as_json = c->get("/fhir/Patient/" + id + "?_format=json", {{"Accept", "application/fhir+xml"}});
  CHECK(header(as_json, "Content-Type").find("application/fhir+json") == 0);
  CHECK(str(parse_json(as_json.body)["name"][0], "family") == "Dubois");

  std::string updated = R"(<Patient xmlns="http://hl7.org/fhir"><id value=")" + id +
                        R"("/><name><family value="Dubois-Martin"/></name></Patient>)";
  Headers h = xml_headers();
  h.emplace_back("If-Match", "W/\"1\"");
  auto put = c->put("/fhir/Patient/" + id, updated, h);
  CHECK(put.status == 200);
  CHECK(header(put, "ETag") == "W/\"2\"");
  auto history = c->get("/fhir/Patient/" + id + "/_history", {{"Accept", "application/fhir+xml"}});
  REQUIRE(history.status == 200);
  CHECK(history.body.find("<Bundle xmlns=\"http://hl7.org/fhir\">") != std::string::npos);
  CHECK(history.body.find("<type value=\"history\"/>") != std::string::npos);
  CHECK(history.body.find("<total value=\"2\"/>") != std::string::npos);
  auto bad = c->put("/fhir/Patient/" + id, updated, h);  // stale If-Match
  CHECK(bad.status == 412);
  CHECK(bad.body.find("<OperationOutcome") != std::string::npos);
}

TEST_CASE("concurrent updates of one resource without If-Match lose nothing", "[gateway][e2e]") {
  ServerProcess server(temp_dir("crud-concurrent-updates"));
  auto first = server.client()->put("/fhir/Patient/shared", patient_json("Start", "Zero", R"("id":"shared",)"),
                                    json_headers());
  REQUIRE(first.status == 201);
  // Writers racing on one resource conflict in the store; a conflicting update is
  // planned again against the newer version, and only an update that keeps losing
  // the race is refused, with 409. Every 200 is one version, none is lost.
  constexpr int kWriters = 8, kEach = 10;
  std::atomic<int> ok{0}, refused{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kWriters; ++t) {
    threads.emplace_back([&, t] {
      auto c = server.client();
      for (int i = 0; i < kEach; ++i) {
        auto r = c->put("/fhir/Patient/shared",
                        patient_json("Writer" + std::to_string(t), std::to_string(i), R"("id":"shared",)"), json_headers());
        if (r.status == 200) ++ok;
        if (r.status == 409 && r.body.find("kept changing") != std::string::npos) ++refused;
      }
    });
  }
  for (auto& t : threads) t.join();
  CHECK(ok + refused == kWriters * kEach);
  CHECK(ok >= kWriters * kEach * 3 / 4);
  auto read = server.client()->get("/fhir/Patient/shared");
  REQUIRE(read.status == 200);
  CHECK(header(read, "ETag") == "W/\"" + std::to_string(ok + 1) + "\"");
  auto history = parse_json(server.client()->get("/fhir/Patient/shared/_history?_count=1").body);
  CHECK(history["total"].GetInt() == ok + 1);
}

TEST_CASE("PATCH applies a JSON Patch as the next version", "[gateway][e2e]") {
  ServerProcess server(temp_dir("crud-patch"));
  auto c = server.client();
  auto created = c->put("/fhir/Patient/p1", patient_json("Okafor", "Ada", R"("id":"p1",)"), json_headers());
  REQUIRE(created.status == 201);
  Headers patch_headers{{"Content-Type", "application/json-patch+json"}, {"Accept", "application/fhir+json"}};
  auto send = [&](const std::string& body, Headers headers) {
    carebridge::gateway::http::Request r;
    r.method = "PATCH";
    r.target = "/fhir/Patient/p1";
    r.headers = std::move(headers);
    r.body = body;
    return c->send(r);
  };

  auto patched = send(R"([{"op":"replace","path":"/name/0/family","value":"Okafor-Bello"},)"
                      R"({"op":"add","path":"/telecom","value":[{"system":"phone","value":"555-0100"}]}])",
                      patch_headers);
  REQUIRE(patched.status == 200);
  CHECK(header(patched, "ETag") == "W/\"2\"");
  auto body = parse_json(patched.body);
  CHECK(str(body["name"][0], "family") == "Okafor-Bello");
  CHECK(str(body["telecom"][0], "value") == "555-0100");
  CHECK(str(body["meta"], "versionId") == "2");
  CHECK(parse_json(c->get("/fhir/Patient/p1/_history/1").body)["name"][0]["family"] == "Okafor");

  // Pinned to a version that is no longer current.
  auto stale = patch_headers;
  stale.emplace_back("If-Match", "W/\"1\"");
  CHECK(send(R"([{"op":"remove","path":"/telecom"}])", stale).status == 412);
  // A failing test operation, a patch that makes the resource invalid, an
  // unsupported patch format, and a resource that is not there.
  auto failed = send(R"([{"op":"test","path":"/gender","value":"male"}])", patch_headers);
  CHECK(failed.status == 422);
  CHECK(failed.body.find("operation 1 (test /gender)") != std::string::npos);
  auto invalid = send(R"([{"op":"replace","path":"/gender","value":"banana"}])", patch_headers);
  CHECK(invalid.status == 422);
  CHECK(invalid.body.find("OperationOutcome") != std::string::npos);
  CHECK(send(R"({"resourceType":"Parameters"})", json_headers()).status == 422);  // a FHIRPath Patch of no operation
  CHECK(send(R"([{"op":"remove","path":"/gender"}])", {{"Content-Type", "text/plain"}}).status == 415);
  carebridge::gateway::http::Request missing;
  missing.method = "PATCH";
  missing.target = "/fhir/Patient/nobody";
  missing.headers = patch_headers;
  missing.body = R"([{"op":"remove","path":"/gender"}])";
  CHECK(c->send(missing).status == 404);
  CHECK(header(c->get("/fhir/Patient/p1"), "ETag") == "W/\"2\"");
}

TEST_CASE("conditional PATCH patches the one resource its criteria select", "[gateway][e2e]") {
  ServerProcess server(temp_dir("crud-conditional-patch"));
  auto c = server.client();
  for (const char* id : {"p1", "p2", "p3"}) {
    std::string identifier = std::string(R"("id":")") + id + R"(","identifier":[{"system":"urn:mrn","value":")" +
                             (id == std::string("p1") ? "1" : "2") + R"("}],)";
    REQUIRE(c->put("/fhir/Patient/" + std::string(id), patient_json("Okafor", "Ada", identifier), json_headers()).status == 201);
  }
  Headers patch_headers{{"Content-Type", "application/json-patch+json"}};
  auto patch = [&](const std::string& target, Headers headers = {}) {
    carebridge::gateway::http::Request r;
    r.method = "PATCH";
    r.target = target;
    r.headers = patch_headers;
    r.headers.insert(r.headers.end(), headers.begin(), headers.end());
    r.body = R"([{"op":"replace","path":"/gender","value":"male"}])";
    return c->send(r);
  };
  auto one = patch("/fhir/Patient?identifier=urn:mrn|1");
  REQUIRE(one.status == 200);
  CHECK(str(parse_json(one.body), "id") == "p1");
  CHECK(header(one, "ETag") == "W/\"2\"");
  CHECK(str(parse_json(c->get("/fhir/Patient/p1").body), "gender") == "male");
  CHECK(patch("/fhir/Patient?identifier=urn:mrn|2").status == 412);  // two match: neither is patched
  CHECK(header(c->get("/fhir/Patient/p2"), "ETag") == "W/\"1\"");
  CHECK(patch("/fhir/Patient?identifier=urn:mrn|9").status == 404);
  CHECK(patch("/fhir/Patient").status == 400);  // no criteria: not every Patient
  CHECK(patch("/fhir/Patient?identifier=urn:mrn|1", {{"If-Match", "W/\"1\""}}).status == 412);
  CHECK(patch("/fhir/Patient?identifier=urn:mrn|1", {{"If-Match", "banana"}}).status == 400);
}
