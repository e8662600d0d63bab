// The audit trail as an administrator or a patient's accounting of disclosures sees it:
// AuditEvents that are valid FHIR, found by patient and entity, and stored from the
// queue with reads of one caller grouped into one event.
#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <future>

#include "fhir/search/index.h"
#include "fhir/validation/validator.h"
#include "gateway/security/access_facts.h"
#include "gateway/security/audit.h"
#include "gateway/store/sqlite_store.h"
#include "support/test_support.h"

namespace sec = carebridge::gateway::security;
namespace store = carebridge::gateway::store;
namespace fhir = carebridge::fhir;
using carebridge::testing::core;

namespace {

const fhir::search::IndexExtractor& extractor() {
  static fhir::search::SearchRegistry registry(core());
  static auto instance = fhir::search::make_path_extractor(registry);
  return *instance;
}

// The validator's errors for an event (empty when it is valid FHIR).
std::string errors_of(const std::string& json) {
  static auto validator = fhir::validation::Validator::with_invariants(core());
  auto parsed = carebridge::testing::parse(json);
  std::string out;
  for (const auto& i : parsed.issues) out += i.expression + ": " + i.message + "\n";
  if (!parsed.document || !parsed.document->root()) return out + "not parsed";
  for (const auto& i : validator->validate(*parsed.document->root())) {
    if (i.severity == fhir::model::Severity::Error || i.severity == fhir::model::Severity::Fatal)
      out += i.expression + ": " + i.message + "\n";
  }
  return out;
}

bool has_row(const std::vector<store::IndexEntry>& rows, const std::string& param, const std::string& code) {
  return std::any_of(rows.begin(), rows.end(), [&](const auto& r) { return r.param == param && r.code == code; });
}

store::ResourceRecord stored(const std::string& type, const std::string& id, std::vector<std::string> patients) {
  store::ResourceRecord r;
  r.type = type;
  r.id = id;
  r.version = 1;
  sec::AccessFacts facts;
  facts.owner = "eastside";
  facts.patients = std::move(patients);
  r.access = sec::encode(facts);
  return r;
}

sec::AuditRecord read_by(const std::string& client, const std::string& entity, const std::string& patient) {
  sec::AuditRecord r;
  r.subtype = "read";
  r.client = client;
  r.organization = "eastside";
  r.address = "10.1.2.3";
  r.entities = {entity};
  r.patients = {patient};
  return r;
}

std::function<std::string()> counting_ids() {
  auto n = std::make_shared<std::atomic<int>>(0);
  return [n] { return "ae-" + std::to_string(++*n); };
}

struct Trail {
  std::filesystem::path dir;
  store::SqliteStore db;
  explicit Trail(const std::string& name) : dir(carebridge::testing::temp_dir(name)), db(options(dir)) {}
  static store::SqliteOptions options(const std::filesystem::path& folder) {
    store::SqliteOptions o;
    o.directory = folder;
    return o;
  }
  std::vector<store::ResourceRecord> events(const std::string& param = "", const std::string& code = "") {
    store::SearchQuery q;
    q.type = "AuditEvent";
    q.count = 100;
    if (!param.empty()) {
      store::Clause c;
      c.param = param;
      store::ValueMatch m;
      m.kind = param == "action" ? store::ValueMatch::Kind::Token : store::ValueMatch::Kind::Reference;
      m.code = code;
      c.any_of.push_back(m);
      q.clauses.push_back(c);
    }
    auto found = db.search(q);
    REQUIRE(found);
    return found->page;
  }
};

// Event ids that hold the trail's thread inside the first one until released, so that
// what the test queues meanwhile is queued together whatever the scheduling. A test lets
// go before its trail stops (the trail's destructor waits for its thread).
struct HeldIds {
  std::promise<void> entered, release;
  std::future<void> entered_future = entered.get_future();
  std::shared_future<void> released = release.get_future().share();
  std::atomic<int> ids{0};
  bool done = false;
  std::function<std::string()> new_id() {
    return [this] {
      int n = ++ids;
      if (n == 1) {
        entered.set_value();
        released.wait();
      }
      return "ae-" + std::to_string(n);
    };
  }
  bool held() { return entered_future.wait_for(std::chrono::seconds(10)) == std::future_status::ready; }
  void let_go() {
    if (!done) release.set_value();
    done = true;
  }
  ~HeldIds() { let_go(); }
};

}  // namespace

TEST_CASE("a read's AuditEvent is valid FHIR and found by patient and entity", "[gateway][security][audit]") {
  Trail t("audit-read");
  sec::AuditTrail trail(t.db, core(), extractor(), counting_ids());
  sec::Principal who;
  who.client_id = "intake";
  who.organization = "eastside";
  who.purpose = "HPAYMT";
  sec::AuditRecord r;
  r.subtype = "read";
  r.set_caller(&who);
  r.address = "10.1.2.3";
  r.add_resource(stored("Observation", "o1", {"p1"}));
  r.add_resource(stored("Encounter", "e1", {"p1", "p2"}));
  CHECK(r.client == "intake");
  CHECK(r.organization == "eastside");
  CHECK(r.purpose == "HPAYMT");
  CHECK(r.entities == std::vector<std::string>{"Observation/o1", "Encounter/e1"});
  CHECK(r.patients == std::vector<std::string>{"p1", "p2"});  // each once

  auto write = trail.event_write(r);
  const auto& body = write.record.body;
  INFO(body);
  CHECK(write.record.type == "AuditEvent");
  CHECK(write.record.id == "ae-1");
  CHECK(write.expected_version == 0);
  CHECK(errors_of(body).empty());
  INFO(errors_of(body));
  CHECK(body.find(R"("action":"R")") != std::string::npos);
  CHECK(body.find(R"("outcome":"0")") != std::string::npos);
  CHECK(body.find("outcomeDesc") == std::string::npos);
  CHECK(body.find("HPAYMT") != std::string::npos);
  CHECK(body.find("10.1.2.3") != std::string::npos);
  CHECK(body.find("Organization/eastside") != std::string::npos);

  CHECK(has_row(write.index, "patient", "Patient/p1"));
  CHECK(has_row(write.index, "patient", "Patient/p2"));
  CHECK(has_row(write.index, "entity", "Observation/o1"));
  CHECK(has_row(write.index, "entity", "Encounter/e1"));
  CHECK_FALSE(has_row(write.index, "patient", "Observation/o1"));

  // Only administrators see it (confined, owned by nobody), and it names the patients.
  sec::FactsView facts(write.record.access);
  REQUIRE(facts.valid());
  CHECK(facts.confined());
  CHECK(facts.owner().empty());
  CHECK(facts.any_patient([](std::string_view p) { return p == "p2"; }));

  // Stored with its commit, an accounting of p2's disclosures finds it.
  REQUIRE(t.db.commit({write}).ok());
  auto found = t.events("patient", "Patient/p2");
  REQUIRE(found.size() == 1);
  CHECK(found[0].id == "ae-1");
  CHECK(t.events("patient", "Patient/p3").empty());
  CHECK(t.events("entity", "Encounter/e1").size() == 1);
}

TEST_CASE("an anonymous caller's event is valid too", "[gateway][security][audit]") {
  Trail t("audit-anonymous");
  sec::AuditTrail trail(t.db, core(), extractor(), counting_ids());
  sec::AuditRecord r;
  r.action = 'C';
  r.subtype = "create";
  r.set_caller(nullptr);
  r.entities = {"Patient/p9"};
  auto body = trail.event_write(r).record.body;
  INFO(body);
  CHECK(errors_of(body).empty());
  CHECK(body.find("anonymous") != std::string::npos);
  CHECK(body.find("network") == std::string::npos);  // no address, no network element

  // The check has teeth: an outcome code FHIR does not have, or no source, is an error.
  std::string wrong_outcome = body;
  wrong_outcome.replace(wrong_outcome.find(R"("outcome":"0")"), 13, R"("outcome":"5")");
  CHECK_FALSE(errors_of(wrong_outcome).empty());
  std::string no_source = body;
  no_source.replace(no_source.find(R"("source":)"), 9, R"("sourcx":)");
  CHECK_FALSE(errors_of(no_source).empty());
}

TEST_CASE("a search's AuditEvent keeps its query as base64Binary", "[gateway][security][audit]") {
  Trail t("audit-search");
  sec::AuditTrail trail(t.db, core(), extractor(), counting_ids());
  sec::AuditRecord r;
  r.subtype = "search-type";
  r.client = "intake";
  r.queries = {"name=M\xC3\xBCller&birthdate=ge1970>"};
  r.add_resource(stored("Patient", "p1", {"p1"}));
  auto write = trail.event_write(r);
  INFO(write.record.body);
  CHECK(errors_of(write.record.body).empty());
  // Standard alphabet with '+', as base64Binary is (not base64url's '-').
  CHECK(write.record.body.find(R"("query":"bmFtZT1Nw7xsbGVyJmJpcnRoZGF0ZT1nZTE5NzA+")") != std::string::npos);
  CHECK(write.record.body.find("search-type") != std::string::npos);

  r.queries = {"subject=Patient/p1&code=?>"};
  write = trail.event_write(r);
  CHECK(errors_of(write.record.body).empty());
  CHECK(write.record.body.find(R"("query":"c3ViamVjdD1QYXRpZW50L3AxJmNvZGU9Pz4=")") != std::string::npos);
}

TEST_CASE("a refusal's AuditEvent says why, and how many resources were left out", "[gateway][security][audit]") {
  Trail t("audit-refusal");
  sec::AuditTrail trail(t.db, core(), extractor(), counting_ids());
  sec::AuditRecord r;
  r.subtype = "read";
  r.outcome = 4;
  r.outcome_text = "the caller's scopes do not allow reading Consent";
  r.client = "intake";
  r.entities = {"Consent/c1"};
  r.patients = {"p1"};
  auto write = trail.event_write(r);
  INFO(write.record.body);
  CHECK(errors_of(write.record.body).empty());
  CHECK(write.record.body.find(R"("outcome":"4")") != std::string::npos);
  CHECK(write.record.body.find(R"("outcomeDesc":"the caller's scopes do not allow reading Consent")") !=
        std::string::npos);
  CHECK(has_row(write.index, "outcome", "4"));

  // A transaction of more resources than an event lists: the rest are counted.
  sec::AuditRecord big;
  big.action = 'C';
  big.subtype = "transaction";
  for (int i = 0; i < 203; ++i) big.add_resource(stored("Observation", "o" + std::to_string(i), {"p1"}));
  CHECK(big.entities.size() == sec::AuditTrail::kMaxEntities);
  CHECK(big.more == 3);
  CHECK(big.patients == std::vector<std::string>{"p1"});
  auto many = trail.event_write(big);
  CHECK(errors_of(many.record.body).empty());
  CHECK(many.record.body.find(R"("outcomeDesc":"3 more resources")") != std::string::npos);
}

TEST_CASE("queued events are stored, reads of one caller in one event", "[gateway][security][audit]") {
  Trail t("audit-queue");
  HeldIds held;  // let go below, before the trail stops
  {
    sec::AuditTrail trail(t.db, core(), extractor(), held.new_id());

    sec::AuditRecord refused = read_by("prowler", "Consent/c1", "p1");
    refused.outcome = 4;
    refused.outcome_text = "no scope for Consent";
    trail.record(refused);
    REQUIRE(held.held());

    trail.record(read_by("intake", "Observation/o1", "p1"));
    trail.record(read_by("intake", "Observation/o2", "p2"));
    trail.record(read_by("intake", "Observation/o3", "p1"));
    trail.record(read_by("westside", "Observation/o4", "p3"));  // another caller: its own event
    auto search = read_by("intake", "Patient/p1", "p1");
    search.subtype = "search-type";
    search.queries = {"name=smith"};  // a search: not merged with reads (another subtype)
    trail.record(search);
    held.let_go();
    trail.flush();
  }

  auto all = t.events();
  CHECK(all.size() == 4);
  auto by_intake = t.events("entity", "Observation/o2");
  REQUIRE(by_intake.size() == 1);
  const auto& body = by_intake[0].body;
  INFO(body);
  for (const char* entity : {"Observation/o1", "Observation/o2", "Observation/o3", "Patient/p1", "Patient/p2"}) {
    CHECK(body.find(std::string("\"") + entity + "\"") != std::string::npos);
  }
  CHECK(body.find("Observation/o4") == std::string::npos);
  CHECK(errors_of(body).empty());
  // Every patient of the merged reads is found, each listed once.
  CHECK(t.events("patient", "Patient/p2").size() == 1);
  CHECK(t.events("patient", "Patient/p1").size() == 3);  // the refusal, the reads, the search
  CHECK(t.events("patient", "Patient/p3").size() == 1);
  size_t first = body.find("\"Patient/p1\"");
  CHECK(body.find("\"Patient/p1\"", first + 1) == std::string::npos);
  auto refusals = t.events("entity", "Consent/c1");
  REQUIRE(refusals.size() == 1);
  CHECK(refusals[0].body.find("no scope for Consent") != std::string::npos);
  CHECK(t.events("action", "R").size() == 4);
}

TEST_CASE("a full queue makes a caller wait for room, never a commit hook, and loses nothing", "[gateway][security][audit]") {
  Trail t("audit-bounded");
  HeldIds held;  // the trail's thread is held while the test fills the queue
  auto entity = [](int i) { return "Observation/o" + std::to_string(i); };
  {
    sec::AuditTrail trail(t.db, core(), extractor(), held.new_id());
    trail.record(read_by("first", entity(0), "p1"));
    REQUIRE(held.held());
    for (size_t i = 1; i <= sec::AuditTrail::kMaxQueued; ++i) trail.record(read_by("intake", entity(static_cast<int>(i)), "p1"));
    // The queue is full: one more request waits, a commit hook's record does not.
    auto waiting = std::async(std::launch::async, [&] { trail.record(read_by("intake", "Patient/late", "p2")); });
    CHECK(waiting.wait_for(std::chrono::milliseconds(300)) == std::future_status::timeout);
    auto hook = std::async(std::launch::async, [&] { trail.record_without_waiting(read_by("hook", "Patient/withheld", "p3")); });
    CHECK(hook.wait_for(std::chrono::seconds(5)) == std::future_status::ready);
    held.let_go();
    CHECK(waiting.wait_for(std::chrono::seconds(30)) == std::future_status::ready);
    trail.flush();
  }
  for (const std::string& e : {entity(0), entity(1), entity(2048), entity(static_cast<int>(sec::AuditTrail::kMaxQueued)),
                               std::string("Patient/late"), std::string("Patient/withheld")}) {
    INFO(e);
    CHECK(t.events("entity", e).size() == 1);
  }
}

TEST_CASE("events still queued are stored when the trail stops", "[gateway][security][audit]") {
  Trail t("audit-stop");
  {
    sec::AuditTrail trail(t.db, core(), extractor(), counting_ids());
    for (int i = 0; i < 50; ++i) {
      auto r = read_by("client-" + std::to_string(i), "Observation/o" + std::to_string(i), "p1");
      trail.record(r);
    }
  }  // no flush: the destructor stores what is queued
  CHECK(t.events().size() == 50);
}

TEST_CASE("a write's audit record rides in its commit and becomes an AuditEvent once, across restarts",
          "[gateway][security][audit]") {
  Trail t("audit-log");
  auto cursor = t.dir / "audit-cursor";
  auto created = [&](const std::string& id) {
    store::Write w;
    w.record = stored("Patient", id, {id});
    w.record.body = R"({"resourceType":"Patient","id":")" + id + R"("})";
    w.record.method = "POST";
    w.expected_version = 0;
    auto r = read_by("intake", "Patient/" + id, id);
    r.action = 'C';
    r.subtype = "create";
    w.logs.emplace_back(sec::AuditTrail::kLog, sec::AuditTrail::log_record(r));
    return w;
  };
  {
    sec::AuditTrail trail(t.db, core(), extractor(), counting_ids());
    trail.follow_log(cursor);
    REQUIRE(t.db.commit({created("p1")}).ok());
    // A write that fails stores neither the resource nor its audit record.
    auto conflicting = created("p1");
    CHECK(!t.db.commit({conflicting}).ok());
    store::Write only_record;  // a record without a resource (a transaction's)
    only_record.logs.emplace_back(sec::AuditTrail::kLog, sec::AuditTrail::log_record(read_by("intake", "Patient/p2", "p2")));
    REQUIRE(t.db.commit({only_record}).ok());
    trail.flush();
  }
  auto events = t.events("entity", "Patient/p1");
  REQUIRE(events.size() == 1);
  CHECK(events[0].body.find("\"action\":\"C\"") != std::string::npos);
  CHECK(errors_of(events[0].body).empty());
  CHECK(t.events("entity", "Patient/p2").size() == 1);
  {
    sec::AuditTrail again(t.db, core(), extractor(), [] { return std::string("ae-again"); });
    again.follow_log(cursor);  // resumes after what was turned into events: nothing twice
    again.flush();
  }
  CHECK(t.events().size() == 2);
}
