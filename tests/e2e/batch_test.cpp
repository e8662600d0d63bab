// End to end: batch Bundles (R4 http.html 3.1.0.11.1): each entry answered on its own, as if the
// entries were sent one after another (conditional creates, references and reads after the
// writes ahead of them), PATCH entries, references between entries refused.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "bundle_support.h"
#include "fhir_client.h"
#include "server_process.h"
#include "support/test_support.h"

using namespace carebridge::testing;

TEST_CASE("a batch answers each entry on its own", "[gateway][e2e][transaction]") {
  ServerProcess server(temp_dir("batch"));
  auto c = server.client();
  std::string bundle = R"({"resourceType":"Bundle","type":"batch","entry":[)" +
                       entry_post("urn:uuid:a", patient_json("Batch", "One"), "Patient") + "," +
                       R"({"request":{"method":"GET","url":"Patient/missing"}},)" +
                       R"({"request":{"method":"GET","url":"Patient?family=batch"}}]})";
  auto doc = answer(*c, bundle);
  CHECK(str(doc, "type") == "batch-response");
  CHECK(entry_status(doc, 0) == "201 Created");
  CHECK(entry_status(doc, 1) == "404 Not Found");
  CHECK(str(doc["entry"][1]["response"]["outcome"], "resourceType") == "OperationOutcome");
  CHECK(entry_status(doc, 2) == "200 OK");
  CHECK(doc["entry"][2]["resource"]["total"].GetInt() == 1);
}

TEST_CASE("a batch refuses an entry that names another entry the batch creates by its RESTful fullUrl",
          "[gateway][e2e][transaction]") {
  // An EHR export sent as a batch: the Patient is POSTed (a new id), the Observation names it
  // relatively ("Patient/p9" beside https://ehr-2.example.org/fhir/Patient/p9). It was stored
  // pointing at nothing, lost to every search by patient; a urn:uuid reference was refused.
  ServerProcess server(temp_dir("batch-restful-references"));
  auto c = server.client();
  std::string ehr = "https://ehr-2.example.org/fhir/";
  auto observation = [](const std::string& subject) {
    return R"({"resourceType":"Observation","status":"final","code":{"text":"glucose"},"subject":{"reference":")" + subject + R"("}})";
  };
  std::string batch = R"({"resourceType":"Bundle","type":"batch","entry":[)" +
                      entry_post(ehr + "Patient/p9", R"({"resourceType":"Patient","id":"p9"})", "Patient") + "," +
                      entry_post(ehr + "Observation/o9", observation("Patient/p9"), "Observation") + "," +
                      R"({"fullUrl":")" + ehr + R"(Patient/p10","resource":{"resourceType":"Patient","id":"p10"},"request":{"method":"PUT","url":"Patient/p10"}},)" +
                      entry_post(ehr + "Observation/o10", observation("Patient/p10"), "Observation") + "]}";
  auto doc = answer(*c, batch);
  CHECK(entry_status(doc, 0) == "201 Created");
  CHECK(entry_status(doc, 1).starts_with("400"));
  CHECK(entry_problem(doc, 1).find("Bundle.entry[0]") != std::string::npos);
  // A PUT keeps its id: the reference to it holds.
  CHECK(entry_status(doc, 3) == "201 Created");
  CHECK(total(*c, "/fhir/Observation?subject=Patient/p10") == 1);
  CHECK(total(*c, "/fhir/Observation?subject=Patient/p9") == 0);
}

TEST_CASE("a batch takes PATCH entries as Binary JSON Patches or FHIRPath Patches", "[gateway][e2e][transaction]") {
  ServerProcess server(temp_dir("batch-patch"));
  auto c = server.client();
  REQUIRE(c->put("/fhir/Patient/bp", patient_json("Batch", "Patch", R"("id":"bp",)"), json_headers()).status == 201);
  // [{"op":"replace","path":"/gender","value":"male"}] and a failing test, base64 in Binary.data
  auto patch_entry = [](const std::string& data) {
    return R"({"resource":{"resourceType":"Binary","contentType":"application/json-patch+json","data":")" + data +
           R"("},"request":{"method":"PATCH","url":"Patient/bp"}})";
  };
  std::string batch = R"({"resourceType":"Bundle","type":"batch","entry":[)" + patch_entry("W3sib3AiOiJyZXBsYWNlIiwicGF0aCI6Ii9nZW5kZXIiLCJ2YWx1ZSI6Im1hbGUifV0=") + "," +
                      patch_entry("W3sib3AiOiJ0ZXN0IiwicGF0aCI6Ii9nZW5kZXIiLCJ2YWx1ZSI6Im90aGVyIn1d") + "]}";
  auto doc = answer(*c, batch);
  CHECK(entry_status(doc, 0) == "200 OK");
  CHECK(entry_status(doc, 1) == "422 Unprocessable Content");
  CHECK(str(parse_json(c->get("/fhir/Patient/bp").body), "gender") == "male");
  // A FHIRPath Patch is the entry's Parameters resource.
  auto fhirpath = answer(*c, R"({"resourceType":"Bundle","type":"batch","entry":[{"resource":{"resourceType":"Parameters",)"
                             R"("parameter":[{"name":"operation","part":[{"name":"type","valueCode":"replace"},)"
                             R"({"name":"path","valueString":"Patient.gender"},{"name":"value","valueCode":"female"}]}]},)"
                             R"("request":{"method":"PATCH","url":"Patient/bp"}}]})");
  CHECK(entry_status(fhirpath, 0) == "200 OK");
  CHECK(str(parse_json(c->get("/fhir/Patient/bp").body), "gender") == "female");
}

TEST_CASE("a transaction takes PATCH entries as the updates they amount to and all or nothing", "[gateway][e2e][transaction]") {
  // R4 http.html#transaction: PATCH entries are processed with the PUTs. They were refused (400),
  // so an engine that patches a patient's record while it sends the visit had to send two requests.
  ServerProcess server(temp_dir("transaction-patch"));
  auto c = server.client();
  REQUIRE(c->put("/fhir/Patient/tp", patient_json("Transaction", "Patch", R"("id":"tp","identifier":[{"system":"urn:mrn","value":"7"}],)"),
                 json_headers()).status == 201);
  auto binary_patch = [](const std::string& url, const std::string& data, const std::string& extra = "") {
    return R"({"resource":{"resourceType":"Binary","contentType":"application/json-patch+json","data":")" + data +
           R"("},"request":{"method":"PATCH","url":")" + url + R"(")" + extra + "}}";
  };
  auto transaction = [](const std::string& entries) { return R"({"resourceType":"Bundle","type":"transaction","entry":[)" + entries + "]}"; };
  // [{"op":"add","path":"/managingOrganization","value":{"reference":"urn:uuid:org-1"}}]: the reference names an entry
  std::string add_organization = "W3sib3AiOiJhZGQiLCJwYXRoIjoiL21hbmFnaW5nT3JnYW5pemF0aW9uIiwidmFsdWUiOnsicmVmZXJlbmNlIjoidXJuOnV1aWQ6b3JnLTEifX1d";
  std::string failing_test = "W3sib3AiOiJ0ZXN0IiwicGF0aCI6Ii9nZW5kZXIiLCJ2YWx1ZSI6Im90aGVyIn1d";  // test /gender == "other"
  std::string organization = entry_post("urn:uuid:org-1", R"({"resourceType":"Organization","name":"Clinic"})", "Organization");

  // One patch that does not apply fails the whole transaction: the Organization is not stored either.
  auto refused = c->post("/fhir", transaction(organization + "," + binary_patch("Patient/tp", failing_test)), json_headers());
  CHECK(refused.status == 422);
  CHECK(total(*c, "/fhir/Organization?name=Clinic") == 0);

  auto doc = answer(*c, transaction(binary_patch("Patient?identifier=urn:mrn|7", add_organization) + "," + organization));
  CHECK(entry_status(doc, 0) == "200 OK");
  CHECK(entry_status(doc, 1) == "201 Created");
  auto patient = parse_json(c->get("/fhir/Patient/tp").body);
  CHECK(str(patient["meta"], "versionId") == "2");
  CHECK(str(patient["managingOrganization"], "reference").starts_with("Organization/"));
  CHECK(total(*c, "/fhir/Patient?organization.name=Clinic") == 1);

  // A stale ifMatch and a patch of what is not there fail it as a PATCH alone would.
  std::string fhirpath = R"({"resource":{"resourceType":"Parameters","parameter":[{"name":"operation","part":[{"name":"type","valueCode":"replace"},)"
                         R"({"name":"path","valueString":"Patient.gender"},{"name":"value","valueCode":"male"}]}]},)"
                         R"("request":{"method":"PATCH","url":"Patient/tp","ifMatch":"W/\"1\""}})";
  CHECK(c->post("/fhir", transaction(fhirpath), json_headers()).status == 412);
  CHECK(c->post("/fhir", transaction(binary_patch("Patient/nobody", add_organization)), json_headers()).status == 404);
  CHECK(header(c->get("/fhir/Patient/tp"), "ETag") == "W/\"2\"");
}

TEST_CASE("a batch's conditional PATCH entries patch the one resource their criteria select", "[gateway][e2e][transaction]") {
  // The batch holds the lock of conditional writes while it runs: its conditional PATCH, sent
  // on as a conditional PATCH request, took that lock again and the batch never answered.
  ServerProcess server(temp_dir("batch-conditional-patch"));
  auto c = server.client();
  for (const char* id : {"c1", "c2", "c3"}) {
    std::string mrn = id == std::string("c1") ? "1" : "2";
    REQUIRE(c->put("/fhir/Patient/" + std::string(id),
                   patient_json("Batch", "Patch", std::string(R"("id":")") + id + R"(","identifier":[{"system":"urn:mrn","value":")" + mrn + R"("}],)"),
                   json_headers()).status == 201);
  }
  auto patch_entry = [](const std::string& url) {  // [{"op":"replace","path":"/gender","value":"male"}]
    return R"({"resource":{"resourceType":"Binary","contentType":"application/json-patch+json",)"
           R"("data":"W3sib3AiOiJyZXBsYWNlIiwicGF0aCI6Ii9nZW5kZXIiLCJ2YWx1ZSI6Im1hbGUifV0="},"request":{"method":"PATCH","url":")" +
           url + R"("}})";
  };
  std::string batch = R"({"resourceType":"Bundle","type":"batch","entry":[)" + patch_entry("Patient?identifier=urn:mrn|1") + "," +
                      patch_entry("Patient?identifier=urn:mrn|2") + "," + patch_entry("Patient?identifier=urn:mrn|9") + "]}";
  auto doc = answer(*c, batch);
  CHECK(entry_status(doc, 0) == "200 OK");
  CHECK(entry_status(doc, 1).starts_with("412"));
  CHECK(entry_status(doc, 2).starts_with("404"));
  CHECK(str(parse_json(c->get("/fhir/Patient/c1").body), "gender") == "male");
  CHECK(header(c->get("/fhir/Patient/c2"), "ETag") == "W/\"1\"");
  // The lock is free again: a conditional create answers.
  auto conditional = json_headers();
  conditional.emplace_back("If-None-Exist", "identifier=urn:mrn|1");
  CHECK(c->post("/fhir/Patient", patient_json("Batch", "Patch", ""), conditional).status == 200);
}

TEST_CASE("a batch's conditional create after a DELETE of its match creates the resource again", "[gateway][e2e][transaction]") {
  // Entries are answered as if sent one after another: the create searched before the delete
  // was written, answered 200 with the resource the batch then deleted, and stored nothing.
  ServerProcess server(temp_dir("batch-delete-recreate"));
  auto c = server.client();
  std::string patient = patient_json("Again", "Ines", R"("identifier":[{"system":"urn:mrn","value":"B-7"}],)");
  REQUIRE(c->post("/fhir/Patient", patient, json_headers()).status == 201);
  std::string bundle = R"({"resourceType":"Bundle","type":"batch","entry":[)"
                       R"({"request":{"method":"DELETE","url":"Patient?identifier=urn:mrn|B-7"}},)" +
                       entry_post("urn:uuid:5e1d", patient, "Patient", R"(,"ifNoneExist":"identifier=urn:mrn|B-7")") + "]}";
  auto doc = answer(*c, bundle);
  CHECK(entry_status(doc, 0).starts_with("204"));
  CHECK(entry_status(doc, 1) == "201 Created");
  CHECK(total(*c, "/fhir/Patient?identifier=urn:mrn|B-7") == 1);
}

TEST_CASE("a batch's conditional reference finds the resource an entry ahead of it creates", "[gateway][e2e][transaction]") {
  // Entries are answered as if sent one after another, but the Location's reference was searched
  // before the Organization ahead of it was written: 412 "matches no resource".
  ServerProcess server(temp_dir("batch-conditional-reference"));
  auto c = server.client();
  std::string bundle = R"({"resourceType":"Bundle","type":"batch","entry":[)" +
                       entry_post("urn:uuid:0a1",
                                  R"({"resourceType":"Organization","identifier":[{"system":"urn:org","value":"O-1"}],"name":"North"})",
                                  "Organization", R"(,"ifNoneExist":"identifier=urn:org|O-1")") + "," +
                       entry_post("urn:uuid:0a2",
                                  R"({"resourceType":"Location","name":"North ward",)"
                                  R"("managingOrganization":{"reference":"Organization?identifier=urn:org|O-1"}})",
                                  "Location") + "]}";
  auto r = c->post("/fhir", bundle, representation());
  INFO(r.body);
  REQUIRE(r.status == 200);
  auto doc = parse_json(r.body);
  CHECK(entry_status(doc, 0) == "201 Created");
  CHECK(entry_status(doc, 1) == "201 Created");
  CHECK(str(doc["entry"][1]["resource"]["managingOrganization"], "reference") == "Organization/" + str(doc["entry"][0]["resource"], "id"));
}

TEST_CASE("a batch's conditional create after a create it selects finds that one instead of making a second",
          "[gateway][e2e][transaction]") {
  ServerProcess server(temp_dir("batch-create-then-conditional"));
  auto c = server.client();
  std::string patient = patient_json("Once", "Ola", R"("identifier":[{"system":"urn:mrn","value":"X-1"}],)");
  std::string other = patient_json("Other", "Ola", R"("identifier":[{"system":"urn:mrn","value":"X-2"}],)");
  std::string bundle = R"({"resourceType":"Bundle","type":"batch","entry":[)" + entry_post("urn:uuid:c1", patient, "Patient") + "," +
                       entry_post("urn:uuid:c2", other, "Patient", R"(,"ifNoneExist":"identifier=urn:mrn|X-2")") + "," +
                       entry_post("urn:uuid:c3", patient, "Patient", R"(,"ifNoneExist":"identifier=urn:mrn|X-1")") + "]}";
  auto doc = answer(*c, bundle);
  CHECK(entry_status(doc, 0) == "201 Created");
  CHECK(entry_status(doc, 1) == "201 Created");  // selects no pending create: nothing to wait for
  CHECK(entry_status(doc, 2) == "200 OK");
  CHECK(total(*c, "/fhir/Patient?identifier=urn:mrn|X-1") == 1);
}

TEST_CASE("Prefer shapes each write entry's answer and never a read's", "[gateway][e2e][transaction]") {
  // R4 http.html: each entry of a batch is its own interaction. return=OperationOutcome gave the
  // written resources instead of their outcomes, and return=minimal dropped a search's results.
  ServerProcess server(temp_dir("batch-prefer"));
  auto c = server.client();
  std::string bundle = R"({"resourceType":"Bundle","type":"batch","entry":[)" +
                       entry_post("urn:uuid:a", patient_json("Prefer", "One"), "Patient") + "," +
                       R"({"request":{"method":"GET","url":"Patient?family=prefer"}}]})";
  for (std::string wanted : {"return=OperationOutcome", "return=minimal"}) {
    auto headers = json_headers();
    headers.emplace_back("Prefer", wanted);
    auto r = c->post("/fhir", bundle, headers);
    INFO(wanted << ": " << r.body);
    REQUIRE(r.status == 200);
    auto doc = parse_json(r.body);
    CHECK_FALSE(doc["entry"][0].HasMember("resource"));
    CHECK(doc["entry"][0]["response"].HasMember("outcome") == (wanted == "return=OperationOutcome"));
    CHECK(doc["entry"][1]["resource"]["total"].GetInt() >= 1);
  }
}

TEST_CASE("concurrent transactions patching one record all apply their patch", "[gateway][e2e][transaction]") {
  // A PATCH entry was planned on the version read: another write committing in between made the
  // transaction fail 412 although the client gave no ifMatch (a plain PATCH is planned again).
  ServerProcess server(temp_dir("transaction-patch-race"));
  REQUIRE(server.client()->put("/fhir/Patient/busy",
                                patient_json("Busy", "Record", R"("id":"busy","telecom":[{"system":"email","value":"b@example.org"}],)"),
                                json_headers()).status == 201);
  // [{"op":"add","path":"/telecom/-","value":{"system":"phone","value":"555"}}]
  std::string append = "W3sib3AiOiJhZGQiLCJwYXRoIjoiL3RlbGVjb20vLSIsInZhbHVlIjp7InN5c3RlbSI6InBob25lIiwidmFsdWUiOiI1NTUifX1d";
  std::string transaction = R"({"resourceType":"Bundle","type":"transaction","entry":[{"resource":{"resourceType":"Binary",)"
                            R"("contentType":"application/json-patch+json","data":")" + append +
                            R"("},"request":{"method":"PATCH","url":"Patient/busy"}}]})";
  constexpr int kWriters = 6, kEach = 6;
  std::atomic<int> applied{0};
  std::vector<std::thread> writers;
  for (int i = 0; i < kWriters; ++i) {
    writers.emplace_back([&] {
      auto c = server.client();
      for (int j = 0; j < kEach; ++j)
        if (c->post("/fhir", transaction, json_headers()).status == 200) ++applied;
    });
  }
  for (auto& w : writers) w.join();
  CHECK(applied == kWriters * kEach);
  CHECK(parse_json(server.client()->get("/fhir/Patient/busy").body)["telecom"].Size() == kWriters * kEach + 1);
}
