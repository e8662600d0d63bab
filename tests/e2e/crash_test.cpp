// Crash safety: clients write (creates, updates, two-resource transactions) while
// the server is killed with SIGKILL. After a restart every acknowledged write is
// there with its history, and no transaction is half there.
#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <thread>

#include "fhir_client.h"
#include "server_process.h"
#include "support/test_support.h"

using namespace carebridge::testing;

namespace {

struct Acknowledged {
  std::mutex mutex;
  std::vector<std::pair<std::string, int>> versions;  // "Patient/id" and the acknowledged version
  std::vector<int> transactions;                      // transaction numbers acknowledged
};

}  // namespace

TEST_CASE("no acknowledged write is lost and no transaction is half applied after SIGKILL", "[gateway][e2e][crash]") {
  auto data = temp_dir("crash-data");
  auto server = std::make_unique<ServerProcess>(data);
  Acknowledged acked;
  std::atomic<bool> stop{false};
  std::atomic<int> next_transaction{0};
  std::atomic<int> acknowledged_count{0};
  std::vector<std::thread> writers;
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      auto c = server->client();
      while (!stop) {
        auto created = c->post("/fhir/Patient", patient_json("Crash" + std::to_string(w), "C"), json_headers());
        if (created.status != 201) break;  // the server is gone
        std::string id = str(parse_json(created.body), "id");
        {
          std::lock_guard lock(acked.mutex);
          acked.versions.emplace_back("Patient/" + id, 1);
        }
        std::string body = patient_json("Crash" + std::to_string(w), "Updated", R"("id":")" + id + R"(",)");
        auto updated = c->put("/fhir/Patient/" + id, body, json_headers());
        if (updated.status != 200) break;
        {
          std::lock_guard lock(acked.mutex);
          acked.versions.emplace_back("Patient/" + id, 2);
        }
        int n = next_transaction++;
        std::string marker = "tx-" + std::to_string(n);
        std::string bundle = R"({"resourceType":"Bundle","type":"transaction","entry":[)";
        for (const char* half : {"a", "b"}) {
          if (half[0] == 'b') bundle += ',';
          bundle += R"({"fullUrl":"urn:uuid:)" + marker + half + R"(","resource":{"resourceType":"Patient","identifier":[{"system":"urn:crash","value":")" +
                    marker + R"("}]},"request":{"method":"POST","url":"Patient"}})";
        }
        bundle += "]}";
        auto tx = c->post("/fhir", bundle, json_headers());
        if (tx.status != 200) break;
        {
          std::lock_guard lock(acked.mutex);
          acked.transactions.push_back(n);
        }
        acknowledged_count += 3;
      }
    });
  }
  REQUIRE(eventually([&] { return acknowledged_count >= 300; }, std::chrono::seconds(120)));
  server->kill();  // SIGKILL while the writers are busy
  stop = true;
  for (auto& t : writers) t.join();
  int attempted = next_transaction;

  ServerProcess restarted(data);
  auto c = restarted.client();
  for (const auto& [key, version] : acked.versions) {
    auto r = c->get("/fhir/" + key + "/_history/" + std::to_string(version));
    INFO(key << " version " << version);
    REQUIRE(r.status == 200);
  }
  for (const auto& [key, version] : acked.versions) {
    if (version != 2) continue;
    auto h = parse_json(c->get("/fhir/" + key + "/_history").body);
    REQUIRE(h["total"].GetInt() == 2);
  }
  for (int n : acked.transactions) {
    auto r = parse_json(c->get("/fhir/Patient?identifier=urn:crash|tx-" + std::to_string(n)).body);
    REQUIRE(r["total"].GetInt() == 2);
  }
  // Transactions in flight at the kill are either whole or absent.
  for (int n = 0; n < attempted; ++n) {
    int t = parse_json(c->get("/fhir/Patient?identifier=urn:crash|tx-" + std::to_string(n)).body)["total"].GetInt();
    INFO("transaction " << n);
    CHECK((t == 0 || t == 2));
  }
}
