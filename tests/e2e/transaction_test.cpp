// End to end: transaction and batch Bundles: urn:uuid references, conditional
// references and creates, all-or-nothing failure, the 10,000-entry transaction,
// and the same in XML.
#include <catch2/catch.hpp>

#include <fstream>

#include "bundle_support.h"
#include "fhir_client.h"
#include "server_process.h"
#include "support/test_support.h"

using namespace carebridge::testing;

TEST_CASE("a transaction resolves urn:uuid references and is atomic", "[gateway][e2e][transaction]") {
  ServerProcess server(temp_dir("transaction"));
  auto c = server.client();
  std::string patient = patient_json("Moreau", "Léa", R"("identifier":[{"system":"urn:mrn","value":"T-1"}],)");
  std::string obs = R"({"resourceType":"Observation","status":"final","code":{"text":"glucose"},)"
                    R"("subject":{"reference":"urn:uuid:7f3e8a40-6f6c-4a53-9d1b-2a1f5c7e0a11"}})";
  std::string bundle = R"({"resourceType":"Bundle","type":"transaction","entry":[)" +
                       entry_post("urn:uuid:0b6a5a8e-0c1f-4bb5-a6a5-3c3f0e9a1f22", obs, "Observation") + "," +
                       entry_post("urn:uuid:7f3e8a40-6f6c-4a53-9d1b-2a1f5c7e0a11", patient, "Patient") + "]}";
  auto doc = answer(*c, bundle);
  CHECK(str(doc, "type") == "transaction-response");
  REQUIRE(doc["entry"].Size() == 2);
  CHECK(entry_status(doc, 0) == "201 Created");
  CHECK(entry_status(doc, 1) == "201 Created");
  std::string patient_id = str(doc["entry"][1]["resource"], "id");
  CHECK(str(doc["entry"][0]["resource"]["subject"], "reference") == "Patient/" + patient_id);
  CHECK(str(doc["entry"][1]["response"], "location").find("Patient/" + patient_id + "/_history/1") == 0);
  CHECK(str(doc["entry"][0]["response"], "etag") == "W/\"1\"");
  auto found = parse_json(c->get("/fhir/Observation?subject=Patient/" + patient_id).body);
  CHECK(found["total"].GetInt() == 1);

  // A conditional reference and a conditional create that finds the patient.
  std::string second = R"({"resourceType":"Bundle","type":"transaction","entry":[)" +
                       entry_post("urn:uuid:1", patient, "Patient", R"(,"ifNoneExist":"identifier=urn:mrn|T-1")") + "," +
                       entry_post("urn:uuid:2",
                                  R"({"resourceType":"Observation","status":"final","code":{"text":"a1c"},)"
                                  R"("subject":{"reference":"Patient?identifier=urn:mrn|T-1"}})",
                                  "Observation") +
                       "]}";
  auto r2 = c->post("/fhir", second, json_headers());
  INFO(r2.body);
  REQUIRE(r2.status == 200);
  auto doc2 = parse_json(r2.body);
  CHECK(entry_status(doc2, 0) == "200 OK");
  CHECK(str(doc2["entry"][1]["resource"]["subject"], "reference") == "Patient/" + patient_id);
  CHECK(total(*c, "/fhir/Patient?identifier=urn:mrn|T-1") == 1);

  // One bad entry fails the whole transaction: nothing of it is stored.
  std::string bad = R"({"resourceType":"Bundle","type":"transaction","entry":[)" +
                    entry_post("urn:uuid:3", patient_json("Never", "Stored"), "Patient") + "," +
                    R"({"request":{"method":"PUT","url":"Patient/x1"},"resource":{"resourceType":"Patient","id":"other"}}]})";
  auto r3 = c->post("/fhir", bad, json_headers());
  CHECK(r3.status == 400);
  CHECK(str(parse_json(r3.body), "resourceType") == "OperationOutcome");
  CHECK(total(*c, "/fhir/Patient?family=never") == 0);
}

TEST_CASE("a refused transaction names the entry of the resource at fault", "[gateway][e2e][transaction]") {
  // In a Synthea lifetime of thousands of entries, "Observation.status" named no entry.
  ServerProcess server(temp_dir("transaction-entry-place"));
  auto c = server.client();
  std::string observation = R"({"resourceType":"Observation","status":"final","code":{"text":"pulse"}})";
  std::string bundle = R"({"resourceType":"Bundle","type":"transaction","entry":[)";
  for (int i = 0; i < 3; ++i) {
    std::string resource = i == 2 ? R"({"resourceType":"Observation","status":"finalized","code":{"text":"pulse"}})" : observation;
    bundle += std::string(i ? "," : "") + R"({"resource":)" + resource + R"(,"request":{"method":"POST","url":"Observation"}})";
  }
  bundle += "]}";
  auto refused = c->post("/fhir", bundle, json_headers());
  INFO(refused.body);
  CHECK(refused.status == 422);
  CHECK_THAT(refused.body, Catch::Contains(R"("expression":["Bundle.entry[2].resource.status"])"));
  CHECK(total(*c, "/fhir/Observation") == 0);
}

TEST_CASE("references that name a Bundle entry or a search are resolved or refused, never stored as written",
          "[gateway][e2e][transaction]") {
  ServerProcess server(temp_dir("entry-references"));
  auto c = server.client();
  auto stored = c->post("/fhir/Practitioner", R"({"resourceType":"Practitioner","identifier":[{"system":"http://hl7.org/fhir/sid/us-npi","value":"9999912345"}]})",
                        json_headers());
  REQUIRE(stored.status == 201);
  std::string practitioner = "Practitioner/" + str(parse_json(stored.body), "id");
  std::string by_npi = "Practitioner?identifier=http://hl7.org/fhir/sid/us-npi|9999912345";
  std::string encounter = R"({"resourceType":"Encounter","status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},)"
                          R"("participant":[{"individual":{"reference":")" + by_npi + R"("}}]})";

  // A single create, as an engine that splits Synthea's Bundles sends it: the conditional
  // reference is resolved as a transaction resolves it.
  auto created = c->post("/fhir/Encounter", encounter, representation());
  INFO(created.body);
  REQUIRE(created.status == 201);
  CHECK(str(parse_json(created.body)["participant"][0]["individual"], "reference") == practitioner);

  // A batch: the conditional reference is resolved; a urn:uuid reference to another entry
  // (not allowed between batch entries) is refused on its own, and the others are stored.
  std::string observation = R"({"resourceType":"Observation","status":"final","code":{"text":"glucose"},"subject":{"reference":"urn:uuid:p1"}})";
  std::string batch = R"({"resourceType":"Bundle","type":"batch","entry":[)" + entry_post("urn:uuid:p1", patient_json("Batch", "Two"), "Patient") +
                      "," + entry_post("urn:uuid:o1", observation, "Observation") + "," + entry_post("urn:uuid:e1", encounter, "Encounter") + "]}";
  auto doc = answer(*c, batch);
  CHECK(entry_status(doc, 0) == "201 Created");
  CHECK(entry_status(doc, 1).starts_with("400"));
  CHECK(entry_problem(doc, 1).find("urn:uuid:p1") != std::string::npos);
  CHECK(entry_status(doc, 2) == "201 Created");
  CHECK(total(*c, "/fhir/Observation") == 0);
  CHECK(total(*c, "/fhir/Encounter?participant=" + practitioner) == 2);

  // Nothing matches, or more than one resource does: 412, with the IssueType that says which.
  CHECK(c->post("/fhir/Encounter", R"({"resourceType":"Encounter","status":"finished","class":{"code":"AMB"},)"
                                    R"("subject":{"reference":"Patient?identifier=urn:mrn|nobody"}})", json_headers()).status == 412);
  REQUIRE(c->post("/fhir/Practitioner", R"({"resourceType":"Practitioner","identifier":[{"system":"http://hl7.org/fhir/sid/us-npi","value":"9999912345"}]})",
                  json_headers()).status == 201);
  auto twice = c->post("/fhir/Encounter", encounter, json_headers());
  CHECK(twice.status == 412);
  CHECK(str(parse_json(twice.body)["issue"][0], "code") == "multiple-matches");
  // A urn:uuid reference in a transaction that names no entry of it fails the transaction.
  std::string dangling = R"({"resourceType":"Bundle","type":"transaction","entry":[)" + entry_post("urn:uuid:o2", observation, "Observation") + "]}";
  CHECK(c->post("/fhir", dangling, json_headers()).status == 400);
  // Two entries with one fullUrl (bdl-7): a reference to it could mean either.
  std::string same_url = R"({"resourceType":"Bundle","type":"transaction","entry":[)" + entry_post("urn:uuid:same", patient_json("One", "A"), "Patient") +
                      "," + entry_post("urn:uuid:same", patient_json("Two", "B"), "Patient") + "]}";
  CHECK(c->post("/fhir", same_url, json_headers()).status == 400);
  CHECK(total(*c, "/fhir/Patient?family=two") == 0);
}

TEST_CASE("relative references resolve against the referring entry's RESTful fullUrl", "[gateway][e2e][transaction]") {
  // EHR exports (HAPI's, Epic's) give entries fullUrls on their own server and refer to one
  // another relatively: "Patient/p7" in https://ehr.example.org/fhir/Encounter/e1 names the
  // entry https://ehr.example.org/fhir/Patient/p7 (bundle.html, "Resolving references in
  // Bundles"). POSTed, that Patient gets a new id; the reference kept as written pointed at
  // nothing, or at another patient this server holds as Patient/p7.
  ServerProcess server(temp_dir("restful-full-urls"));
  auto c = server.client();
  REQUIRE(c->put("/fhir/Patient/p7", R"({"resourceType":"Patient","id":"p7","name":[{"family":"Someone Else"}]})", json_headers()).status == 201);
  std::string ehr = "https://ehr-1.example.org/fhir/";
  std::string encounter = R"({"resourceType":"Encounter","id":"e1","status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},)"
                          R"("subject":{"reference":"Patient/p7"}})";
  std::string observation = R"({"resourceType":"Observation","id":"o1","status":"final","code":{"text":"glucose"},)"
                            R"("subject":{"reference":"Patient/p7/_history/3"},"encounter":{"reference":"Encounter/e1"}})";
  std::string bundle = R"({"resourceType":"Bundle","type":"transaction","entry":[)" +
                       entry_post(ehr + "Observation/o1", observation, "Observation") + "," +
                       entry_post(ehr + "Encounter/e1", encounter, "Encounter") + "," +
                       entry_post(ehr + "Patient/p7", R"({"resourceType":"Patient","id":"p7","name":[{"family":"Moreau"}]})", "Patient") + "]}";
  auto r = c->post("/fhir", bundle, representation());
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto doc = parse_json(r.body);
  std::string patient = "Patient/" + str(doc["entry"][2]["resource"], "id");
  std::string enc = "Encounter/" + str(doc["entry"][1]["resource"], "id");
  CHECK(patient != "Patient/p7");
  CHECK(str(doc["entry"][1]["resource"]["subject"], "reference") == patient);
  CHECK(str(doc["entry"][0]["resource"]["subject"], "reference") == patient);
  CHECK(str(doc["entry"][0]["resource"]["encounter"], "reference") == enc);
  CHECK(total(*c, "/fhir/Encounter?subject=Patient/p7") == 0);
  // A relative reference in an entry whose fullUrl is a urn:uuid names this server's resource.
  std::string local = R"({"resourceType":"Bundle","type":"transaction","entry":[)" +
                      entry_post("urn:uuid:5b1c2d3e-4f50-4a61-8b72-9c8d7e6f5a41", R"({"resourceType":"Observation","status":"final","code":{"text":"a1c"},"subject":{"reference":"Patient/p7"}})", "Observation") +
                      "," + entry_post(ehr + "Patient/p7", R"({"resourceType":"Patient","id":"p7"})", "Patient") + "]}";
  auto r2 = c->post("/fhir", local, representation());
  INFO(r2.body);
  REQUIRE(r2.status == 200);
  CHECK(str(parse_json(r2.body)["entry"][0]["resource"]["subject"], "reference") == "Patient/p7");
}

TEST_CASE("a transaction points the narrative's links to entries at what it stored", "[gateway][e2e][transaction]") {
  // R4 http.html#trules: servers replace matching links in <a href> and <img src> of the
  // narrative too. A report's link to its patient and its embedded image were stored as
  // urn:uuid links that lead nowhere.
  ServerProcess server(temp_dir("narrative-links"));
  auto c = server.client();
  std::string patient_url = "urn:uuid:0c1d2e3f-4a5b-4c6d-8e7f-8a9b0c1d2e3f";
  std::string image_url = "urn:uuid:1d2e3f4a-5b6c-4d7e-8f8a-9b0c1d2e3f4a";
  std::string report = R"({"resourceType":"DiagnosticReport","status":"final","code":{"text":"chest X-ray"},)"
                       R"("text":{"status":"generated","div":"<div xmlns=\"http://www.w3.org/1999/xhtml\"><a href=\")" + patient_url +
                       R"(\">the patient</a> <img\tsrc=')" + image_url + R"(' alt='film'/> <a href=\"#top\">top</a></div>"},)"
                       R"("subject":{"reference":")" + patient_url + R"("}})";
  std::string bundle = R"({"resourceType":"Bundle","type":"transaction","entry":[)" +
                       entry_post("urn:uuid:2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6b", report, "DiagnosticReport") + "," +
                       entry_post(patient_url, patient_json("Moreau", "Léa"), "Patient") + "," +
                       entry_post(image_url, R"({"resourceType":"Binary","contentType":"image/png","data":"iVBORw0KGgo="})", "Binary") + "]}";
  auto r = c->post("/fhir", bundle, representation());
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto doc = parse_json(r.body);
  std::string div = str(doc["entry"][0]["resource"]["text"], "div");
  CHECK(div.find("href=\"Patient/" + str(doc["entry"][1]["resource"], "id") + "\"") != std::string::npos);
  CHECK(div.find("src='Binary/" + str(doc["entry"][2]["resource"], "id") + "'") != std::string::npos);
  CHECK(div.find("href=\"#top\"") != std::string::npos);
  CHECK(div.find("urn:uuid") == std::string::npos);
}

TEST_CASE("conditional references name the entries a transaction writes as well as stored resources",
          "[gateway][e2e][transaction]") {
  // An engine that batches Synthea's hospital Bundle and a patient into one transaction: the
  // Organization is created by an entry (POST ifNoneExist), the Encounter names it
  // conditionally. On a server that holds no Organization yet this was refused 412.
  ServerProcess server(temp_dir("conditional-own-entries"));
  auto c = server.client();
  std::string org = R"({"resourceType":"Organization","identifier":[{"system":"https://github.com/synthetichealth/synthea","value":"o-1"}],"name":"MERCY"})";
  std::string encounter = R"({"resourceType":"Encounter","status":"finished","class":{"system":"http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},)"
                          R"("serviceProvider":{"reference":"Organization?identifier=https://github.com/synthetichealth/synthea|o-1"}})";
  std::string bundle = R"({"resourceType":"Bundle","type":"transaction","entry":[)" +
                       entry_post("urn:uuid:7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f", org, "Organization",
                                  R"(,"ifNoneExist":"identifier=https://github.com/synthetichealth/synthea|o-1")") +
                       "," + entry_post("urn:uuid:8d2e3f4a-5b6c-4d7e-9f8a-0b1c2d3e4f5a", encounter, "Encounter") + "]}";
  for (int time = 0; time < 2; ++time) {  // the second time the Organization is stored: found once, not twice
    auto r = c->post("/fhir", bundle, representation());
    INFO(r.body);
    REQUIRE(r.status == 200);
    auto doc = parse_json(r.body);
    CHECK(str(doc["entry"][1]["resource"]["serviceProvider"], "reference") == "Organization/" + str(doc["entry"][0]["resource"], "id"));
  }
  CHECK(total(*c, "/fhir/Organization") == 1);
  // Two entries the criteria select: the reference could mean either.
  std::string twice = R"({"resourceType":"Bundle","type":"transaction","entry":[)" +
                      entry_post("urn:uuid:9e3f4a5b-6c7d-4e8f-8a9b-1c2d3e4f5a6b", R"({"resourceType":"Organization","identifier":[{"system":"urn:x","value":"2"}]})", "Organization") + "," +
                      entry_post("urn:uuid:af4a5b6c-7d8e-4f9a-9b0c-2d3e4f5a6b7c", R"({"resourceType":"Organization","identifier":[{"system":"urn:x","value":"2"}]})", "Organization") + "," +
                      entry_post("urn:uuid:b05b6c7d-8e9f-4a0b-8c1d-3e4f5a6b7c8d", R"({"resourceType":"Encounter","status":"finished","class":{"code":"AMB"},"serviceProvider":{"reference":"Organization?identifier=urn:x|2"}})", "Encounter") + "]}";
  auto r = c->post("/fhir", twice, json_headers());
  CHECK(r.status == 412);
  CHECK(str(parse_json(r.body)["issue"][0], "code") == "multiple-matches");
}

TEST_CASE("one conditional create twice in a transaction creates one resource", "[gateway][e2e][transaction]") {
  // An engine that merges older Synthea patients into one transaction: each patient carries
  // its providers as POST ifNoneExist under its own fullUrl. Each copy created an Organization,
  // and every later conditional reference to it then matched several (412).
  ServerProcess server(temp_dir("repeated-conditional-create"));
  auto c = server.client();
  std::string org = R"({"resourceType":"Organization","identifier":[{"system":"https://github.com/synthetichealth/synthea","value":"o-9"}]})";
  std::string if_none = R"(,"ifNoneExist":"identifier=https://github.com/synthetichealth/synthea|o-9")";
  std::string north = R"({"resourceType":"Organization","name":"North","identifier":[{"system":"urn:oid:1.2.3","value":"n-1"}]})";
  auto encounter = [](const std::string& provider) {
    return R"({"resourceType":"Encounter","status":"finished","class":{"code":"AMB"},"serviceProvider":{"reference":")" + provider + R"("}})";
  };
  std::string bundle = R"({"resourceType":"Bundle","type":"transaction","entry":[)" +
                       entry_post("urn:uuid:c16c7d8e-9fa0-4b1c-8d2e-4f5a6b7c8d9e", org, "Organization", if_none) + "," +
                       entry_post("urn:uuid:d27d8e9f-a0b1-4c2d-9e3f-5a6b7c8d9eaf", encounter("urn:uuid:c16c7d8e-9fa0-4b1c-8d2e-4f5a6b7c8d9e"), "Encounter") + "," +
                       entry_post("urn:uuid:e38e9fa0-b1c2-4d3e-8f4a-6b7c8d9eafb0", org, "Organization", if_none.substr(0, if_none.size() - 5) + "%7Co-9\"") + "," +
                       entry_post("urn:uuid:f49fa0b1-c2d3-4e4f-9a5b-7c8d9eafb0c1", encounter("urn:uuid:e38e9fa0-b1c2-4d3e-8f4a-6b7c8d9eafb0"), "Encounter") + "," +
                       // The same two criteria in either order are one conditional create.
                       entry_post("urn:uuid:0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d", north, "Organization",
                                  R"(,"ifNoneExist":"identifier=urn:oid:1.2.3|n-1&name=North")") + "," +
                       entry_post("urn:uuid:1b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e", north, "Organization",
                                  R"(,"ifNoneExist":"name=North&identifier=urn:oid:1.2.3|n-1")") + "]}";
  auto r = c->post("/fhir", bundle, representation());
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto doc = parse_json(r.body);
  CHECK(entry_status(doc, 0) == "201 Created");
  CHECK(entry_status(doc, 2) == "200 OK");
  std::string organization = "Organization/" + str(doc["entry"][0]["resource"], "id");
  CHECK(str(doc["entry"][2]["resource"], "id") == str(doc["entry"][0]["resource"], "id"));
  CHECK(str(doc["entry"][1]["resource"]["serviceProvider"], "reference") == organization);
  CHECK(str(doc["entry"][3]["resource"]["serviceProvider"], "reference") == organization);
  CHECK(entry_status(doc, 5) == "200 OK");
  CHECK(str(doc["entry"][5]["resource"], "id") == str(doc["entry"][4]["resource"], "id"));
  CHECK(total(*c, "/fhir/Organization") == 2);
}

TEST_CASE("conditional creates take criteria written as the type's search URL and updates by one criteria twice fail",
          "[gateway][e2e][transaction]") {
  ServerProcess server(temp_dir("conditional-criteria-forms"));
  auto c = server.client();
  std::string org = R"({"resourceType":"Organization","identifier":[{"system":"urn:x","value":"7"}]})";
  // "Organization?identifier=..." (as some engines write ifNoneExist and HAPI takes it) was
  // refused 400 "unknown search parameter 'Organization?identifier'".
  std::string bundle = R"({"resourceType":"Bundle","type":"transaction","entry":[)" +
                       entry_post("urn:uuid:a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d", org, "Organization",
                                  R"(,"ifNoneExist":"Organization?identifier=urn:x|7")") + "]}";
  CHECK(c->post("/fhir", bundle, json_headers()).status == 200);
  CHECK(c->post("/fhir", bundle, json_headers()).status == 200);
  auto headers = json_headers();
  headers.emplace_back("If-None-Exist", "Organization?identifier=urn:x|7");
  CHECK(c->post("/fhir/Organization", org, headers).status == 200);
  // Criteria in the create's url instead were dropped: every send created the Organization again.
  std::string in_url = R"({"resourceType":"Bundle","type":"transaction","entry":[{"resource":)" + org +
                       R"(,"request":{"method":"POST","url":"Organization?identifier=urn:x|7"}}]})";
  CHECK(c->post("/fhir", in_url, json_headers()).status == 400);
  CHECK(total(*c, "/fhir/Organization") == 1);
  // Two conditional updates by one criteria write one resource twice (R4: overlapping
  // identities fail the transaction); each created an Organization of its own.
  auto put = [&](const std::string& full_url) {
    return R"({"fullUrl":")" + full_url + R"(","resource":{"resourceType":"Organization","identifier":[{"system":"urn:x","value":"8"}]},)"
           R"("request":{"method":"PUT","url":"Organization?identifier=urn:x|8"}})";
  };
  auto twice = c->post("/fhir", R"({"resourceType":"Bundle","type":"transaction","entry":[)" + put("urn:uuid:b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e") +
                                    "," + put("urn:uuid:c3d4e5f6-a7b8-4c9d-8e1f-2a3b4c5d6e7f") + "]}", json_headers());
  INFO(twice.body);
  CHECK(twice.status == 400);
  CHECK(total(*c, "/fhir/Organization?identifier=urn:x|8") == 0);
}

TEST_CASE("a create ignores the id its body carries even when it is no FHIR id", "[gateway][e2e][transaction]") {
  // EHR exports keep their own record ids ("EPIC_12", 70 characters); the server gives a
  // create its id (R4 http.html#create: an id provided is ignored), so they refuse nothing.
  ServerProcess server(temp_dir("create-sender-ids"));
  auto c = server.client();
  std::string long_id = "EPIC_" + std::string(70, '7');
  auto single = c->post("/fhir/Patient", patient_json("Okafor", "Ada", R"("id":"EPIC_12",)"), representation());
  INFO(single.body);
  CHECK(single.status == 201);
  CHECK(str(parse_json(single.body), "id") != "EPIC_12");
  std::string observation = R"({"resourceType":"Observation","id":")" + long_id +
                            R"(","status":"final","code":{"text":"glucose"},"subject":{"reference":"urn:uuid:1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b"}})";
  for (std::string kind : {"transaction", "batch"}) {
    std::string subject = kind == "batch" ? "" : entry_post("urn:uuid:1f2e3d4c-5b6a-4798-8a7b-6c5d4e3f2a1b", patient_json("Moreau", "Léa", R"("id":"EPIC_13",)"), "Patient") + ",";
    std::string entries = kind == "batch" ? entry_post("urn:uuid:2a3b4c5d-6e7f-4809-9a1b-2c3d4e5f6a7b", patient_json("Moreau", "Léa", R"("id":"EPIC_14",)"), "Patient")
                                          : subject + entry_post("urn:uuid:3b4c5d6e-7f80-4912-8b2c-3d4e5f6a7b8c", observation, "Observation");
    auto r = c->post("/fhir", R"({"resourceType":"Bundle","type":")" + kind + R"(","entry":[)" + entries + "]}", json_headers());
    INFO(r.body);
    REQUIRE(r.status == 200);
    auto doc = parse_json(r.body);
    for (const auto& e : doc["entry"].GetArray()) CHECK(str(e["response"], "status") == "201 Created");
  }
}

TEST_CASE("a transaction in XML", "[gateway][e2e][transaction][xml]") {
  ServerProcess server(temp_dir("transaction-xml"));
  auto c = server.client();
  std::string xml = R"(<Bundle xmlns="http://hl7.org/fhir"><type value="transaction"/>)"
                    R"(<entry><fullUrl value="urn:uuid:5d1c0f2a-1111-4a4a-9999-000000000001"/><resource><Patient>)"
                    R"(<name><family value="Xml"/></name></Patient></resource><request><method value="POST"/><url value="Patient"/></request></entry>)"
                    R"(<entry><fullUrl value="urn:uuid:5d1c0f2a-1111-4a4a-9999-000000000002"/><resource><Observation>)"
                    R"(<status value="final"/><code><text value="x"/></code><subject><reference value="urn:uuid:5d1c0f2a-1111-4a4a-9999-000000000001"/></subject>)"
                    R"(</Observation></resource><request><method value="POST"/><url value="Observation"/></request></entry></Bundle>)";
  auto r = c->post("/fhir", xml, xml_headers());
  INFO(r.body);
  REQUIRE(r.status == 200);
  CHECK(r.body.find("<type value=\"transaction-response\"/>") != std::string::npos);
  CHECK(r.body.find("<status value=\"201 Created\"/>") != std::string::npos);
  CHECK(r.body.find("urn:uuid:") == std::string::npos);
  CHECK(total(*c, "/fhir/Observation?subject:Patient.name=xml") == 1);
}

TEST_CASE("an XML transaction past 10 MB with a clinical note past 10 MB is stored", "[gateway][e2e][transaction][xml][large]") {
  // libxml2 refused any document whose parse passed 10 MB ("Huge input lookup"), and any
  // attribute over 10 MB: a Synthea lifetime or a scanned report sent as XML.
  ServerProcess server(temp_dir("transaction-xml-large"));
  auto c = server.client();
  std::string note;
  for (const std::string line = "UGF0aWVudCBzZWVuIGZvciBmb2xsb3ctdXAu"; note.size() < (11u << 20);) note += line;  // base64
  std::string xml = R"(<Bundle xmlns="http://hl7.org/fhir"><type value="transaction"/>)"
                    R"(<entry><fullUrl value="urn:uuid:5d1c0f2a-2222-4a4a-9999-000000000001"/><resource><Patient>)"
                    R"(<name><family value="Longnote"/></name></Patient></resource><request><method value="POST"/><url value="Patient"/></request></entry>)"
                    R"(<entry><fullUrl value="urn:uuid:5d1c0f2a-2222-4a4a-9999-000000000002"/><resource><DocumentReference>)"
                    R"(<status value="current"/><subject><reference value="urn:uuid:5d1c0f2a-2222-4a4a-9999-000000000001"/></subject>)"
                    R"(<content><attachment><contentType value="text/plain"/><data value=")" + note + R"("/></attachment></content>)"
                    R"(</DocumentReference></resource><request><method value="POST"/><url value="DocumentReference"/></request></entry></Bundle>)";
  REQUIRE(xml.size() > (11u << 20));
  auto r = c->post("/fhir", xml, xml_headers());
  INFO(r.body.substr(0, 600));
  REQUIRE(r.status == 200);
  auto found = parse_json(c->get("/fhir/DocumentReference?subject:Patient.name=longnote").body);
  REQUIRE(found["total"].GetInt() == 1);
  CHECK(str(found["entry"][0]["resource"]["content"][0]["attachment"], "data") == note);
}

TEST_CASE("a 10000-entry transaction commits at once", "[gateway][e2e][transaction][large]") {
  ServerProcess server(temp_dir("transaction-large"));
  auto c = server.client();
  std::string bundle = R"({"resourceType":"Bundle","type":"transaction","entry":[)";
  for (int i = 0; i < 5000; ++i) {
    std::string p = "urn:uuid:00000000-0000-4000-8000-" + std::to_string(100000000000LL + i);
    if (i) bundle += ',';
    bundle += entry_post(p, R"({"resourceType":"Patient","name":[{"family":"Bulk)" + std::to_string(i) + R"("}]})", "Patient");
    bundle += ',';
    bundle += entry_post("urn:uuid:10000000-0000-4000-8000-" + std::to_string(100000000000LL + i),
                         R"({"resourceType":"Observation","status":"final","code":{"text":"bulk"},"subject":{"reference":")" + p +
                             R"("}})",
                         "Observation");
  }
  bundle += "]}";
  auto r = c->post("/fhir", bundle, {{"Content-Type", "application/fhir+json"}, {"Prefer", "return=minimal"}});
  REQUIRE(r.status == 200);
  auto doc = parse_json(r.body);
  REQUIRE(doc["entry"].Size() == 10000);
  CHECK(total(*c, "/fhir/Patient?_summary=count") == 5000);
  CHECK(total(*c, "/fhir/Observation?_summary=count&subject:Patient.name=bulk4999") == 1);
}

TEST_CASE("criteria with an empty value never select every resource", "[gateway][e2e][transaction]") {
  ServerProcess server(temp_dir("empty-criteria"));
  auto c = server.client();
  auto body = [](const char* value) {
    return std::string(R"({"resourceType":"BodyStructure","identifier":[{"system":"urn:bs","value":")") + value +
           R"("}],"patient":{"reference":"Patient/p1"}})";
  };
  auto a = c->post("/fhir/BodyStructure", body("A"), json_headers());
  REQUIRE(a.status == 201);
  std::string a_id = str(parse_json(a.body), "id");
  // "B," asks for B or nothing: no match, so the conditional update creates; A is untouched.
  CHECK(c->put("/fhir/BodyStructure?identifier=urn:bs|B,", body("B"), json_headers()).status == 201);
  CHECK(c->del("/fhir/BodyStructure?identifier=urn:bs|C,").status / 100 == 2);
  auto stored = c->get("/fhir/BodyStructure/" + a_id);
  CHECK(stored.status == 200);
  CHECK(str(parse_json(stored.body), "id") == a_id);
  CHECK(total(*c, "/fhir/BodyStructure?identifier=urn:bs|C,") == 0);
  // Criteria of result parameters alone select nothing in particular: refused.
  CHECK(c->del("/fhir/BodyStructure?_count=1").status == 400);
  CHECK(c->put("/fhir/BodyStructure?identifier=", body("D"), json_headers()).status == 400);
  CHECK(c->get("/fhir/BodyStructure/" + a_id).status == 200);
}

TEST_CASE("a Bundle's reads take ifNoneMatch and ifModifiedSince as conditional reads", "[gateway][e2e][transaction]") {
  // An engine that polls with a batch of GETs sends the versions it holds: they were ignored,
  // and every entry answered 200 with the whole resource.
  ServerProcess server(temp_dir("batch-conditional-read"));
  auto c = server.client();
  REQUIRE(c->put("/fhir/Patient/cr1", patient_json("Ifnone", "Ada", R"("id":"cr1",)"), json_headers()).status == 201);
  auto second = c->put("/fhir/Patient/cr1", patient_json("Ifnone", "Adele", R"("id":"cr1",)"), json_headers());
  REQUIRE(second.status == 200);
  auto read = [](const std::string& condition) {
    return R"({"request":{"method":"GET","url":"Patient/cr1",)" + condition + "}}";
  };
  std::string batch = R"({"resourceType":"Bundle","type":"batch","entry":[)" + read(R"("ifNoneMatch":"W/\"2\"")") + "," +
                      read(R"("ifNoneMatch":"W/\"1\"")") + "," + read(R"("ifModifiedSince":"2999-01-01T00:00:00Z")") +
                      "," + read(R"("ifModifiedSince":"2001-01-01T00:00:00+02:00")") + "," +
                      read(R"("ifModifiedSince":"yesterday")") + "]}";
  auto doc = answer(*c, batch);
  CHECK(entry_status(doc, 0) == "304 Not Modified");
  CHECK_FALSE(doc["entry"][0].HasMember("resource"));
  CHECK(entry_status(doc, 1) == "200 OK");
  CHECK(str(doc["entry"][1]["resource"], "id") == "cr1");
  CHECK(entry_status(doc, 2) == "304 Not Modified");
  CHECK(entry_status(doc, 3) == "200 OK");
  CHECK(entry_status(doc, 4).starts_with("400"));
  std::string transaction = R"({"resourceType":"Bundle","type":"transaction","entry":[)" +
                            read(R"("ifNoneMatch":"W/\"2\"")") + "]}";
  CHECK(entry_status(answer(*c, transaction), 0) == "304 Not Modified");
}

TEST_CASE("a transaction's DELETEs come before the conditional creates and references that would find them",
          "[gateway][e2e][transaction]") {
  // An engine replacing a record deletes it and creates it again in one transaction: the create's
  // ifNoneExist found the record being deleted, and the references to it were left dangling.
  ServerProcess server(temp_dir("transaction-delete-recreate"));
  auto c = server.client();
  std::string patient = patient_json("Replaced", "Noor", R"("identifier":[{"system":"urn:mrn","value":"D-1"}],)");
  std::string old_id = created_id(*c, "Patient", patient);
  std::string bundle = R"({"resourceType":"Bundle","type":"transaction","entry":[)"
                       R"({"request":{"method":"DELETE","url":"Patient?identifier=urn:mrn|D-1"}},)" +
                       entry_post("urn:uuid:2f1c", patient, "Patient", R"(,"ifNoneExist":"identifier=urn:mrn|D-1")") + "," +
                       entry_post("urn:uuid:9a0b",
                                  R"({"resourceType":"Observation","status":"final","code":{"text":"pulse"},)"
                                  R"("subject":{"reference":"Patient?identifier=urn:mrn|D-1"}})",
                                  "Observation") +
                       "]}";
  auto r = c->post("/fhir", bundle, representation());
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto doc = parse_json(r.body);
  CHECK(entry_status(doc, 1) == "201 Created");
  std::string new_id = str(doc["entry"][1]["resource"], "id");
  CHECK(new_id != old_id);
  CHECK(str(doc["entry"][2]["resource"]["subject"], "reference") == "Patient/" + new_id);
  CHECK(c->get("/fhir/Patient/" + old_id).status == 410);
  CHECK(total(*c, "/fhir/Patient?identifier=urn:mrn|D-1") == 1);
}

TEST_CASE("a transaction's conditional update after a DELETE of its match creates the resource anew",
          "[gateway][e2e][transaction]") {
  // It found the resource being deleted and refused: "appears in more than one entry".
  ServerProcess server(temp_dir("transaction-delete-put"));
  auto c = server.client();
  std::string patient = patient_json("Renewed", "Noor", R"("identifier":[{"system":"urn:mrn","value":"T-2"}],)");
  std::string old_id = created_id(*c, "Patient", patient);
  std::string bundle = R"({"resourceType":"Bundle","type":"transaction","entry":[)"
                       R"({"request":{"method":"DELETE","url":"Patient?identifier=urn:mrn|T-2"}},)"
                       R"({"resource":)" + patient + R"(,"request":{"method":"PUT","url":"Patient?identifier=urn:mrn|T-2"}}]})";
  auto doc = answer(*c, bundle);
  CHECK(entry_status(doc, 1) == "201 Created");
  CHECK(c->get("/fhir/Patient/" + old_id).status == 410);
  CHECK(total(*c, "/fhir/Patient?identifier=urn:mrn|T-2") == 1);
}

TEST_CASE("an entry whose url is absolute under another base is refused with the reason", "[gateway][e2e][transaction]") {
  // It was read as the resource type "https:" and answered 404 "not a FHIR R4 resource type".
  ServerProcess server(temp_dir("batch-foreign-url"));
  auto c = server.client();
  std::string bundle = R"({"resourceType":"Bundle","type":"batch","entry":[)" +
                       entry_post("urn:uuid:6a2e", patient_json("Elsewhere", "Ola"), "https://ehr.example.org/fhir/Patient") + "," +
                       entry_post("urn:uuid:6a2f", patient_json("Here", "Ola"), "Patient?identifier=http://x|1") + "]}";
  auto doc = answer(*c, bundle);
  CHECK(entry_status(doc, 0) == "400 Bad Request");
  CHECK_THAT(entry_problem(doc, 0), Catch::Contains("is not under this server's base"));
  CHECK(std::string(doc["entry"][0]["response"]["outcome"]["issue"][0]["expression"][0].GetString()) == "Bundle.entry[0].request.url");
  CHECK_THAT(entry_problem(doc, 1), Catch::Contains("takes no search parameters"));
}

TEST_CASE("behind a proxy the configured public base is the server's own in entry urls, references and links",
          "[gateway][e2e][transaction]") {
  ServerProcess server(temp_dir("public-base"), R"({"public_base_url":"https://gateway.example.org/fhir/"})");
  auto c = server.client();
  const std::string base = "https://gateway.example.org/fhir";
  std::string bundle = R"({"resourceType":"Bundle","type":"transaction","entry":[)" +
                       entry_post(base + "/Patient/p-1", patient_json("Proxied", "Ola"), base + "/Patient") + "," +
                       entry_post("urn:uuid:0b2",
                                  R"({"resourceType":"Observation","status":"final","code":{"text":"pulse"},)"
                                  R"("subject":{"reference":")" + base + R"(/Patient/p-1"}})", "Observation") + "]}";
  auto r = c->post("/fhir", bundle, representation());
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto doc = parse_json(r.body);
  std::string patient = str(doc["entry"][0]["resource"], "id");
  CHECK(str(doc["entry"][1]["resource"]["subject"], "reference") == "Patient/" + patient);
  CHECK(str(doc["entry"][0], "fullUrl") == base + "/Patient/" + patient);
  // The address the request reached (an engine on the LAN, past the proxy) and any case of
  // scheme and host are the server's too.
  std::string direct = "http://127.0.0.1:" + std::to_string(server.port()) + "/fhir/Patient";
  auto more = answer(*c, R"({"resourceType":"Bundle","type":"batch","entry":[)" +
                             entry_post("urn:uuid:0b3", patient_json("Direct", "Ola"), direct) + "," +
                             entry_post("urn:uuid:0b4", patient_json("Shouted", "Ola"), "HTTPS://Gateway.Example.org/fhir/Patient") + "]}");
  CHECK(entry_status(more, 0) == "201 Created");
  CHECK(entry_status(more, 1) == "201 Created");
  auto found = parse_json(c->get("/fhir/Patient?family=Proxied").body);
  CHECK(str(found["entry"][0], "fullUrl") == base + "/Patient/" + patient);
  CHECK(str(found["link"][0], "url").starts_with(base + "/Patient?"));
  auto dir = temp_dir("public-base-bad");
  std::ofstream(dir / "config.json") << R"({"public_base_url":"gateway.example.org"})";
  auto bad = run_carebridge({"serve", "--config", (dir / "config.json").string()});
  CHECK(bad.exit_code == 2);
  CHECK(bad.err.find("public_base_url") != std::string::npos);
}

TEST_CASE("an entry that POSTs to a resource's url is refused as the plain POST is", "[gateway][e2e][transaction]") {
  // It was created under a new id, and the entries naming it as Patient/p-9 pointed at nothing.
  ServerProcess server(temp_dir("transaction-post-id"));
  auto c = server.client();
  std::string bundle = R"({"resourceType":"Bundle","type":"transaction","entry":[)" +
                       entry_post("urn:uuid:7b1", patient_json("Chosen", "Id", R"("id":"p-9",)"), "Patient/p-9") + "]}";
  auto refused = c->post("/fhir", bundle, json_headers());
  INFO(refused.body);
  CHECK(refused.status == 405);
  CHECK_THAT(refused.body, Catch::Contains("a create's url is its type"));
  CHECK(total(*c, "/fhir/Patient") == 0);
}

TEST_CASE("a conditional url naming another entry's placeholder searches for what that entry resolves to",
          "[gateway][e2e][transaction]") {
  // An interface engine's visit: the Encounter's ifNoneExist names its patient by the Patient
  // entry's urn:uuid, which comes after it, and a GET entry searches the same way (HAPI FHIR and
  // Medplum replace such placeholders). Searched as written, they found nothing, and every
  // re-send of the visit stored the Encounter again.
  ServerProcess server(temp_dir("conditional-url-placeholder"));
  auto c = server.client();
  const std::string patient_url = "urn:uuid:5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b";
  std::string patient = R"({"resourceType":"Patient","identifier":[{"system":"urn:oid:2.16.840.1.113883.19.5","value":"MRN-77"}]})";
  std::string encounter = R"({"resourceType":"Encounter","status":"finished","class":{"system":)"
                          R"("http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"AMB"},"subject":{"reference":")" +
                          patient_url + R"("}})";
  std::string bundle = R"({"resourceType":"Bundle","type":"transaction","entry":[)" +
                       entry_post("urn:uuid:6f7a8b9c-0d1e-4f2a-9b3c-4d5e6f7a8b9c", encounter, "Encounter",
                                  R"(,"ifNoneExist":"subject=)" + patient_url + R"(&class=AMB")") + "," +
                       entry_post(patient_url, patient, "Patient", R"(,"ifNoneExist":"identifier=urn:oid:2.16.840.1.113883.19.5|MRN-77")") +
                       R"(,{"request":{"method":"GET","url":"Encounter?subject=)" + patient_url + R"("}},)" +
                       // A conditional reference whose criteria name the placeholder as well.
                       entry_post("urn:uuid:7a8b9c0d-1e2f-4a3b-8c4d-5e6f7a8b9c0d",
                                  R"({"resourceType":"Observation","status":"final","code":{"text":"weight"},"encounter":)"
                                  R"({"reference":"Encounter?subject=)" + patient_url + R"(&class=AMB"}})", "Observation") + "]}";
  auto first = answer(*c, bundle);
  CHECK(entry_status(first, 0) == "201 Created");
  CHECK(entry_status(first, 1) == "201 Created");
  CHECK(first["entry"][2]["resource"]["total"].GetInt() == 1);
  auto written = [&](unsigned i) {  // "Type/id" of an entry the first post wrote
    std::string location = str(first["entry"][i]["response"], "location");
    return location.substr(0, location.find("/_history"));
  };
  auto observation = parse_json(c->get("/fhir/" + written(3)).body);
  CHECK(str(observation["encounter"], "reference") == written(0));
  auto again = answer(*c, bundle);
  CHECK(entry_status(again, 0) == "200 OK");
  CHECK(entry_status(again, 1) == "200 OK");
  CHECK(again["entry"][2]["resource"]["total"].GetInt() == 1);
  CHECK(total(*c, "/fhir/Encounter") == 1);
  // The conditional reference ahead of the entries it names finds them too.
  std::string observation_first = R"({"resourceType":"Bundle","type":"transaction","entry":[)" +
                                  bundle.substr(bundle.rfind(R"({"fullUrl":"urn:uuid:7a8b9c0d)"), std::string::npos);
  observation_first = observation_first.substr(0, observation_first.size() - 2) + "," +
                      bundle.substr(bundle.find(R"({"fullUrl":"urn:uuid:6f7a8b9c)"), bundle.find(R"(,{"request")") - bundle.find(R"({"fullUrl":"urn:uuid:6f7a8b9c)")) + "]}";
  INFO(observation_first);
  ServerProcess fresh(temp_dir("conditional-url-placeholder-reordered"));  // nothing stored: the entries alone answer
  auto reordered = fresh.client()->post("/fhir", observation_first, json_headers());
  INFO(reordered.body.substr(0, 800));
  CHECK(reordered.status == 200);
}
