// The resource store: current and historical versions of every resource and their
// search index, behind an interface the SQLite store implements today and a
// PostgreSQL store can implement later. Writes are atomic groups: a commit either
// stores all of its writes (versions, history and index rows) durably or none.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fhir/model/result.h"
#include "fhir/search/index_row.h"
#include "fhir/search/query.h"
#include "gateway/store/commit_hooks.h"

namespace carebridge::gateway::store {

// Index rows and searches are the FHIR core's (fhir/search); the store keeps and runs them.
using fhir::search::Clause;
using fhir::search::IndexEntry;
using fhir::search::IndexKind;
using fhir::search::SearchQuery;
using fhir::search::SortKey;
using fhir::search::ValueMatch;
using fhir::search::Visibility;
using carebridge::Result;

// One version of a resource.
struct ResourceRecord {
  std::string type;
  std::string id;
  int64_t version = 0;
  std::string last_updated;  // FHIR instant, as written into meta.lastUpdated
  int64_t updated_ms = 0;    // the same instant in milliseconds since the epoch
  bool deleted = false;
  std::string method;  // POST, PUT or DELETE: how this version came to be (history entries)
  std::string body;    // compact FHIR JSON (empty for deletions)
  // Who may see this version: facts the security layer derives at write time
  // (security/access_facts.h); opaque to the store. Deletions keep the deleted version's.
  std::string access = {};
};

// One write of a commit. `expected_version` guards against lost updates: the
// resource's current version (0 when it has none) must equal it, else the commit
// fails with a conflict. nullopt writes unconditionally.
struct Write {
  ResourceRecord record;  // type, id, version, times, method, body (deleted for deletions)
  std::optional<int64_t> expected_version;
  std::vector<IndexEntry> index;  // replaces the resource's index rows (ignored for deletions)
  // Records appended to the store's logs (log name, record) in this write's transaction.
  // A write whose record has no type carries only these (it stores no resource).
  std::vector<std::pair<std::string, std::string>> logs = {};
  // The gateway's own upkeep (access facts recomputed after an upgrade), not a change of
  // the record's meaning: hooks keep their indexes, subscriptions are not told of it.
  bool maintenance = false;
};

struct CommitResult {
  // Unavailable: the store cannot write now (a full disk, an I/O error); worth retrying later.
  enum class Status { Ok, Conflict, Failed, Unavailable };
  Status status = Status::Ok;
  std::string message;
  size_t failed_write = 0;  // index of the write that failed
  bool ok() const { return status == Status::Ok; }
};

struct SearchResult {
  std::vector<ResourceRecord> page;
  int64_t total = -1;  // -1 when not counted
  // The point of the store's history the answer reflects (SearchQuery::snapshot
  // for the following pages).
  int64_t snapshot = 0;
  // The page ended at SearchQuery::max_page_bytes with matches still to come: the
  // next page starts after it, not after `count`.
  bool cut = false;
};

struct HistoryQuery {
  std::string type;  // empty: the whole system
  std::string id;    // empty: the whole type
  std::optional<int64_t> since_ms;
  // _at: only versions current at some moment of [first, last] (ms): made by then, and not
  // replaced by a later version before it began.
  std::optional<std::pair<int64_t, int64_t>> at_ms;
  uint32_t count = 20;
  uint32_t offset = 0;
  // Only versions up to this point of the store's history (the first page's), so that
  // versions written between pages do not shift them; 0: now.
  int64_t snapshot = 0;
  // Only versions this accepts, of resources whose current version it accepts too (null: all).
  std::shared_ptr<const Visibility> visible;
};

struct HistoryResult {
  std::vector<ResourceRecord> page;  // newest first
  int64_t total = 0;
  int64_t snapshot = 0;  // the point of the store's history the answer reflects
};

// Durations of store operations, for /metrics.
struct StoreTimings {
  virtual ~StoreTimings() = default;
  virtual void observe(const char* operation, double seconds) = 0;
};

// A commit whose writes are handed over one at a time while the caller still
// prepares the rest (a transaction Bundle's entries): a store may apply each as it
// comes, so preparing and writing overlap. All or nothing, as commit().
class StreamingCommit {
 public:
  // Without finish(), nothing of the commit is stored.
  virtual ~StreamingCommit() = default;
  virtual void add(Write write) = 0;
  // Stores everything added, atomically; returns once it is durable (or failed).
  virtual CommitResult finish() = 0;
};

class Store {
 public:
  virtual ~Store() = default;

  // A commit written as its writes come. The default keeps them and commits at the end.
  virtual std::unique_ptr<StreamingCommit> begin_streaming();

  // Applies the writes atomically and calls `done` once they are durable (or
  // failed), on a thread of the store: `done` must be quick and must not throw.
  // Thread-safe; concurrent commits are grouped into one storage transaction.
  virtual void commit_async(std::vector<Write> writes, std::function<void(CommitResult)> done) = 0;
  // The same, waiting for the result.
  CommitResult commit(std::vector<Write> writes);

  // The current version (a deletion marker when deleted), or nullopt when never stored.
  virtual std::optional<ResourceRecord> read(const std::string& type, const std::string& id) = 0;
  virtual std::optional<ResourceRecord> vread(const std::string& type, const std::string& id, int64_t version) = 0;
  // Current, not deleted versions of the given "Type/id" references (missing ones left out).
  virtual std::vector<ResourceRecord> read_many(const std::vector<std::pair<std::string, std::string>>& keys) = 0;

  virtual HistoryResult history(const HistoryQuery& query) = 0;
  // The matches, or why there are none: "too-costly" when the search ran past its
  // deadline, "too-long" when it is larger than the store can compare at once,
  // "exception" when the store failed.
  virtual Result<SearchResult> search(const SearchQuery& query) = 0;
  // Whether the store answers queries (for /readyz).
  virtual bool ready() = 0;
  // The index rows of one parameter of the given resources ("Type", ids, "subject").
  virtual std::vector<std::pair<std::string, IndexEntry>> index_rows(const std::string& type,
                                                                    const std::vector<std::string>& ids,
                                                                    const std::string& param) = 0;

  // Calls `visit` with the current, not deleted versions of a type (their bodies only
  // when `with_body`), in no particular order: for indexes kept in memory at start-up.
  virtual void scan(const std::string& type, bool with_body, const std::function<void(const ResourceRecord&)>& visit) = 0;

  // Registers a hook every later commit runs (see commit_hooks.h). Call before serving.
  virtual void add_commit_hook(std::shared_ptr<CommitHook> hook) = 0;
  // The records of a log with a sequence number above `after`, oldest first, at most `limit`.
  virtual Result<std::vector<LogRecord>> read_log(std::string_view log, int64_t after, size_t limit) = 0;
};

inline std::unique_ptr<StreamingCommit> Store::begin_streaming() {
  class Buffered final : public StreamingCommit {
   public:
    explicit Buffered(Store& store) : store_(store) {}
    void add(Write write) override { writes_.push_back(std::move(write)); }
    CommitResult finish() override { return store_.commit(std::move(writes_)); }

   private:
    Store& store_;
    std::vector<Write> writes_;
  };
  return std::make_unique<Buffered>(*this);
}

inline CommitResult Store::commit(std::vector<Write> writes) {
  std::promise<CommitResult> promise;
  auto future = promise.get_future();
  commit_async(std::move(writes), [&promise](CommitResult result) { promise.set_value(std::move(result)); });
  return future.get();
}

}  // namespace carebridge::gateway::store
