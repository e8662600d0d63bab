// The audit trail's view of notifications: every record disclosed is handed on, grouped
// per subscription, and nothing waits longer than the window.
#include <catch2/catch.hpp>

#include <mutex>
#include <thread>

#include "gateway/routing/disclosures.h"

using namespace carebridge;
using gateway::routing::Disclosures;

namespace {

struct Handed {
  std::mutex mutex;
  std::vector<std::tuple<std::string, std::string, size_t>> groups;  // subscription, owner, records
  size_t records() {
    std::lock_guard lock(mutex);
    size_t n = 0;
    for (const auto& g : groups) n += std::get<2>(g);
    return n;
  }
};

std::vector<gateway::store::ResourceRecord> results(size_t n) {
  std::vector<gateway::store::ResourceRecord> out(n);
  for (size_t i = 0; i < n; ++i) {
    out[i].type = "Observation";
    out[i].id = std::to_string(i);
    out[i].body = R"({"resourceType":"Observation"})";
  }
  return out;
}

}  // namespace

TEST_CASE("disclosures: a subscription's notifications within the window make one record, without content", "[routing]") {
  Handed handed;
  bool content = false;
  {
    Disclosures d([&](const std::string& id, const std::string& owner, std::vector<gateway::store::ResourceRecord> r) {
      std::lock_guard lock(handed.mutex);
      for (const auto& record : r) content = content || !record.body.empty();
      handed.groups.emplace_back(id, owner, r.size());
    }, std::chrono::seconds(10));
    for (int i = 0; i < 5; ++i) d.add("s1", "clinic-a", results(3));
    d.add("s2", "clinic-b", results(1));
    CHECK(handed.records() == 0);  // within the window: still gathered
  }  // the end hands on what waits
  REQUIRE(handed.groups.size() == 2);
  CHECK(handed.records() == 16);
  CHECK(!content);
}

TEST_CASE("disclosures: a full group is handed on at once, the rest after the window", "[routing]") {
  Handed handed;
  Disclosures d([&](const std::string& id, const std::string& owner, std::vector<gateway::store::ResourceRecord> r) {
    std::lock_guard lock(handed.mutex);
    handed.groups.emplace_back(id, owner, r.size());
  }, std::chrono::milliseconds(100), 10);
  d.add("s1", "", results(12));
  CHECK(handed.records() == 12);
  d.add("s1", "", results(2));
  for (int i = 0; i < 100 && handed.records() < 14; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  CHECK(handed.records() == 14);
}
