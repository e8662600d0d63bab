// End to end: a gateway that requires tokens. Who may not get in is refused (no
// token, expired, another audience, a bad signature, a replayed client assertion, a
// revoked client, a scope too narrow); one agency cannot reach another's patient by
// any interaction; sensitive results reach only the provider a Consent covers; and
// every refusal is in the audit trail.
#include <catch2/catch.hpp>
#include <algorithm>
#include <chrono>
#include <thread>

#include "gateway/security/access_facts.h"
#include "gateway/store/sqlite_store.h"
#include "routing_subscription.h"
#include "security_support.h"
#include "support/test_certificate.h"
#include "support/test_support.h"
#include "webhook_receiver.h"

using namespace carebridge::testing;
namespace sec = carebridge::gateway::security;

namespace {

int64_t now_s() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// A token signed with the gateway's own key but with the given claims.
std::string forged(SecuredGateway& g, const std::string& claims) {
  auto token = sec::sign_jwt(g.server_key(), claims, "at+jwt");
  REQUIRE(token.ok());
  return *token;
}

// The AuditEvents matching a search, as the auditor sees them.
std::string audit_search(SecuredGateway& g, const std::string& auditor, const std::string& query) {
  auto r = g.http().get("/fhir/AuditEvent?" + query + "&_count=1000", SecuredGateway::as(auditor));
  REQUIRE(r.status == 200);
  return r.body;
}

std::string observation(const std::string& patient, const std::string& code, const std::string& extra = "") {
  return R"({"resourceType":"Observation","status":"final",)" + extra +
         R"("code":{"coding":[{"system":"http://loinc.org","code":")" + code + R"("}]},)"
         R"("subject":{"reference":"Patient/)" + patient + R"("}})";
}

}  // namespace

TEST_CASE("The metrics count every organization's subscriptions and are read by the operator alone", "[gateway][e2e][security]") {
  SecuredGateway g("security-metrics", {{"clinic-a", "org-a", "system/*.cruds"}, {"auditor", "", "system/AuditEvent.rs", true}});
  auto& http = g.http();
  // Each subscription's events withheld from it are records its client may not read: a
  // client's own count tells that they exist, another's tells what others receive.
  auto refused = http.get("/metrics", SecuredGateway::as(g.token("clinic-a")));
  CHECK(refused.status == 403);
  CHECK(refused.body.find("carebridge_") == std::string::npos);
  auto read = http.get("/metrics", SecuredGateway::as(g.token("auditor", "system/AuditEvent.rs")));
  CHECK(read.status == 200);
  CHECK(read.body.find("carebridge_http_requests_total") != std::string::npos);
}

TEST_CASE("Metrics read without a token count withheld events together only", "[gateway][e2e][security]") {
  // With auth.metrics_public anyone reads /metrics: a count by subscription would tell its
  // client again that records it may not read were written.
  SecuredGateway g("security-metrics-public", {{"clinic-a", "org-a", "system/*.cruds"}}, R"("metrics_public":true)");
  auto open = g.http().get("/metrics");
  REQUIRE(open.status == 200);
  CHECK(open.body.find("carebridge_subscription_events_withheld 0\n") != std::string::npos);
  CHECK(open.body.find("carebridge_subscription_events_withheld{") == std::string::npos);
}

TEST_CASE("Only a valid token gets in, every refusal is audited", "[gateway][e2e][security]") {
  SecuredGateway g("security-tokens", {{"clinic-a", "org-a", "system/*.cruds"},
                                       {"labs-only", "org-a", "system/Observation.rs"},
                                       {"auditor", "", "system/AuditEvent.rs", true}});
  auto& http = g.http();
  // Anonymous: the CapabilityStatement, health and the SMART configuration only.
  CHECK(http.get("/fhir/metadata").status == 200);
  CHECK(http.get("/healthz").status == 200);
  CHECK(http.get("/fhir/.well-known/smart-configuration").status == 200);
  auto anonymous = http.get("/fhir/Patient", json_headers());
  CHECK(anonymous.status == 401);
  CHECK(header(anonymous, "WWW-Authenticate").find("Bearer") == 0);
  CHECK(http.get("/metrics").status == 401);

  std::string good = g.token("clinic-a");
  CHECK(http.get("/fhir/Patient", SecuredGateway::as(good)).status == 200);

  std::string base = g.base_url();
  std::string issuer = base.substr(0, base.size() - 5);
  auto expired = forged(g, R"({"iss":")" + issuer + R"(","sub":"clinic-a","aud":")" + base + R"(","exp":)" +
                                std::to_string(now_s() - 600) + R"(,"scope":"system/*.rs"})");
  CHECK(http.get("/fhir/Patient", SecuredGateway::as(expired)).status == 401);
  auto elsewhere = forged(g, R"({"iss":")" + issuer + R"(","sub":"clinic-a","aud":"https://other.example/fhir","exp":)" +
                                 std::to_string(now_s() + 200) + R"(,"scope":"system/*.rs"})");
  CHECK(http.get("/fhir/Patient", SecuredGateway::as(elsewhere)).status == 401);
  std::string tampered = good;
  tampered[tampered.size() - 5] = tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
  CHECK(http.get("/fhir/Patient", SecuredGateway::as(tampered)).status == 401);

  // A client assertion is good once.
  auto assertion = g.assertion("clinic-a", "once-only");
  CHECK(g.token_response(assertion, "system/*.rs").status == 200);
  auto replayed = g.token_response(assertion, "system/*.rs");
  CHECK(replayed.status == 401);
  CHECK(str(parse_json(replayed.body), "error") == "invalid_client");
  // An assertion signed by another client's key, and one that lives too long.
  CHECK(g.token_response(g.assertion("clinic-a", "", 240, "labs-only"), "system/*.rs").status == 401);
  CHECK(g.token_response(g.assertion("clinic-a", "", 3600), "system/*.rs").status == 401);

  // A scope too narrow: labs-only reads Observations, nothing else, and writes nothing.
  std::string labs = g.token("labs-only", "system/Observation.rs system/Patient.rs");
  CHECK(http.get("/fhir/Observation", SecuredGateway::as(labs)).status == 200);
  CHECK(http.get("/fhir/Patient", SecuredGateway::as(labs)).status == 403);
  CHECK(http.post("/fhir/Observation", observation("x", "8867-4"), SecuredGateway::as(labs)).status == 403);

  // A revoked client's tokens stop working.
  REQUIRE(g.clients_command("revoke labs-only") == 0);
  CHECK(eventually([&] { return http.get("/fhir/Observation", SecuredGateway::as(labs)).status == 401; }));

  // Every refusal is in the audit trail, which only the administrator reads.
  CHECK(http.get("/fhir/AuditEvent", SecuredGateway::as(good)).status == 403);
  std::string auditor = g.token("auditor", "system/AuditEvent.rs");
  CHECK(eventually([&] { return bundle_total(audit_search(g, auditor, "outcome=4")) >= 8; }));
  CHECK(bundle_total(audit_search(g, auditor, "outcome=4&altid=labs-only")) >= 2);
  CHECK(bundle_total(audit_search(g, auditor, "outcome=4&altid=anonymous")) >= 1);
  // Nobody writes the audit trail.
  auto trail = entry_ids(audit_search(g, auditor, "outcome=4"));
  REQUIRE(!trail.empty());
  CHECK(http.del("/fhir/" + trail.front(), SecuredGateway::as(auditor)).status == 403);
  CHECK(http.del("/fhir/" + trail.front(), SecuredGateway::as(good)).status == 403);
}

TEST_CASE("Agency A cannot reach agency B's patient through any interaction", "[gateway][e2e][security]") {
  SecuredGateway g("security-agencies", {{"agency-a", "org-a", "system/*.cruds"},
                                         {"agency-b", "org-b", "system/*.cruds"},
                                         {"auditor", "", "system/AuditEvent.rs", true}});
  auto& http = g.http();
  auto a = SecuredGateway::as(g.token("agency-a"));
  auto b = SecuredGateway::as(g.token("agency-b"));
  std::string pa = created_id(http.post("/fhir/Patient", patient_json("Ames", "Alma"), a));
  std::string pb = created_id(http.post("/fhir/Patient", patient_json("Bristow", "Bea"), b));
  std::string ob = created_id(http.post("/fhir/Observation", observation(pb, "8867-4"), b));
  // B's observation about its patient that mentions A's patient (focus): A must not learn of it.
  std::string secret = created_id(http.post(
      "/fhir/Observation", observation(pb, "72166-2", R"("focus":[{"reference":"Patient/)" + pa + R"("}],)"), b));
  // A's observation about its patient that mentions B's patient.
  std::string oa = created_id(http.post(
      "/fhir/Observation", observation(pa, "8867-4", R"("focus":[{"reference":"Patient/)" + pb + R"("}],)"), a));

  SECTION("read, vread and history") {
    CHECK(http.get("/fhir/Patient/" + pb, a).status == 404);
    CHECK(http.get("/fhir/Patient/" + pb + "/_history/1", a).status == 404);
    CHECK(http.get("/fhir/Patient/" + pb + "/_history", a).status == 404);
    auto history = http.get("/fhir/Patient/_history", a);
    CHECK(entry_ids(history.body) == std::vector<std::string>{"Patient/" + pa});
    // pa and oa, besides the shipped SubscriptionTopics every client may read.
    auto everything = entry_ids(http.get("/fhir/_history?_count=100", a).body);
    std::erase_if(everything, [](const std::string& e) { return e.starts_with("Basic/subscription-topic-"); });
    std::sort(everything.begin(), everything.end());
    CHECK(everything == std::vector<std::string>{"Observation/" + oa, "Patient/" + pa});
    CHECK(http.get("/fhir/Patient/" + pb, b).status == 200);
  }
  SECTION("search, totals, chains, _include, _revinclude and _has") {
    auto patients = http.get("/fhir/Patient", a);
    CHECK(entry_ids(patients.body) == std::vector<std::string>{"Patient/" + pa});
    CHECK(bundle_total(patients.body) == 1);
    CHECK(bundle_total(http.get("/fhir/Observation?subject=Patient/" + pb, a).body) == 0);
    CHECK(bundle_total(http.get("/fhir/Observation?subject:Patient.name=Bristow", a).body) == 0);
    CHECK(bundle_total(http.get("/fhir/Observation?_summary=count", a).body) == 1);
    auto included = http.get("/fhir/Observation?_id=" + oa + "&_include=Observation:focus", a);
    CHECK(entry_ids(included.body) == std::vector<std::string>{"Observation/" + oa});
    auto revincluded = http.get("/fhir/Patient?_id=" + pa + "&_revinclude=Observation:focus", a);
    CHECK(entry_ids(revincluded.body) == std::vector<std::string>{"Patient/" + pa});
    CHECK(bundle_total(http.get("/fhir/Patient?_has:Observation:focus:code=72166-2", a).body) == 0);
    CHECK(bundle_total(http.get("/fhir/Patient?_has:Observation:focus:code=72166-2", b).body) == 0);
    for (const auto& r : {patients, revincluded}) CHECK(r.body.find(pb) == std::string::npos);
    for (const auto& r : {patients, included, revincluded}) CHECK(r.body.find(secret) == std::string::npos);
  }
  SECTION("writes, batches and transactions") {
    CHECK(http.put("/fhir/Patient/" + pb, R"({"resourceType":"Patient","id":")" + pb + R"("})", a).status == 403);
    CHECK(http.del("/fhir/Observation/" + ob, a).status == 204);  // not there for A: nothing happens
    CHECK(http.get("/fhir/Observation/" + ob, b).status == 200);
    CHECK(http.post("/fhir/Observation", observation(pb, "8867-4"), a).status == 403);
    std::string transaction = R"({"resourceType":"Bundle","type":"transaction","entry":[
      {"resource":)" + observation(pa, "8867-4") + R"(,"request":{"method":"POST","url":"Observation"}},
      {"resource":{"resourceType":"Patient","id":")" + pb + R"(","active":false},
       "request":{"method":"PUT","url":"Patient/)" + pb + R"("}}]})";
    CHECK(http.post("/fhir", transaction, a).status == 403);
    CHECK(parse_json(http.get("/fhir/Patient/" + pb, b).body).HasMember("active") == false);
    std::string batch = R"({"resourceType":"Bundle","type":"batch","entry":[
      {"request":{"method":"GET","url":"Patient/)" + pb + R"("}},
      {"request":{"method":"GET","url":"Observation?subject=Patient/)" + pb + R"("}}]})";
    auto answered = http.post("/fhir", batch, a);
    CHECK(answered.status == 200);
    CHECK(answered.body.find("\"status\":\"404") != std::string::npos);
    CHECK(answered.body.find(ob) == std::string::npos);
  }
  SECTION("subscriptions") {
    std::string subscription = R"({"resourceType":"Subscription","status":"requested","reason":"results",
      "criteria":"Observation?subject=Patient/)" + pb + R"(","channel":{"type":"rest-hook",
      "endpoint":"https://agency-a.example/hook","payload":"application/fhir+json"}})";
    CHECK(http.post("/fhir/Subscription", subscription, a).status == 403);
    CHECK(http.post("/fhir/Subscription", subscription, b).status == 201);
    // A topic's filter names the patient just as criteria do, in each of the Backport's forms.
    for (std::string filter : {"Observation?patient=Patient/" + pb, "patient=Patient/" + pb, "Observation.patient=Patient/" + pb}) {
      std::string topic = R"({"resourceType":"Subscription","status":"requested","reason":"results",
        "criteria":"http://carebridge.example/fhir/SubscriptionTopic/lab-results",
        "_criteria":{"extension":[{"url":"http://hl7.org/fhir/uv/subscriptions-backport/StructureDefinition/backport-filter-criteria",
        "valueString":")" + filter + R"("}]},"channel":{"type":"rest-hook",
        "endpoint":"https://agency-a.example/hook","payload":"application/fhir+json"}})";
      INFO(filter);
      CHECK(http.post("/fhir/Subscription", topic, a).status == 403);
    }
  }
  SECTION("each refusal is audited with who, what and the patient") {
    CHECK(http.get("/fhir/Patient/" + pb, a).status == 404);
    auto auditor = SecuredGateway::as(g.token("auditor", "system/AuditEvent.rs"));
    CHECK(eventually([&] {
      auto r = http.get("/fhir/AuditEvent?altid=agency-a&outcome=4&entity=Patient/" + pb, auditor);
      return bundle_total(r.body) >= 1;
    }));
    // The patient's accounting of disclosures is one search: B's reads and writes of pb.
    CHECK(eventually([&] {
      auto disclosures = http.get("/fhir/AuditEvent?patient=" + pb + "&outcome=0&action=C", auditor);
      return bundle_total(disclosures.body) >= 1;  // B's create of pb and of its observations
    }));
  }
}

TEST_CASE("Sensitive results reach only the care-team provider a Consent covers", "[gateway][e2e][security]") {
  SecuredGateway g("security-consent", {{"hospital", "hosp", "system/*.cruds"},
                                        {"clinic-a", "org-a", "system/*.cruds"},
                                        {"clinic-b", "org-b", "system/*.cruds"}});
  auto& http = g.http();
  auto hospital = SecuredGateway::as(g.token("hospital"));
  std::string p = created_id(http.post("/fhir/Patient", patient_json("Castillo", "Rosa"), hospital));
  created_id(http.post("/fhir/CareTeam", care_team_json(p, {"org-a", "org-b"}), hospital));
  std::string plain = created_id(http.post("/fhir/Observation", observation(p, "8867-4"), hospital));
  std::string hiv = created_id(http.post("/fhir/Observation", observation(p, "7917-8"), hospital));
  std::string dv = created_id(http.post("/fhir/Condition", R"({"resourceType":"Condition",
    "code":{"coding":[{"system":"http://hl7.org/fhir/sid/icd-10-cm","code":"T74.11XA"}]},
    "subject":{"reference":"Patient/)" + p + R"("}})", hospital));
  // Labelled when written, by the rules shipped as data.
  auto stored = http.get("/fhir/Observation/" + hiv, hospital);
  CHECK(stored.body.find("\"code\":\"HIV\"") != std::string::npos);
  CHECK(http.get("/fhir/Condition/" + dv, hospital).body.find("\"code\":\"SDV\"") != std::string::npos);
  created_id(http.post("/fhir/Consent", permit_consent(p, "org-a", {"HIV", "SDV"}), hospital));

  auto a = SecuredGateway::as(g.token("clinic-a"));
  auto b = SecuredGateway::as(g.token("clinic-b"));
  // clinic-a, covered by the Consent, reads everything.
  CHECK(http.get("/fhir/Observation/" + hiv, a).status == 200);
  CHECK(http.get("/fhir/Condition/" + dv, a).status == 200);
  CHECK(bundle_total(http.get("/fhir/Observation?subject=Patient/" + p, a).body) == 2);
  // clinic-b cares for the patient too, but gets nothing sensitive: no record, no id, no total.
  CHECK(http.get("/fhir/Observation/" + plain, b).status == 200);
  CHECK(http.get("/fhir/Observation/" + hiv, b).status == 404);
  CHECK(http.get("/fhir/Condition/" + dv, b).status == 404);
  std::vector<carebridge::gateway::http::Response> answers = {
      http.get("/fhir/Observation?subject=Patient/" + p, b),
      http.get("/fhir/Observation?code=7917-8", b),
      http.get("/fhir/Condition?patient=" + p, b),
      http.get("/fhir/Patient?_id=" + p + "&_revinclude=Observation:subject&_revinclude=Condition:subject", b),
      http.get("/fhir/Patient?_has:Observation:subject:code=7917-8", b),
      http.get("/fhir/Observation/_history", b),
      http.get("/fhir/_history", b)};
  CHECK(bundle_total(answers[0].body) == 1);
  CHECK(bundle_total(answers[1].body) == 0);
  CHECK(bundle_total(answers[2].body) == 0);
  CHECK(bundle_total(answers[4].body) == 0);
  for (const auto& r : answers) {
    CHECK(r.status == 200);
    CHECK(r.body.find(hiv) == std::string::npos);
    CHECK(r.body.find(dv) == std::string::npos);
  }
  // A Consent that lets clinic-b see the record without naming any label shares no sensitive data.
  created_id(http.post("/fhir/Consent", permit_consent(p, "org-b", {}), hospital));
  CHECK(http.get("/fhir/Observation/" + plain, b).status == 200);
  CHECK(http.get("/fhir/Observation/" + hiv, b).status == 404);
  CHECK(http.get("/fhir/Condition/" + dv, b).status == 404);
  // Nor does one that clinic-a records for clinic-b: the hospital holds those records.
  created_id(http.post("/fhir/Consent", permit_consent(p, "org-b", {"HIV", "SDV"}), a));
  CHECK(http.get("/fhir/Observation/" + hiv, b).status == 404);
  CHECK(http.get("/fhir/Condition/" + dv, b).status == 404);
}

TEST_CASE("A report or provenance that lists a hidden result is hidden with it, and a resend writes nothing new",
          "[gateway][e2e][security]") {
  SecuredGateway g("security-listings", {{"hospital", "hosp", "system/*.cruds"}, {"clinic-b", "org-b", "system/*.cruds"}});
  auto& http = g.http();
  auto hospital = SecuredGateway::as(g.token("hospital"));
  auto b = SecuredGateway::as(g.token("clinic-b"));
  std::string p = created_id(http.post("/fhir/Patient", patient_json("Castillo", "Rosa"), hospital));
  created_id(http.post("/fhir/CareTeam", care_team_json(p, {"org-b"}), hospital));
  // One panel: a glucose and an HIV viral load, the report of both and its Provenance (the
  // report first, as an interface engine's mapping writes them).
  auto entry = [](const std::string& uuid, const std::string& resource, const std::string& type, const std::string& id) {
    return R"({"fullUrl":"urn:uuid:)" + uuid + R"(","resource":)" + resource + R"(,"request":{"method":"PUT","url":")" +
           type + "/" + id + R"("}})";
  };
  auto with_id = [](std::string resource, const std::string& id) { return resource.insert(1, R"("id":")" + id + R"(",)"); };
  std::string bundle = R"({"resourceType":"Bundle","type":"transaction","entry":[)" +
      entry("8f2c7c36-0d7e-4f5e-9a51-000000000001", with_id(R"({"resourceType":"DiagnosticReport","status":"final",
        "code":{"text":"Panel"},"subject":{"reference":"Patient/)" + p + R"("},
        "result":[{"reference":"urn:uuid:8f2c7c36-0d7e-4f5e-9a51-000000000002"},
                  {"reference":"urn:uuid:8f2c7c36-0d7e-4f5e-9a51-000000000003"}]})", "panel-1"), "DiagnosticReport", "panel-1") + "," +
      entry("8f2c7c36-0d7e-4f5e-9a51-000000000002", with_id(observation(p, "2345-7"), "glucose-1"), "Observation", "glucose-1") + "," +
      entry("8f2c7c36-0d7e-4f5e-9a51-000000000003", with_id(observation(p, "25836-8"), "viral-load-1"), "Observation", "viral-load-1") + "," +
      entry("8f2c7c36-0d7e-4f5e-9a51-000000000004", with_id(R"({"resourceType":"Provenance","recorded":"2026-11-30T10:00:00Z",
        "agent":[{"who":{"display":"Lab"}}],"target":[{"reference":"urn:uuid:8f2c7c36-0d7e-4f5e-9a51-000000000001"}]})",
        "prov-1"), "Provenance", "prov-1") + "]}";
  REQUIRE(http.post("/fhir", bundle, hospital).status == 200);
  CHECK(http.get("/fhir/Observation/glucose-1", b).status == 200);
  CHECK(http.get("/fhir/Observation/viral-load-1", b).status == 404);
  // The report and its provenance would tell clinic-b that the viral load exists.
  CHECK(http.get("/fhir/DiagnosticReport/panel-1", b).status == 404);
  CHECK(http.get("/fhir/Provenance/prov-1", b).status == 404);
  auto searched = http.get("/fhir/DiagnosticReport?subject=Patient/" + p, b);
  CHECK(searched.body.find("viral-load-1") == std::string::npos);
  CHECK(http.get("/fhir/DiagnosticReport/panel-1", hospital).body.find(R"("code":"HIV")") != std::string::npos);
  // Sent again, nothing is new.
  REQUIRE(http.post("/fhir", bundle, hospital).status == 200);
  for (const char* key : {"DiagnosticReport/panel-1", "Provenance/prov-1", "Observation/viral-load-1"})
    CHECK(http.get(std::string("/fhir/") + key, hospital).body.find(R"("versionId":"1")") != std::string::npos);
  // A report written alone, naming the stored result, is labelled from it.
  std::string alone = created_id(http.post("/fhir/DiagnosticReport", R"({"resourceType":"DiagnosticReport","status":"final",
    "code":{"text":"Viral load"},"subject":{"reference":"Patient/)" + p + R"("},"result":[{"reference":"Observation/viral-load-1"}]})",
                                           hospital));
  CHECK(http.get("/fhir/DiagnosticReport/" + alone, b).status == 404);
}

TEST_CASE("A hospital's TLS client certificate stands for its registered client", "[gateway][e2e][security][tls]") {
  auto dir = temp_dir("security-mtls");
  auto file = [&](const char* name) { return (dir / name).string(); };
  // A CA, the server's certificate, and two client certificates the CA signs: one registered.
  if (!make_mutual_tls_files(dir)) {
    WARN("openssl is not available; skipping");
    return;
  }
  std::string add = std::string(CAREBRIDGE_BINARY) + " clients add st-marys --organization st-marys --certificate '" +
                    file("hospital.pem") + "' --scope 'system/*.cruds' --data-dir '" + (dir / "data").string() +
                    "' >/dev/null";
  REQUIRE(std::system(add.c_str()) == 0);
  std::string config = R"({"auth":{"required":true},"listen":[{"address":"127.0.0.1:0","tls_certificate":")" +
                       file("server.pem") + R"(","tls_private_key":")" + file("server.key") + R"(","tls_client_ca":")" +
                       file("ca.pem") + R"("}]})";
  ServerProcess server(dir / "data", ServerSettings{config, false, true});
  using carebridge::gateway::http::Client;
  using carebridge::gateway::http::ClientOptions;
  auto connect = [&](const std::string& who) {
    ClientOptions options{"127.0.0.1", server.port(), true, file("server.pem"), true, std::chrono::seconds(10)};
    if (!who.empty()) {
      options.certificate_file = file((who + ".pem").c_str());
      options.private_key_file = file((who + ".key").c_str());
    }
    return std::make_unique<Client>(options);
  };
  auto hospital = connect("hospital");
  CHECK(created_id(hospital->post("/fhir/Patient", patient_json("Okafor", "Ngozi"), json_headers())).size() == 36);
  CHECK(hospital->get("/fhir/Patient", json_headers()).status == 200);
  // A certificate from the same CA that no client registered, and no certificate: no way in.
  CHECK(connect("stranger")->get("/fhir/Patient", json_headers()).status == 401);
  CHECK(connect("")->get("/fhir/Patient", json_headers()).status == 401);
}

TEST_CASE("A scope restricted to a category reaches only that category", "[gateway][e2e][security]") {
  SecuredGateway g("security-category", {{"clinic", "org-a", "system/*.cruds"},
                                         {"lab-reader", "org-a", "system/Observation.rs?category=laboratory"}});
  auto& http = g.http();
  auto clinic = SecuredGateway::as(g.token("clinic"));
  std::string p = created_id(http.post("/fhir/Patient", patient_json("Lindqvist", "Maja"), clinic));
  auto categorized = [&](const std::string& category) {
    return R"("category":[{"coding":[{"system":"http://terminology.hl7.org/CodeSystem/observation-category",)"
           R"("code":")" + category + R"("}]}],)";
  };
  std::string lab = created_id(http.post("/fhir/Observation", observation(p, "2345-7", categorized("laboratory")), clinic));
  std::string vitals = created_id(http.post("/fhir/Observation", observation(p, "8867-4", categorized("vital-signs")), clinic));
  auto labs_only = SecuredGateway::as(g.token("lab-reader", "system/Observation.rs?category=laboratory"));
  CHECK(http.get("/fhir/Observation/" + lab, labs_only).status == 200);
  CHECK(http.get("/fhir/Observation/" + vitals, labs_only).status == 404);
  auto found = http.get("/fhir/Observation?subject=Patient/" + p, labs_only);
  CHECK(entry_ids(found.body) == std::vector<std::string>{"Observation/" + lab});
  CHECK(bundle_total(found.body) == 1);
  CHECK(http.get("/fhir/Patient/" + p, labs_only).status == 403);
  CHECK(http.post("/fhir/Observation", observation(p, "2345-7", categorized("laboratory")), labs_only).status == 403);
}

TEST_CASE("A victim service provider's records are labelled from the moment its Organization says what it is",
          "[gateway][e2e][security]") {
  SecuredGateway g("security-vsp-kind", {{"shelter", "vsp", "system/*.cruds"}});
  auto& http = g.http();
  auto shelter = SecuredGateway::as(g.token("shelter"));
  // Written before its Organization is: nothing says yet that it is a victim service provider.
  std::string p = created_id(http.post("/fhir/Patient", patient_json("Reyes", "Ana"), shelter));
  std::string before = created_id(http.post("/fhir/Observation", observation(p, "8867-4"), shelter));
  CHECK(http.get("/fhir/Observation/" + before, shelter).body.find("\"code\":\"SDV\"") == std::string::npos);
  REQUIRE(http.put("/fhir/Organization/vsp", R"({"resourceType":"Organization","id":"vsp","name":"Safe Harbor",)"
                   R"("type":[{"coding":[{"system":"https://carebridge.dev/fhir/CodeSystem/organization-kind",)"
                   R"("code":"victim-service-provider"}]}]})", shelter).status / 100 == 2);
  // The next record it writes is the provider's: labelled at once, not a minute later.
  std::string after = created_id(http.post("/fhir/Observation", observation(p, "8867-4"), shelter));
  auto stored = http.get("/fhir/Observation/" + after, shelter).body;
  INFO(stored);
  CHECK(stored.find("\"code\":\"SDV\"") != std::string::npos);
}

TEST_CASE("A record labelled sensitive after it was written hides its earlier versions too", "[gateway][e2e][security]") {
  SecuredGateway g("security-labelled-later", {{"hospital", "hosp", "system/*.cruds"}, {"clinic-b", "org-b", "system/*.cruds"}});
  auto& http = g.http();
  auto hospital = SecuredGateway::as(g.token("hospital"));
  auto b = SecuredGateway::as(g.token("clinic-b"));
  std::string p = created_id(http.post("/fhir/Patient", patient_json("Castillo", "Rosa"), hospital));
  created_id(http.post("/fhir/CareTeam", care_team_json(p, {"org-b"}), hospital));
  std::string o = created_id(http.post("/fhir/Observation", observation(p, "8867-4", R"("valueString":"first words",)"), hospital));
  REQUIRE(http.get("/fhir/Observation/" + o + "/_history/1", b).status == 200);
  // The hospital finds the result is about the patient's HIV care and labels it.
  std::string labelled = observation(p, "8867-4", R"("id":")" + o + R"(","meta":{"security":[{"system":)"
                                     R"("http://terminology.hl7.org/CodeSystem/v3-ActCode","code":"HIV"}]},"valueString":"first words",)");
  REQUIRE(http.put("/fhir/Observation/" + o, labelled, hospital).status == 200);
  CHECK(http.get("/fhir/Observation/" + o, b).status == 404);
  CHECK(http.get("/fhir/Observation/" + o + "/_history/1", b).status == 404);
  CHECK(http.get("/fhir/Observation/" + o + "/_history", b).status == 404);
  for (const char* history : {"/fhir/Observation/_history", "/fhir/_history?_count=100"}) {
    auto r = http.get(history, b);
    CHECK(r.status == 200);
    CHECK(r.body.find(o) == std::string::npos);
  }
  // The hospital, whose record it is, still reads its whole history.
  CHECK(bundle_total(http.get("/fhir/Observation/" + o + "/_history", hospital).body) == 2);
  CHECK(http.get("/fhir/Observation/" + o + "/_history/1", hospital).status == 200);
}

TEST_CASE("Records outside the patient compartment that carry a patient's data stay with the patient's carers",
          "[gateway][e2e][security]") {
  SecuredGateway g("security-outside-compartment", {{"hospital", "hosp", "system/*.cruds"},
                                                    {"clinic-b", "org-b", "system/*.cruds"},
                                                    {"stranger", "org-c", "system/*.cruds"}});
  auto& http = g.http();
  auto hospital = SecuredGateway::as(g.token("hospital"));
  auto carer = SecuredGateway::as(g.token("clinic-b"));
  auto stranger = SecuredGateway::as(g.token("stranger"));
  std::string p = created_id(http.post("/fhir/Patient", patient_json("Castillo", "Rosa"), hospital));
  created_id(http.post("/fhir/CareTeam", care_team_json(p, {"org-b"}), hospital));
  std::string hiv = created_id(http.post("/fhir/Observation", observation(p, "7917-8"), hospital));
  auto binary = [&](const std::string& context) {
    return created_id(http.post("/fhir/Binary", R"({"resourceType":"Binary","contentType":"text/plain",)"
                                R"("securityContext":{"reference":")" + context + R"("},"data":"cmVzdWx0"})", hospital));
  };
  std::string patients_binary = binary("Patient/" + p), hiv_binary = binary("Observation/" + hiv);
  std::string device = created_id(http.post("/fhir/Device", R"({"resourceType":"Device","patient":{"reference":"Patient/)" + p +
                                                                R"("}})", hospital));
  std::string bundle = created_id(http.post("/fhir/Bundle", R"({"resourceType":"Bundle","type":"collection","entry":[)"
                                            R"({"fullUrl":"urn:uuid:6f1c2a9e-3b4d-4e5f-8a7b-9c0d1e2f3a4b","resource":)" +
                                            observation(p, "8867-4") + "}]}", hospital));
  // A collection Bundle that names its Patient entry by urn:uuid, as exports do: no "Patient/" reference at all.
  std::string export_bundle = created_id(http.post(
      "/fhir/Bundle", R"({"resourceType":"Bundle","type":"collection","entry":[{"fullUrl":"urn:uuid:0b7e6c1a-5d2f-4e3a-9b8c-1d2e3f4a5b6c",)"
                      R"("resource":)" + patient_json("Okafor", "Ngozi") + "}]}", hospital));
  for (const std::string& record : {"Binary/" + patients_binary, "Binary/" + hiv_binary, "Device/" + device, "Bundle/" + bundle,
                                    "Bundle/" + export_bundle}) {
    INFO(record);
    CHECK(http.get("/fhir/" + record, stranger).status == 404);
  }
  for (const char* search : {"/fhir/Binary", "/fhir/Device", "/fhir/Bundle", "/fhir/_history?_count=100"}) {
    auto found = http.get(search, stranger);
    CHECK(found.body.find(p) == std::string::npos);
    CHECK(found.body.find(patients_binary) == std::string::npos);
  }
  // The patient's carer reads them, except the Binary whose context is an HIV result it may not see.
  for (const std::string& record : {"Binary/" + patients_binary, "Device/" + device, "Bundle/" + bundle}) {
    INFO(record);
    CHECK(http.get("/fhir/" + record, carer).status == 200);
  }
  CHECK(http.get("/fhir/Binary/" + hiv_binary, carer).status == 404);
  CHECK(http.get("/fhir/Binary/" + hiv_binary, hospital).status == 200);
  // A Binary naming a record its writer may not see takes nothing from it (not even its patient).
  auto guess = http.post("/fhir/Binary", R"({"resourceType":"Binary","contentType":"text/plain",)"
                         R"("securityContext":{"reference":"Observation/)" + hiv + R"("},"data":"cmVzdWx0"})", stranger);
  CHECK(guess.status == 201);
  CHECK(guess.body.find(p) == std::string::npos);
}

TEST_CASE("An organization cannot write over another organization's deleted record", "[gateway][e2e][security]") {
  SecuredGateway g("security-deleted-id", {{"hospital", "hosp", "system/*.cruds"}, {"stranger", "org-c", "system/*.cruds"}});
  auto& http = g.http();
  auto hospital = SecuredGateway::as(g.token("hospital"));
  auto stranger = SecuredGateway::as(g.token("stranger"));
  std::string p = created_id(http.post("/fhir/Patient", patient_json("Castillo", "Rosa"), hospital));
  std::string mine = created_id(http.post("/fhir/Patient", patient_json("Okafor", "Ngozi"), stranger));
  std::string o = created_id(http.post("/fhir/Observation", observation(p, "8867-4"), hospital));
  REQUIRE(http.del("/fhir/Observation/" + o, hospital).status == 204);
  // The next version would be the hospital's record (version 3) with the stranger's words in it.
  auto over = http.put("/fhir/Observation/" + o, observation(mine, "8867-4", R"("id":")" + o + R"(",)"), stranger);
  CHECK(over.status == 403);
  CHECK(over.body.find("\"versionId\"") == std::string::npos);
  CHECK(http.get("/fhir/Observation/" + o, hospital).status == 410);
  // The hospital, whose record it was, may write it again.
  CHECK(http.put("/fhir/Observation/" + o, observation(p, "8867-4", R"("id":")" + o + R"(",)"), hospital).status / 100 == 2);
}

TEST_CASE("Records an older build stored with other access facts are recomputed before the next start serves",
          "[gateway][e2e][security]") {
  WebhookReceiver receiver;
  SecuredGateway g("security-refresh", {{"hospital", "hosp", "system/*.cruds"}, {"stranger", "org-c", "system/*.rs"}}, "",
                   kLoopbackReceivers);
  auto hospital = SecuredGateway::as(g.token("hospital"));
  std::string p = created_id(g.http().post("/fhir/Patient", patient_json("Okafor", "Ada"), hospital));
  std::string sub = created_id(g.http().post("/fhir/Subscription", subscription(receiver.url(), "id-only"), hospital));
  std::string hiv = created_id(g.http().post("/fhir/Observation", lab(p, "7917-8", 1), hospital));
  REQUIRE(receiver.wait_for(2));  // the handshake and the result's event
  // How many events the hospital's subscription has had, as $status says.
  auto events = [&] {
    std::string body = g.http().get("/fhir/Subscription/" + sub + "/$status", SecuredGateway::as(g.token("hospital"))).body;
    auto at = body.find("events-since-subscription-start");
    return at == std::string::npos ? std::string() : body.substr(at, 60);
  };
  const std::string events_before = events();
  REQUIRE_FALSE(events_before.empty());
  const std::string path = "/fhir/Observation/" + hiv;
  REQUIRE(g.http().get(path, SecuredGateway::as(g.token("stranger"))).status == 404);
  // As a build that knew no HIV label and took the result for shared data left it.
  auto as_older_build = [&](bool forget_fingerprint) {
    return [&, forget_fingerprint](const std::filesystem::path& data) {
      namespace store = carebridge::gateway::store;
      store::SqliteOptions options;
      options.directory = data;
      store::SqliteStore old(options);
      auto stored = old.read("Observation", hiv);
      REQUIRE(stored);
      store::Write w;
      w.record = *stored;
      w.record.version = stored->version + 1;
      sec::AccessFacts facts = sec::FactsView(stored->access).facts();
      facts.labels = 0;
      facts.patients.clear();
      facts.shared = true;
      w.record.access = sec::encode(facts);
      w.expected_version = stored->version;
      REQUIRE(old.commit({w}).ok());
      if (forget_fingerprint) std::filesystem::remove(data / "access-facts-version");
    };
  };
  g.restart(as_older_build(false));  // the same build again: the facts are taken as stored
  CHECK(g.http().get(path, SecuredGateway::as(g.token("stranger"))).status == 200);
  g.restart(as_older_build(true));  // a folder from another build: recomputed before serving
  CHECK(g.http().get(path, SecuredGateway::as(g.token("stranger"))).status == 404);
  CHECK(g.http().get(path, SecuredGateway::as(g.token("hospital"))).status == 200);
  CHECK(std::filesystem::exists(g.dir() / "data" / "access-facts-version"));
  // The rewrite is upkeep, not a new result: the subscriber is told of nothing.
  CHECK(events() == events_before);
}

TEST_CASE("One sender's HL7 v2 control ids never name another's message", "[gateway][e2e][security][hl7v2]") {
  // MSH-3, MSH-4 and MSH-10 are what a sender writes: a partner that sent the hospital's next
  // control id first made the hospital's own result a duplicate — acknowledged, never stored —
  // and re-sending a control id told whether the hospital had used it (privacy round 2).
  SecuredGateway g("security-v2-senders", {{"hospital", "hosp", "system/*.cruds"}, {"partner", "org-p", "system/*.cruds"}});
  auto& http = g.http();
  auto as_v2 = [](const std::string& token) {
    auto headers = SecuredGateway::as(token);
    std::erase_if(headers, [](const auto& h) { return h.first == "Content-Type"; });
    headers.emplace_back("Content-Type", "x-application/hl7-v2+er7");
    return headers;
  };
  std::string result = read_text(project_sample("hl7v2/oru_r01.hl7"));
  auto partner = http.post("/ingest/hl7v2", result, as_v2(g.token("partner")));
  INFO(partner.body.substr(0, 600));
  REQUIRE(partner.status < 300);
  auto hospital = http.post("/ingest/hl7v2", result, as_v2(g.token("hospital")));
  INFO(hospital.body.substr(0, 600));
  CHECK(hospital.status < 300);
  CHECK(hospital.body.find("already received") == std::string::npos);
  auto again = http.post("/ingest/hl7v2", result, as_v2(g.token("hospital")));
  CHECK(again.body.find("already received") != std::string::npos);  // its own re-send is one
  auto observations = http.get("/fhir/Observation?_summary=count", SecuredGateway::as(g.token("hospital")));
  CHECK_THAT(observations.body, !Catch::Contains("\"total\":0"));
}
