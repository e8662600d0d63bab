// Commit hooks on the SQLite store: a hook sees each write with the version it
// replaces, its records are stored atomically with the write (a refusing hook rolls
// the whole commit back, and only that commit of a group), and the write log holds
// exactly the versions stored, in order.
#include <catch2/catch.hpp>

#include <future>

#include "gateway/store/sqlite_store.h"
#include "gateway/store/write_log.h"
#include "support/test_support.h"

using namespace carebridge;
using namespace carebridge::gateway::store;

namespace {

Write version(const std::string& id, int64_t v, bool deleted = false) {
  Write w;
  w.record = {"Patient", id, v, "2025-01-02T03:04:05.000Z", 1735787045000 + v, deleted, deleted ? "DELETE" : v == 1 ? "POST" : "PUT",
              deleted ? "" : R"({"resourceType":"Patient","id":")" + id + R"(","active":true})"};
  w.expected_version = v - 1;
  return w;
}

// Appends "id v<previous>:<previous body size>" to the log "seen"; refuses ids starting with "refuse".
struct Recorder final : CommitHook {
  Result<void> on_write(const WriteEvent& e, CommitLog& log) override {
    if (e.record.id.starts_with("refuse")) return Result<void>::failure("exception", "the audit trail refused " + e.record.id);
    std::string previous = e.previous_version ? std::to_string(e.previous_body().size()) : "-";
    log.append("seen", e.record.id + " v" + std::to_string(e.previous_version) + ":" + previous);
    return {};
  }
};

std::vector<std::string> records(Store& store, const char* log) {
  std::vector<std::string> out;
  auto got = store.read_log(log, 0, 1000);
  REQUIRE(got.ok());
  for (auto& r : *got) out.push_back(r.record);
  return out;
}

}  // namespace

TEST_CASE("a commit hook's records are stored with the write, or not at all", "[gateway][store][hooks]") {
  SqliteOptions options;
  options.directory = testing::temp_dir("hooks");
  SqliteStore store(options);
  store.add_commit_hook(std::make_shared<Recorder>());
  store.add_commit_hook(std::make_shared<WriteLog>());
  REQUIRE(store.commit({version("a", 1)}).ok());
  REQUIRE(store.commit({version("a", 2)}).ok());
  REQUIRE(store.commit({version("a", 3, true)}).ok());
  auto seen = records(store, "seen");
  REQUIRE(seen.size() == 3);
  CHECK(seen[0] == "a v0:-");
  CHECK(seen[1] == "a v1:" + std::to_string(version("a", 1).record.body.size()));  // the previous body, read on demand

  // A refusing hook fails its commit whole: the other write of the commit is not stored either.
  auto refused = store.commit({version("b", 1), version("refuse-1", 1)});
  CHECK(refused.status == CommitResult::Status::Failed);
  CHECK(refused.message == "the audit trail refused refuse-1");
  CHECK(!store.read("Patient", "b"));
  CHECK(records(store, "seen").size() == 3);

  // In a group of concurrent commits only the refused one fails.
  std::vector<std::future<CommitResult>> results;
  for (const std::string id : {"c1", "refuse-2", "c2", "c3"}) {
    auto promise = std::make_shared<std::promise<CommitResult>>();
    results.push_back(promise->get_future());
    store.commit_async({version(id, 1)}, [promise](CommitResult r) { promise->set_value(std::move(r)); });
  }
  CHECK(results[0].get().ok());
  CHECK(results[1].get().status == CommitResult::Status::Failed);
  CHECK(results[2].get().ok());
  CHECK(results[3].get().ok());
  CHECK(store.read("Patient", "c3"));
  CHECK(!store.read("Patient", "refuse-2"));

  // A streaming commit (a transaction) refused by a hook leaves nothing.
  {
    auto commit = store.begin_streaming();
    commit->add(version("d1", 1));
    commit->add(version("refuse-3", 1));
    CHECK(commit->finish().status == CommitResult::Status::Failed);
  }
  CHECK(!store.read("Patient", "d1"));

  // The write log: exactly the versions stored, in commit order.
  auto log = read_write_log(store, 0, 100);
  REQUIRE(log.ok());
  std::vector<std::string> written;
  for (const auto& e : *log) written.push_back(e.id + "/" + std::to_string(e.version) + " " + e.interaction);
  CHECK(written.size() == 6);
  CHECK(written[0] == "a/1 create");
  CHECK(written[1] == "a/2 update");
  CHECK(written[2] == "a/3 delete");
  CHECK(std::count(written.begin(), written.end(), "c2/1 create") == 1);
  for (size_t i = 1; i < log->size(); ++i) CHECK((*log)[i].seq > (*log)[i - 1].seq);
  auto later = read_write_log(store, (*log)[2].seq, 100);
  CHECK(later->size() == 3);
}

TEST_CASE("a full disk is a commit the store cannot make now, said plainly, and /readyz knows", "[gateway][store]") {
  SqliteOptions options;
  options.directory = testing::temp_dir("store-full");
  options.max_pages = 64;  // 256 KB: full after a few hundred small resources
  SqliteStore store(options);
  CommitResult last;
  int i = 0;
  for (; i < 5000 && (last = store.commit({version("full-" + std::to_string(i), 1)})).ok(); ++i) {
  }
  REQUIRE(i < 5000);
  CHECK(last.status == CommitResult::Status::Unavailable);
  CHECK_THAT(last.message, Catch::Contains("try again later"));
  CHECK_THAT(last.message, !Catch::Contains("SQLITE") && !Catch::Contains("database or disk"));
  CHECK(!store.ready());
  CHECK(store.read("Patient", "full-0"));  // what was stored stays readable
}

TEST_CASE("a log read from any sequence number gives exactly the records after it", "[gateway][store][hooks]") {
  SqliteOptions options;
  options.directory = testing::temp_dir("hooks-read");
  SqliteStore store(options);
  store.add_commit_hook(std::make_shared<WriteLog>());
  // Concurrent commits share a transaction, so their records share rows of the log.
  std::vector<std::future<CommitResult>> done;
  for (int i = 0; i < 200; ++i) {
    auto promise = std::make_shared<std::promise<CommitResult>>();
    done.push_back(promise->get_future());
    store.commit_async({version("g" + std::to_string(i), 1)}, [promise](CommitResult r) { promise->set_value(std::move(r)); });
  }
  for (auto& d : done) REQUIRE(d.get().ok());
  auto all = read_write_log(store, 0, 1000);
  REQUIRE(all->size() == 200);
  for (size_t i = 0; i < all->size(); i += 7) {
    auto rest = read_write_log(store, (*all)[i].seq, 1000);
    REQUIRE(rest->size() == all->size() - i - 1);
    if (!rest->empty()) CHECK(rest->front().seq == (*all)[i + 1].seq);
    CHECK(read_write_log(store, (*all)[i].seq, 5)->size() == std::min<size_t>(5, all->size() - i - 1));
  }
}
