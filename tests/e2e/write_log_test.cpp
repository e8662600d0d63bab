// End to end: the write log after a crash. Clients keep writing while the server is
// killed with SIGKILL; the log read afterwards holds every write that was
// acknowledged, and nothing the store does not hold (each record came in the
// transaction that stored its version).
#include <catch2/catch.hpp>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "fhir_client.h"
#include "gateway/store/sqlite_store.h"
#include "gateway/store/write_log.h"
#include "server_process.h"
#include "support/test_support.h"

using namespace carebridge::testing;
namespace store = carebridge::gateway::store;

TEST_CASE("the write log survives SIGKILL with exactly the acknowledged writes", "[e2e][store][hooks]") {
  auto dir = temp_dir("write-log-kill");
  ServerProcess server(dir / "data");
  std::mutex mutex;
  std::set<std::string> acknowledged;  // "Patient/id/version"
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < 3; ++t) {
    writers.emplace_back([&, t] {
      auto c = server.client();
      for (int i = 0; !stop; ++i) {
        try {
          auto r = c->post("/fhir/Patient", patient_json("Crash" + std::to_string(t), "N" + std::to_string(i)), json_headers());
          if (r.status != 201) continue;
          std::string location = header(r, "Location");  // .../fhir/Patient/{id}/_history/1
          auto at = location.find("/Patient/");
          std::lock_guard lock(mutex);
          acknowledged.insert(location.substr(at + 1, location.find("/_history") - at - 1) + "/1");
        } catch (const std::exception&) {
          return;  // the server is gone
        }
      }
    });
  }
  REQUIRE(eventually([&] {
    std::lock_guard lock(mutex);
    return acknowledged.size() >= 150;
  }));
  server.kill();
  stop = true;
  for (auto& w : writers) w.join();

  store::SqliteOptions options;
  options.directory = dir / "data";
  store::SqliteStore reopened(options);
  auto log = store::read_write_log(reopened, 0, 1000000);
  REQUIRE(log.ok());
  std::set<std::string> logged;
  for (const auto& e : *log) {
    if (e.type == "Basic") continue;  // the subscription topics the server stores at start
    CHECK(e.type == "Patient");
    CHECK(e.interaction == "create");
    logged.insert(e.type + "/" + e.id + "/" + std::to_string(e.version));
    CHECK(reopened.read(e.type, e.id));  // each record's version is stored
  }
  CHECK(logged.size() == log->size() - 5);
  for (const auto& a : acknowledged) CHECK(logged.count(a) == 1);  // each acknowledged write is logged
  store::HistoryQuery everything;
  everything.type = "Patient";
  everything.count = 1;
  CHECK(static_cast<size_t>(reopened.history(everything).total) == logged.size());
}
