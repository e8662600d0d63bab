// The embedded store: one SQLite database in WAL mode with synchronous=FULL. A
// single writer thread takes every queued commit, applies them in one SQLite
// transaction (each checked for conflicts first, so a refused one writes nothing
// and does not affect the others) and syncs once: group commit. Readers use their
// own connections from a pool and run in parallel with the writer.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <stdexcept>
#include <vector>

#include "gateway/store/current_cache.h"
#include "gateway/store/sqlite_commit_log.h"
#include "gateway/store/store.h"
#include "gateway/store/wal_checkpointer.h"

namespace carebridge::gateway::store {

class Connection;
struct SortSql;
struct SqlBinding;

struct SqliteOptions {
  std::filesystem::path directory;  // holds carebridge.db (created when missing)
  unsigned readers = 8;             // reader connections
  size_t max_queued_commits = 1024; // commit() waits while the queue is this long
  size_t max_group = 256;           // commits grouped into one transaction at most
  StoreTimings* timings = nullptr;  // optional, must outlive the store
  // The database may grow to this many pages at most (0: as the disk allows): a
  // full disk, made to order for tests.
  int64_t max_pages = 0;
  // Current versions kept in memory for reads by id (current_cache.h); 0 keeps none.
  size_t cache_bytes = 16 << 20;
};

class SqliteStore final : public Store {
 public:
  // Opens or creates the database; throws std::runtime_error at start-up when it cannot.
  explicit SqliteStore(const SqliteOptions& options);
  ~SqliteStore() override;

  void commit_async(std::vector<Write> writes, std::function<void(CommitResult)> done) override;
  // Applied by the writer as the writes come, in a transaction of its own.
  std::unique_ptr<StreamingCommit> begin_streaming() override;
  void add_commit_hook(std::shared_ptr<CommitHook> hook) override { hooks_.push_back(std::move(hook)); }
  Result<std::vector<LogRecord>> read_log(std::string_view log, int64_t after, size_t limit) override;
  struct Stream;  // the writes of a streaming commit, as they come (sqlite_stream.cpp)
  std::optional<ResourceRecord> read(const std::string& type, const std::string& id) override;
  std::optional<ResourceRecord> vread(const std::string& type, const std::string& id, int64_t version) override;
  std::vector<ResourceRecord> read_many(const std::vector<std::pair<std::string, std::string>>& keys) override;
  HistoryResult history(const HistoryQuery& query) override;
  Result<SearchResult> search(const SearchQuery& query) override;
  bool ready() override;
  void scan(const std::string& type, bool with_body, const std::function<void(const ResourceRecord&)>& visit) override;
  std::vector<std::pair<std::string, IndexEntry>> index_rows(const std::string& type, const std::vector<std::string>& ids,
                                                            const std::string& param) override;

 private:
  struct Pending {
    std::vector<Write> writes;
    std::function<void(CommitResult)> done;
    std::chrono::steady_clock::time_point queued;
    std::shared_ptr<Stream> stream;  // set for a streaming commit (then `writes` is empty)
    bool abandoned = false;          // a streaming commit its caller gave up (nothing to write)
  };
  class Reader;  // a pooled reader connection, returned on destruction

  // Versions a group has written so far, by "Type/id".
  using Versions = std::unordered_map<std::string, int64_t>;

  void writer_loop();
  std::vector<CommitResult> write_group(const std::vector<std::unique_ptr<Pending>>& group);
  CommitResult write_stream(Stream& stream);
  // A streaming commit whose caller has handed over all its writes, or given up, becomes
  // a commit like any other (its writes in `writes`, the stream gone), so that it is
  // written in a group; false while its writes are still coming.
  static bool settle(Pending& pending);
  // A commit's failure from what was thrown: a hook's message, a full disk (Unavailable), or else.
  CommitResult failed(Connection& db, const std::exception& e);
  // A hook refused a write (its message is the commit's).
  struct HookFailure : std::runtime_error {
    using std::runtime_error::runtime_error;
  };
  // apply(), false when a unique index refuses an insert (then roll the transaction back).
  bool apply_new(Connection& db, const std::vector<Write>& writes);
  void enqueue(std::unique_ptr<Pending> pending);
  // `trust_new`: creations of version 1 skip the lookup (see the .cpp).
  static CommitResult check(Connection& db, const std::vector<Write>& writes, Versions& versions, bool trust_new);
  void apply(Connection& db, const std::vector<Write>& writes);
  // Every hook's view of one write; throws HookFailure when one refuses it.
  void run_hooks(Connection& db, const ResourceRecord& record, const std::vector<IndexEntry>& rows,
                 std::string_view previous_access, bool maintenance);
  // The id of a search parameter of a type in search_param, added when new.
  int64_t pid_of(Connection& db, const std::string& type, const std::string& param);
  static void rollback(Connection& db);
  // Tells the hooks (and the commit log) how the transaction they saw ended.
  void end_transaction(bool committed);
  Reader reader();
  // The current version of type/id from the database (no cache).
  static std::optional<ResourceRecord> read_current(Connection& db, const std::string& type, const std::string& id);
  static void search_in(Connection& db, const SearchQuery& query, const std::string& where,
                        const std::vector<SqlBinding>& binds, const SortSql& sort, SearchResult& result);
  void observe(const char* operation, std::chrono::steady_clock::time_point start);

  SqliteOptions options_;
  std::string path_;
  std::unique_ptr<Connection> writer_db_;
  std::vector<std::shared_ptr<CommitHook>> hooks_;
  std::unique_ptr<SqliteCommitLog> commit_log_;  // the writer's: hooks' records of the open transaction
  std::atomic<bool> writes_failing_{false};  // the last write failed for lack of space or I/O
  std::unique_ptr<WalCheckpointer> checkpointer_;
  CurrentCache cache_;
  std::vector<std::string> written_;  // the writer's: keys of the resources the open transaction writes
  // search_param ids by type and parameter (writer only)
  std::unordered_map<std::string, std::unordered_map<std::string, int64_t>> pids_;

  std::mutex queue_mutex_;
  std::condition_variable queue_ready_;
  std::condition_variable queue_space_;
  std::deque<std::unique_ptr<Pending>> queue_;
  bool stopping_ = false;
  std::thread writer_;

  std::mutex readers_mutex_;
  std::condition_variable reader_free_;
  std::vector<std::unique_ptr<Connection>> idle_readers_;
};

// Builds the WHERE conditions and ORDER BY of a search over resource_current `c`
// (sqlite_search.cpp). Values to bind are appended to `binds` in order.
struct SqlBinding {
  enum class Kind { Text, Integer, Real, Visibility } kind = Kind::Text;
  std::string text;
  int64_t integer = 0;
  double real = 0;
  const Visibility* visibility = nullptr;  // for cb_visible(type, access, ?) (sqlite_connection.h)
};
inline SqlBinding visibility_binding(const Visibility* v) { return {SqlBinding::Kind::Visibility, {}, 0, 0, v}; }
std::string search_conditions(const SearchQuery& query, const std::string& alias, std::vector<SqlBinding>& binds);
// The ORDER BY of a search, with the joins that bring in the sort values (their
// values to bind come before the WHERE's).
struct SortSql {
  std::string joins;
  std::vector<SqlBinding> binds;
  std::string order;
};
SortSql search_order(const SearchQuery& query);

}  // namespace carebridge::gateway::store
