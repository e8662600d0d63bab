// The SQLite store on its own: versions and conflicts, group commit from many
// threads, atomic multi-write commits, history and index-driven search.
#include <catch2/catch.hpp>
#include <atomic>
#include <future>
#include <thread>

#include "gateway/store/sqlite_store.h"
#include "support/test_support.h"

using namespace carebridge::gateway::store;

namespace {
Write put(const std::string& id, int64_t version, const std::string& family) {
  Write w;
  w.record = {"Patient", id, version, "2024-01-01T00:00:00.000Z", 1704067200000 + version, false, version == 1 ? "POST" : "PUT",
              R"({"resourceType":"Patient","id":")" + id + R"("})"};
  w.expected_version = version - 1;
  IndexEntry e;
  e.param = "family";
  e.text = family;
  e.norm = family;
  w.index.push_back(e);
  return w;
}
}  // namespace

TEST_CASE("the store keeps versions refuses lost updates and commits groups atomically", "[gateway][store]") {
  SqliteOptions options;
  options.directory = carebridge::testing::temp_dir("store");
  SqliteStore store(options);
  REQUIRE(store.commit({put("a", 1, "smith")}).ok());
  REQUIRE(store.commit({put("a", 2, "jones")}).ok());
  auto stale = store.commit({put("a", 2, "again")});
  CHECK(stale.status == CommitResult::Status::Conflict);
  // Creating an id that exists: the store skips the lookup for version 1, the
  // unique index refuses the insert, and the commit is checked again: a conflict.
  auto again = store.commit({put("a", 1, "duplicate")});
  CHECK(again.status == CommitResult::Status::Conflict);
  CHECK(store.read("Patient", "a")->version == 2);
  CHECK(store.vread("Patient", "a", 1));
  CHECK(!store.vread("Patient", "a", 3));

  // A commit with one failing write stores nothing.
  auto mixed = store.commit({put("b", 1, "new"), put("a", 7, "bad")});
  CHECK(mixed.status == CommitResult::Status::Conflict);
  CHECK(mixed.failed_write == 1);
  CHECK(!store.read("Patient", "b"));

  // Many threads committing at once: all land (grouped into few transactions).
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 25; ++i) REQUIRE(store.commit({put("t" + std::to_string(t) + "-" + std::to_string(i), 1, "bulk")}).ok());
    });
  }
  for (auto& t : threads) t.join();
  SearchQuery q;
  q.type = "Patient";
  Clause c;
  c.param = "family";
  ValueMatch m;
  m.kind = ValueMatch::Kind::StringStarts;
  m.text = "bul";
  c.any_of.push_back(m);
  q.clauses.push_back(c);
  q.count = 10;
  auto result = store.search(q).value();
  CHECK(result.total == 200);
  CHECK(result.page.size() == 10);
  // The total is the same whether it is counted or read off a last, partial page.
  q.offset = 195;
  result = store.search(q).value();
  CHECK(result.page.size() == 5);
  CHECK(result.total == 200);
  q.offset = 300;
  result = store.search(q).value();
  CHECK(result.page.empty());
  CHECK(result.total == 200);
  HistoryQuery h;
  h.type = "Patient";
  h.id = "a";
  auto history = store.history(h);
  CHECK(history.total == 2);
  CHECK(history.page[0].version == 2);
}

TEST_CASE("number and quantity ranges follow the search prefixes", "[gateway][store]") {
  SqliteOptions options;
  options.directory = carebridge::testing::temp_dir("store-ranges");
  SqliteStore store(options);
  for (int i = 1; i <= 5; ++i) {
    Write w = put("n" + std::to_string(i), 1, "x");
    IndexEntry e;
    e.kind = IndexKind::Range;
    e.param = "probability";
    e.low = i * 10.0;
    e.high = i * 10.0;
    w.index.push_back(e);
    REQUIRE(store.commit({w}).ok());
  }
  auto count = [&](const std::string& prefix, double low, double high) {
    SearchQuery q;
    q.type = "Patient";
    Clause c;
    c.param = "probability";
    ValueMatch m;
    m.kind = ValueMatch::Kind::Range;
    m.prefix = prefix;
    m.low = low;
    m.high = high;
    c.any_of.push_back(m);
    q.clauses.push_back(c);
    return store.search(q)->total;
  };
  CHECK(count("eq", 29.5, 30.5) == 1);
  CHECK(count("ne", 29.5, 30.5) == 4);
  CHECK(count("gt", 30, 30) == 2);
  CHECK(count("ge", 30, 30) == 3);
  CHECK(count("lt", 30, 30) == 2);
  CHECK(count("le", 30, 30) == 3);
  CHECK(count("sa", 30, 30) == 2);
  CHECK(count("eb", 30, 30) == 2);
}

TEST_CASE("ge and le take a range reaching the searched one from that side, gt and lt one reaching past it", "[gateway][store]") {
  SqliteOptions options;
  options.directory = carebridge::testing::temp_dir("store-ge-le");
  SqliteStore store(options);
  const std::pair<double, double> ranges[] = {{0, 10}, {5, 15}, {10, 11}, {11, 20}};
  for (int i = 0; i < 4; ++i) {
    Write w = put("r" + std::to_string(i), 1, "x");
    IndexEntry e;
    e.kind = IndexKind::Range;
    e.param = "date";
    e.low = ranges[i].first;
    e.high = ranges[i].second;
    w.index.push_back(e);
    REQUIRE(store.commit({w}).ok());
  }
  auto ids = [&](const std::string& prefix) {
    SearchQuery q;
    q.type = "Patient";
    q.sort = {{"_id", false}};
    Clause c;
    c.param = "date";
    ValueMatch m;
    m.kind = ValueMatch::Kind::Range;
    m.prefix = prefix;
    m.low = 10;
    m.high = 12;
    c.any_of.push_back(m);
    q.clauses.push_back(c);
    std::string out;
    auto result = store.search(q);
    REQUIRE(result);
    for (const auto& r : result->page) out += r.id + " ";
    return out;
  };
  CHECK(ids("ge") == "r0 r1 r2 r3 ");  // r0 ends inside [10, 12]: it reaches the searched range
  CHECK(ids("le") == "r0 r1 r2 r3 ");  // r3 starts inside it
  CHECK(ids("gt") == "r1 r3 ");         // past its end
  CHECK(ids("lt") == "r0 r1 ");         // before its start
}

TEST_CASE("with a local base an absolute reference to another server is not the local resource", "[gateway][store]") {
  SqliteOptions options;
  options.directory = carebridge::testing::temp_dir("store-local-base");
  SqliteStore store(options);
  const char* written[] = {"Patient/p1", "https://here.example/fhir/Patient/p1", "https://elsewhere.example/fhir/Patient/p1",
                           "https://elsewhere.example/fhir/Patient/p1/_history/2"};
  for (int i = 0; i < 4; ++i) {
    Write w = put("r" + std::to_string(i), 1, "x");
    IndexEntry e;
    e.kind = IndexKind::Reference;
    e.param = "link";
    e.code = "Patient/p1";
    e.text = written[i];
    w.index.push_back(e);
    REQUIRE(store.commit({w}).ok());
  }
  auto ids = [&](const std::string& base, const std::string& value) {
    SearchQuery q;
    q.type = "Patient";
    q.sort = {{"_id", false}};
    q.local_base = base;
    Clause c;
    c.param = "link";
    ValueMatch m;
    m.kind = ValueMatch::Kind::Reference;
    m.code = "Patient/p1";
    m.text = value;
    c.any_of.push_back(m);
    q.clauses.push_back(c);
    auto result = store.search(q);
    REQUIRE(result);
    std::string out;
    for (const auto& r : result->page) out += r.id + " ";
    return out;
  };
  CHECK(ids("https://here.example/fhir/", "Patient/p1") == "r0 r1 ");
  CHECK(ids("https://here.example/fhir/", "https://here.example/fhir/Patient/p1") == "r0 r1 ");
  CHECK(ids("https://here.example/fhir/", "https://elsewhere.example/fhir/Patient/p1") == "r2 r3 ");
  CHECK(ids("", "Patient/p1") == "r0 r1 r2 r3 ");  // no base: by Type/id alone
}

TEST_CASE("a search that runs past its deadline is stopped", "[gateway][store]") {
  SqliteOptions options;
  options.directory = carebridge::testing::temp_dir("store-deadline");
  SqliteStore store(options);
  std::vector<Write> writes;
  for (int i = 0; i < 3000; ++i) writes.push_back(put("d" + std::to_string(i), 1, "slow"));
  REQUIRE(store.commit(std::move(writes)).ok());
  SearchQuery q;
  q.type = "Patient";
  q.sort.push_back({"family", true});
  q.deadline = std::chrono::steady_clock::now() - std::chrono::seconds(1);
  auto stopped = store.search(q);
  REQUIRE(!stopped.ok());
  CHECK(stopped.issues().front().code == "too-costly");
  // The connection is usable again afterwards, and without a deadline the search runs.
  q.deadline = {};
  auto result = store.search(q).value();
  CHECK(result.total == 3000);
  CHECK(result.page.size() == 20);
}

TEST_CASE("a streaming commit stores all of its writes or none, and waits for nothing else", "[gateway][store]") {
  SqliteOptions options;
  options.directory = carebridge::testing::temp_dir("store-stream");
  SqliteStore store(options);
  REQUIRE(store.commit({put("s0", 1, "before")}).ok());
  {
    auto commit = store.begin_streaming();
    commit->add(put("s1", 1, "kept"));
    commit->add(put("s0", 2, "updated"));
    // A plain commit queued meanwhile waits for the stream, then lands.
    std::thread other([&] { CHECK(store.commit({put("s2", 1, "other")}).ok()); });
    commit->add(put("s3", 1, "kept"));
    CHECK(commit->finish().ok());
    other.join();
  }
  CHECK(store.read("Patient", "s1"));
  CHECK(store.read("Patient", "s0")->version == 2);
  CHECK(store.read("Patient", "s2"));
  {
    // Given up (destroyed without finish): nothing of it is stored.
    auto commit = store.begin_streaming();
    commit->add(put("gone", 1, "x"));
  }
  CHECK(!store.read("Patient", "gone"));
  {
    // A stale version or an id that exists conflicts, and everything before it goes too.
    auto stale = store.begin_streaming();
    stale->add(put("s4", 1, "x"));
    stale->add(put("s0", 2, "stale"));
    stale->add(put("s5", 1, "x"));
    auto result = stale->finish();
    CHECK(result.status == CommitResult::Status::Conflict);
    auto duplicate = store.begin_streaming();
    duplicate->add(put("s6", 1, "x"));
    duplicate->add(put("s1", 1, "again"));
    CHECK(duplicate->finish().status == CommitResult::Status::Conflict);
  }
  CHECK(!store.read("Patient", "s4"));
  CHECK(!store.read("Patient", "s5"));
  CHECK(!store.read("Patient", "s6"));
  CHECK(store.read("Patient", "s0")->version == 2);
  CHECK(store.commit({put("s7", 1, "after")}).ok());  // the writer goes on
}

TEST_CASE("streaming commits handed over whole while the writer is busy are written together, each all or nothing",
          "[gateway][store]") {
  SqliteOptions options;
  options.directory = carebridge::testing::temp_dir("store-stream-group");
  SqliteStore store(options);
  // Counts the transactions SQLite committed.
  struct Transactions final : CommitHook {
    std::atomic<int> committed{0};
    Result<void> on_write(const WriteEvent&, CommitLog&) override { return {}; }
    void ended(bool ok) override { committed += ok ? 1 : 0; }
  };
  auto transactions = std::make_shared<Transactions>();
  store.add_commit_hook(transactions);
  REQUIRE(store.commit({put("g0", 1, "before")}).ok());
  // The writer is held inside the completion of a commit while the streams are queued
  // and finished behind it.
  std::promise<void> holding, release;
  auto released = release.get_future().share();
  store.commit_async({put("hold", 1, "x")}, [&](CommitResult) {
    holding.set_value();
    released.wait();
  });
  holding.get_future().wait();
  auto ok = store.begin_streaming(), conflicting = store.begin_streaming(), abandoned = store.begin_streaming(),
       later = store.begin_streaming();
  ok->add(put("g1", 1, "kept"));
  ok->add(put("g0", 2, "updated"));
  conflicting->add(put("g2", 1, "x"));
  conflicting->add(put("g0", 2, "stale"));  // g0 is at version 2 once the first is applied
  abandoned->add(put("g3", 1, "x"));
  later->add(put("g4", 1, "kept"));
  // Each caller finishes on a thread of its own (finish waits for the writer); each says
  // when it is about to, and finishing hands the stream over at once.
  std::atomic<int> finishing{0};
  auto finish = [&](StreamingCommit& c) {
    return std::async(std::launch::async, [&] {
      ++finishing;
      return c.finish();
    });
  };
  auto ok_result = finish(*ok), conflict_result = finish(*conflicting), later_result = finish(*later);
  abandoned.reset();  // its caller gave up
  for (int i = 0; i < 1000 && finishing < 3; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // all four are settled in the queue
  int before = transactions->committed;
  release.set_value();
  CHECK(ok_result.get().ok());
  CHECK(conflict_result.get().status == CommitResult::Status::Conflict);
  CHECK(later_result.get().ok());
  CHECK(transactions->committed == before + 1);  // one transaction, one WAL sync, for all of them
  CHECK(store.read("Patient", "g0")->version == 2);
  CHECK(store.read("Patient", "g1"));
  CHECK(!store.read("Patient", "g2"));
  CHECK(!store.read("Patient", "g3"));
  CHECK(store.read("Patient", "g4"));
  CHECK(store.commit({put("g5", 1, "after")}).ok());
}

TEST_CASE("many values of one parameter are compared as one list, whatever their text", "[gateway][store]") {
  SqliteOptions options;
  options.directory = carebridge::testing::temp_dir("store-lists");
  SqliteStore store(options);
  const std::vector<std::string> codes = {"plain", "quo\"te", "back\\slash", "ünïcödé", std::string("n\0ul", 4), "", "\x01\x1f"};
  for (size_t i = 0; i < codes.size(); ++i) {
    Write w = put("t" + std::to_string(i), 1, "x");
    IndexEntry e;
    e.kind = IndexKind::Token;
    e.param = "identifier";
    e.system = i % 2 ? "urn:odd" : "urn:even";
    e.code = codes[i];
    w.index.push_back(e);
    REQUIRE(store.commit({w}).ok());
  }
  auto count = [&](bool with_system, size_t extra) {
    SearchQuery q;
    q.type = "Patient";
    Clause c;
    c.param = "identifier";
    for (size_t i = 0; i < codes.size() + extra; ++i) {
      if (i == 5) continue;  // "": a token value with no code matches every code
      ValueMatch m;
      m.code = i < codes.size() ? codes[i] : "other" + std::to_string(i);
      m.any_system = !with_system;
      m.system = i % 2 ? "urn:odd" : "urn:even";
      c.any_of.push_back(m);
    }
    q.clauses.push_back(c);
    auto result = store.search(q);
    REQUIRE(result.ok());
    return result->total;
  };
  // Every code but the empty one, which is not searched for.
  CHECK(count(false, 0) == 6);
  CHECK(count(true, 0) == 6);
  CHECK(count(false, 3000) == 6);  // thousands of values: one list, not an expression SQLite refuses
  CHECK(count(true, 3000) == 6);
}

TEST_CASE("history _at gives the versions current at some moment of the period", "[gateway][store]") {
  SqliteOptions options;
  options.directory = carebridge::testing::temp_dir("store-history-at");
  SqliteStore store(options);
  for (int64_t version = 1; version <= 3; ++version) {  // current from 1000, 2000 and 3000 ms on
    Write w = put("h", version, "x");
    w.record.updated_ms = version * 1000;
    REQUIRE(store.commit({w}).ok());
  }
  auto versions_at = [&](int64_t first, int64_t last) {
    HistoryQuery h;
    h.type = "Patient";
    h.at_ms = {first, last};
    std::vector<int64_t> found;
    for (const auto& r : store.history(h).page) found.push_back(r.version);
    return found;
  };
  CHECK(versions_at(1500, 1500) == std::vector<int64_t>{1});
  CHECK(versions_at(1500, 2500) == std::vector<int64_t>{2, 1});  // newest first
  CHECK(versions_at(2000, 2000) == std::vector<int64_t>{2});     // replaced at 2000: version 1 is no longer current
  CHECK(versions_at(3500, 9000) == std::vector<int64_t>{3});
  CHECK(versions_at(100, 900).empty());  // before the first version
}

TEST_CASE("a read by id sees every write committed before it, with the current versions cached", "[gateway][store]") {
  SqliteOptions options;
  options.directory = carebridge::testing::temp_dir("store-cache");
  options.cache_bytes = 64 * 1024;  // small: entries are pushed out while the test runs
  SqliteStore store(options);
  REQUIRE(store.commit({put("c", 1, "smith")}).ok());
  CHECK(store.read("Patient", "c")->version == 1);
  CHECK(store.read("Patient", "c")->version == 1);  // from memory now
  REQUIRE(store.commit({put("c", 2, "jones")}).ok());
  CHECK(store.read("Patient", "c")->version == 2);
  CHECK(store.read_many({{"Patient", "c"}}).at(0).version == 2);
  Write gone;
  gone.record = {"Patient", "c", 3, "2024-01-01T00:00:00.000Z", 1704067200003, true, "DELETE", ""};
  gone.expected_version = 2;
  REQUIRE(store.commit({gone}).ok());
  CHECK(store.read("Patient", "c")->deleted);
  CHECK(store.read_many({{"Patient", "c"}}).empty());

  // Readers racing a writer: once a commit has returned, no read gives an older version.
  std::atomic<int64_t> committed{0};
  std::atomic<bool> stale{false}, done{false};
  REQUIRE(store.commit({put("r", 1, "race")}).ok());
  committed = 1;
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      while (!done) {
        int64_t before = committed;
        auto r = store.read("Patient", "r");
        if (!r || r->version < before) stale = true;
        for (int i = 0; i < 20; ++i) store.read("Patient", "filler" + std::to_string(i));  // misses keep the shards busy
      }
    });
  }
  for (int64_t v = 2; v <= 200; ++v) {
    REQUIRE(store.commit({put("r", v, "race")}).ok());
    committed = v;
  }
  done = true;
  for (auto& t : readers) t.join();
  CHECK_FALSE(stale);
  CHECK(store.read("Patient", "r")->version == 200);
}

TEST_CASE("a chained search sees through a caller's visibility", "[gateway][store]") {
  SqliteOptions options;
  options.directory = carebridge::testing::temp_dir("store-chain-visibility");
  SqliteStore store(options);
  REQUIRE(store.commit({put("p1", 1, "smith")}).ok());
  Write observation;
  observation.record = {"Observation", "o1", 1, "2024-01-01T00:00:00.000Z", 1704067200000, false, "POST",
                        R"({"resourceType":"Observation","id":"o1"})"};
  IndexEntry subject;
  subject.kind = IndexKind::Reference;
  subject.param = "subject";
  subject.code = "Patient/p1";
  observation.index.push_back(subject);
  REQUIRE(store.commit({observation}).ok());
  // Observation?subject:Patient.family=smi, as a caller who sees every type but `hidden`.
  class AllBut final : public carebridge::fhir::search::Visibility {
   public:
    explicit AllBut(std::string hidden) : hidden_(std::move(hidden)) {}
    bool accepts(std::string_view type, std::string_view) const override { return type != hidden_; }

   private:
    std::string hidden_;
  };
  auto total = [&](const std::string& hidden) {
    SearchQuery q;
    q.type = "Observation";
    Clause chained;
    chained.param = "subject";
    chained.chain_type = "Patient";
    chained.chain = std::make_shared<Clause>();
    chained.chain->param = "family";
    ValueMatch m;
    m.kind = ValueMatch::Kind::StringStarts;
    m.text = "smi";
    chained.chain->any_of.push_back(m);
    q.clauses.push_back(chained);
    q.visible = std::make_shared<AllBut>(hidden);
    return store.search(q)->total;
  };
  CHECK(total("AuditEvent") == 1);  // the chain's binds in the SQL's order: found
  CHECK(total("Patient") == 0);     // the Patient is not there for this caller
}
