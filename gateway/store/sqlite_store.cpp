// The SQLite store: schema, the group-committing writer thread and the reads.
#include "gateway/store/sqlite_store.h"

#include <iostream>
#include <map>

#include <pthread.h>

#include <chrono>

#include "gateway/store/index_blob.h"
#include "gateway/store/sqlite_connection.h"
#include "gateway/store/sqlite_index_tables.h"
#include "gateway/store/sqlite_schema.h"
#include "gateway/store/wal_write_buffer.h"

namespace carebridge::gateway::store {
namespace {

constexpr const char* kVersionColumns =
    "v.type, v.id, v.version, v.last_updated, v.updated_ms, v.deleted, v.method, v.body, v.access";

ResourceRecord record_from(const Statement& row) {
  ResourceRecord r;
  r.type = row.text(0);
  r.id = row.text(1);
  r.version = row.int64(2);
  r.last_updated = row.text(3);
  r.updated_ms = row.int64(4);
  r.deleted = row.int64(5) != 0;
  r.method = row.text(6);
  r.body = row.text(7);
  r.access = row.blob(8);
  return r;
}

void bind_all(Statement& statement, const std::vector<SqlBinding>& binds, int first) {
  int i = first;
  for (const auto& b : binds) {
    switch (b.kind) {
      case SqlBinding::Kind::Text: statement.bind(i++, b.text); break;
      case SqlBinding::Kind::Integer: statement.bind(i++, b.integer); break;
      case SqlBinding::Kind::Real: statement.bind(i++, b.real); break;
      case SqlBinding::Kind::Visibility: statement.bind_visibility(i++, b.visibility); break;
    }
  }
}

// One read transaction over several queries (committed, or rolled back on an exception).
class ReadTransaction {
 public:
  explicit ReadTransaction(Connection& db) : db_(db) { db_.exec("BEGIN"); }
  ~ReadTransaction() {
    // A connection must not go back to the pool inside a transaction: its old
    // snapshot would keep the WAL from being reset.
    try {
      db_.exec("COMMIT");
    } catch (const std::exception&) {
      try {
        db_.exec("ROLLBACK");
      } catch (const std::exception&) {
      }
    }
  }
  ReadTransaction(const ReadTransaction&) = delete;
  ReadTransaction& operator=(const ReadTransaction&) = delete;

 private:
  Connection& db_;
};

// Interrupts the connection's statements once `deadline` has passed (none when
// zero), for as long as it lives; expired() tells whether it did.
class Deadline {
 public:
  Deadline(Connection& db, std::chrono::steady_clock::time_point deadline) : db_(db), deadline_(deadline) {
    if (deadline_ == std::chrono::steady_clock::time_point{}) return;
    sqlite3_progress_handler(db_.handle(), 1000, &Deadline::check, this);
  }
  ~Deadline() { sqlite3_progress_handler(db_.handle(), 0, nullptr, nullptr); }
  Deadline(const Deadline&) = delete;
  Deadline& operator=(const Deadline&) = delete;
  bool expired() const { return expired_; }

 private:
  static int check(void* self) {
    auto* d = static_cast<Deadline*>(self);
    d->expired_ = d->expired_ || std::chrono::steady_clock::now() > d->deadline_;
    return d->expired_ ? 1 : 0;
  }
  Connection& db_;
  std::chrono::steady_clock::time_point deadline_;
  bool expired_ = false;
};

}  // namespace

class SqliteStore::Reader {
 public:
  Reader(SqliteStore& store, std::unique_ptr<Connection> db) : store_(store), db_(std::move(db)) {}
  Reader(Reader&& other) noexcept : store_(other.store_), db_(std::move(other.db_)) {}
  ~Reader() {
    if (!db_) return;
    std::lock_guard lock(store_.readers_mutex_);
    store_.idle_readers_.push_back(std::move(db_));
    store_.reader_free_.notify_one();
  }
  Connection* operator->() { return db_.get(); }
  Connection& operator*() { return *db_; }

 private:
  SqliteStore& store_;
  std::unique_ptr<Connection> db_;
};

SqliteStore::SqliteStore(const SqliteOptions& options) : options_(options), cache_(options.cache_bytes) {
  std::filesystem::create_directories(options_.directory);
  path_ = (options_.directory / "carebridge.db").string();
  writer_db_ = std::make_unique<Connection>(path_, true, wal_write_buffer_vfs());
  // The writer reads the pages it changes into its own cache: through the memory map,
  // every page of the file it ever touched (a store's whole index, in time) stayed in
  // the process's resident memory, 150 MB and growing under a search and create load.
  writer_db_->exec("PRAGMA mmap_size=0");
  open_schema(*writer_db_, path_);
  if (options_.max_pages > 0) writer_db_->exec(("PRAGMA max_page_count = " + std::to_string(options_.max_pages)).c_str());
  for (unsigned i = 0; i < std::max(1u, options_.readers); ++i) {
    idle_readers_.push_back(std::make_unique<Connection>(path_, false));
    idle_readers_.back()->exec("PRAGMA query_only=ON");
    // Readers see pages through the memory map; their own caches can stay small (64
    // or more readers at 32 MB each would be gigabytes).
    idle_readers_.back()->exec("PRAGMA cache_size=-4096");
  }
  checkpointer_ = std::make_unique<WalCheckpointer>(path_, *writer_db_);
  commit_log_ = std::make_unique<SqliteCommitLog>(*writer_db_);
  writer_ = std::thread([this] { writer_loop(); });
}

SqliteStore::~SqliteStore() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_ready_.notify_all();
  if (writer_.joinable()) writer_.join();
  checkpointer_.reset();
  idle_readers_.clear();
  writer_db_.reset();
}

void SqliteStore::observe(const char* operation, std::chrono::steady_clock::time_point start) {
  if (!options_.timings) return;
  options_.timings->observe(operation, std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
}

void SqliteStore::commit_async(std::vector<Write> writes, std::function<void(CommitResult)> done) {
  enqueue(std::make_unique<Pending>(Pending{std::move(writes), std::move(done), std::chrono::steady_clock::now(), nullptr}));
}

void SqliteStore::enqueue(std::unique_ptr<Pending> pending) {
  {
    std::unique_lock lock(queue_mutex_);
    queue_space_.wait(lock, [&] { return stopping_ || queue_.size() < options_.max_queued_commits; });
    if (!stopping_) {
      queue_.push_back(std::move(pending));
    }
  }
  if (pending) return pending->done({CommitResult::Status::Failed, "the store is shutting down", 0});
  queue_ready_.notify_one();
}

void SqliteStore::writer_loop() {
  pthread_setname_np(pthread_self(), "cb-store-writer");  // as top, perf and gdb show it
  for (;;) {
    std::vector<std::unique_ptr<Pending>> group;
    {
      std::unique_lock lock(queue_mutex_);
      queue_ready_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping with nothing left to write
      // A streaming commit still under way is written on its own, as its writes come; one
      // whose caller has handed over everything joins the group (a transaction Bundle
      // each from many clients: one WAL sync for them all instead of one each).
      while (!queue_.empty() && group.size() < options_.max_group) {
        bool streaming = queue_.front()->stream && !settle(*queue_.front());
        if (streaming && !group.empty()) break;
        group.push_back(std::move(queue_.front()));
        queue_.pop_front();
        if (streaming) break;
      }
    }
    queue_space_.notify_all();
    auto start = std::chrono::steady_clock::now();
    std::vector<CommitResult> results =
        group.front()->stream ? std::vector<CommitResult>{write_stream(*group.front()->stream)} : write_group(group);
    observe("group_commit", start);
    for (size_t i = 0; i < group.size(); ++i) {
      observe("commit", group[i]->queued);
      try {
        group[i]->done(std::move(results[i]));
      } catch (const std::exception&) {  // a completion must not stop the writer or the group's other completions
      }
    }
  }
}

// The whole group in one transaction: each commit is checked for conflicts against
// the database and the commits before it, and applied only when it has none, so a
// refused commit leaves nothing to undo. Should anything else fail (a full disk, an
// I/O error), the group is rolled back and every commit retried in its own
// transaction, so that one bad commit cannot fail the others.
std::vector<CommitResult> SqliteStore::write_group(const std::vector<std::unique_ptr<Pending>>& group) {
  std::vector<CommitResult> results(group.size());
  Connection& db = *writer_db_;
  try {
    db.exec("BEGIN IMMEDIATE");
    Versions versions;
    for (size_t i = 0; i < group.size(); ++i) {
      if (group[i]->abandoned) {
        results[i] = {CommitResult::Status::Failed, "the commit was abandoned", 0};
        continue;
      }
      results[i] = check(db, group[i]->writes, versions, true);
      if (results[i].ok()) apply(db, group[i]->writes);
    }
    commit_log_->write();
    db.exec("COMMIT");  // one WAL sync for the whole group
    end_transaction(true);
    return results;
  } catch (const std::exception&) {
    rollback(db);
    end_transaction(false);
  }
  pids_.clear();  // ids given out in the rolled-back transaction are gone
  for (size_t i = 0; i < group.size(); ++i) {
    if (group[i]->abandoned) continue;  // its result says so already
    try {
      db.exec("BEGIN IMMEDIATE");
      Versions versions;
      results[i] = check(db, group[i]->writes, versions, false);
      if (results[i].ok()) apply(db, group[i]->writes);
      commit_log_->write();
      db.exec("COMMIT");
      end_transaction(true);
    } catch (const std::exception& e) {
      rollback(db);
      end_transaction(false);
      pids_.clear();
      results[i] = failed(db, e);
    }
  }
  if (!results.empty() && results.back().status != CommitResult::Status::Unavailable) writes_failing_ = false;
  return results;
}

void SqliteStore::end_transaction(bool committed) {
  // Before any commit's completion runs: a client told of its write reads it back.
  cache_.forget(written_);
  written_.clear();
  if (!committed) commit_log_->discard();
  for (const auto& hook : hooks_) hook->ended(committed);
}

CommitResult SqliteStore::failed(Connection& db, const std::exception& e) {
  if (auto* hook = dynamic_cast<const HookFailure*>(&e)) return {CommitResult::Status::Failed, hook->what(), 0};
  auto* sqlite = dynamic_cast<const SqliteError*>(&e);
  int code = sqlite ? sqlite->code : sqlite3_errcode(db.handle());
  // The details (SQLite's own words) go to the operator's log, not to the client.
  std::cerr << "carebridge: the store could not write: " << e.what() << std::endl;
  if (code == SQLITE_FULL || code == SQLITE_IOERR || code == SQLITE_READONLY || code == SQLITE_CANTOPEN) {
    writes_failing_ = true;  // /readyz says so until a write succeeds again
    return {CommitResult::Status::Unavailable, "the store cannot write now (disk full or unavailable); try again later", 0};
  }
  return {CommitResult::Status::Failed, "the store could not write this commit", 0};
}

void SqliteStore::rollback(Connection& db) {
  try {
    db.exec("ROLLBACK");
  } catch (const std::exception&) {  // no transaction was open
  }
}

CommitResult SqliteStore::check(Connection& db, const std::vector<Write>& writes, Versions& versions, bool trust_new) {
  Versions after;  // this commit's versions, kept only when all of its writes pass
  for (size_t i = 0; i < writes.size(); ++i) {
    const ResourceRecord& r = writes[i].record;
    if (r.type.empty()) continue;  // log records only
    std::string key = r.type + "/" + r.id;
    int64_t current = 0;
    bool creates = r.version == 1 && writes[i].expected_version == 0;
    if (auto it = after.find(key); it != after.end()) {
      current = it->second;
    } else if (auto found = versions.find(key); found != versions.end()) {
      current = found->second;
    } else if (creates && trust_new) {
      // A new id (server-assigned ids are UUIDs): not looked up. Should it exist
      // after all, the UNIQUE constraints fail the insert, the group is rolled back
      // and this commit is checked again with the lookup.
    } else {
      static const std::string kVersion = "SELECT version FROM resource_current WHERE type = ?1 AND id = ?2";
      auto q = db.prepare(kVersion);
      q.bind(1, r.type).bind(2, r.id);
      if (q.step()) current = q.int64(0);
    }
    const auto& expected = writes[i].expected_version;
    if ((expected && *expected != current) || r.version != current + 1) {
      return {CommitResult::Status::Conflict,
              key + " is at version " + std::to_string(current) + (expected ? ", not " + std::to_string(*expected) : ""), i};
    }
    after[key] = r.version;
  }
  for (auto& [key, version] : after) versions[key] = version;
  return {};
}

int64_t SqliteStore::pid_of(Connection& db, const std::string& type, const std::string& param) {
  if (auto t = pids_.find(type); t != pids_.end()) {
    if (auto it = t->second.find(param); it != t->second.end()) return it->second;
  }
  {
    static const std::string kAdd = "INSERT OR IGNORE INTO search_param(type, param) VALUES(?1, ?2)";
    auto q = db.prepare(kAdd);
    q.bind(1, type).bind(2, param);
    q.run();
  }
  static const std::string kFind = "SELECT pid FROM search_param WHERE type = ?1 AND param = ?2";
  auto q = db.prepare(kFind);
  q.bind(1, type).bind(2, param);
  if (!q.step()) throw SqliteError("search parameter " + type + "." + param + " has no id");
  return pids_[type][param] = q.int64(0);
}

void SqliteStore::apply(Connection& db, const std::vector<Write>& writes) {
  for (const Write& w : writes) {
    const ResourceRecord& r = w.record;
    for (const auto& [log, record] : w.logs) commit_log_->append(log, record);
    if (r.type.empty()) continue;  // log records only
    written_.push_back(CurrentCache::key(r.type, r.id));
    int64_t rid = 0;
    std::vector<IndexEntry> previous_rows;
    std::string previous_access;
    if (r.version > 1) {  // check() made sure that version - 1 is the current one
      static const std::string kPrevious =
          "SELECT rid, index_rows, access, deleted FROM resource_current WHERE type = ?1 AND id = ?2";
      auto q = db.prepare(kPrevious);
      q.bind(1, r.type).bind(2, r.id);
      if (!q.step()) throw SqliteError(r.type + "/" + r.id + " has no current version");
      rid = q.int64(0);
      previous_rows = unpack_index(q.blob(1));
      if (q.int64(3) == 0) previous_access = q.blob(2);
    }
    int64_t seq = 0;
    {
      static const std::string kVersion =
          "INSERT INTO resource_version(type, id, version, last_updated, updated_ms, deleted, method, body, access) "
          "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)";
      auto q = db.prepare(kVersion);
      q.bind(1, r.type).bind(2, r.id).bind(3, r.version).bind(4, r.last_updated).bind(5, r.updated_ms);
      q.bind(6, int64_t{r.deleted ? 1 : 0}).bind(7, r.method).bind(8, r.body).bind_blob(9, r.access);
      q.run();
      seq = sqlite3_last_insert_rowid(db.handle());
    }
    static const std::vector<IndexEntry> kNoRows;
    const std::vector<IndexEntry>& rows = r.deleted ? kNoRows : w.index;
    std::string packed = pack_index(rows);
    if (rid) {
      static const std::string kUpdate =
          "UPDATE resource_current SET version = ?1, deleted = ?2, updated_ms = ?3, seq = ?4, index_rows = ?5, "
          "access = ?7 WHERE rid = ?6";
      auto q = db.prepare(kUpdate);
      q.bind(1, r.version).bind(2, int64_t{r.deleted ? 1 : 0}).bind(3, r.updated_ms).bind(4, seq).bind_blob(5, packed);
      q.bind(6, rid).bind_blob(7, r.access);
      q.run();
    } else {
      static const std::string kInsert =
          "INSERT INTO resource_current(type, id, version, deleted, updated_ms, seq, index_rows, access) "
          "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)";
      auto q = db.prepare(kInsert);
      q.bind(1, r.type).bind(2, r.id).bind(3, r.version).bind(4, int64_t{r.deleted ? 1 : 0}).bind(5, r.updated_ms);
      q.bind(6, seq).bind_blob(7, packed).bind_blob(8, r.access);
      q.run();
      rid = sqlite3_last_insert_rowid(db.handle());
    }
    for (const IndexEntry& e : previous_rows) delete_index_row(db, pid_of(db, r.type, e.param), rid, e);
    std::vector<std::pair<int64_t, const IndexEntry*>> added;
    added.reserve(rows.size());
    for (const IndexEntry& e : rows) added.emplace_back(pid_of(db, r.type, e.param), &e);
    insert_index_rows(db, rid, added);
    run_hooks(db, r, rows, previous_access, w.maintenance);
  }
}

void SqliteStore::run_hooks(Connection& db, const ResourceRecord& r, const std::vector<IndexEntry>& rows,
                            std::string_view previous_access, bool maintenance) {
  if (hooks_.empty()) return;
  WriteEvent event{r, rows, r.version - 1, previous_access, [&db, &r]() -> std::string {
                     static const std::string kBody = "SELECT body FROM resource_version WHERE type = ?1 AND id = ?2 AND version = ?3";
                     auto q = db.prepare(kBody);
                     q.bind(1, r.type).bind(2, r.id).bind(3, r.version - 1);
                     return q.step() ? q.text(0) : std::string();
                   },
                   maintenance};
  for (const auto& hook : hooks_) {
    auto done = hook->on_write(event, *commit_log_);
    if (!done) throw HookFailure(done.message());
  }
}

Result<std::vector<LogRecord>> SqliteStore::read_log(std::string_view log, int64_t after, size_t limit) {
  try {
    auto db = reader();
    return SqliteCommitLog::read(*db, log, after, limit);
  } catch (const std::exception&) {
    return Result<std::vector<LogRecord>>::failure("exception", "the store could not read the log");
  }
}

SqliteStore::Reader SqliteStore::reader() {
  std::unique_lock lock(readers_mutex_);
  reader_free_.wait(lock, [&] { return !idle_readers_.empty(); });
  auto db = std::move(idle_readers_.back());
  idle_readers_.pop_back();
  return Reader(*this, std::move(db));
}

std::optional<ResourceRecord> SqliteStore::read_current(Connection& db, const std::string& type, const std::string& id) {
  static const std::string kCurrent = std::string("SELECT ") + kVersionColumns +
                                      " FROM resource_current c JOIN resource_version v ON v.seq = c.seq "
                                      "WHERE c.type = ?1 AND c.id = ?2";
  auto q = db.prepare(kCurrent);
  q.bind(1, type).bind(2, id);
  if (!q.step()) return std::nullopt;
  return record_from(q);
}

std::optional<ResourceRecord> SqliteStore::read(const std::string& type, const std::string& id) {
  auto start = std::chrono::steady_clock::now();
  CurrentCache::Ticket ticket;
  std::optional<ResourceRecord> result = cache_.find(type, id, ticket);
  if (!result) {
    auto db = reader();
    result = read_current(*db, type, id);
    if (result) cache_.keep(*result, ticket);
  }
  observe("read", start);
  return result;
}

std::optional<ResourceRecord> SqliteStore::vread(const std::string& type, const std::string& id, int64_t version) {
  auto start = std::chrono::steady_clock::now();
  auto db = reader();
  auto q = db->prepare(std::string("SELECT ") + kVersionColumns +
                       " FROM resource_version v WHERE v.type = ?1 AND v.id = ?2 AND v.version = ?3");
  q.bind(1, type).bind(2, id).bind(3, version);
  std::optional<ResourceRecord> result;
  if (q.step()) result = record_from(q);
  observe("vread", start);
  return result;
}

std::vector<ResourceRecord> SqliteStore::read_many(const std::vector<std::pair<std::string, std::string>>& keys) {
  auto start = std::chrono::steady_clock::now();
  std::optional<Reader> db;  // taken at the first miss
  std::vector<ResourceRecord> out;
  for (const auto& [type, id] : keys) {
    CurrentCache::Ticket ticket;
    std::optional<ResourceRecord> found = cache_.find(type, id, ticket);
    if (!found) {
      if (!db) db.emplace(reader());
      found = read_current(**db, type, id);
      if (found) cache_.keep(*found, ticket);
    }
    if (found && !found->deleted) out.push_back(std::move(*found));
  }
  observe("read", start);
  return out;
}

HistoryResult SqliteStore::history(const HistoryQuery& query) {
  auto start = std::chrono::steady_clock::now();
  auto db = reader();
  ReadTransaction snapshot(*db);  // the page and the total see the same writes
  HistoryResult result;
  result.snapshot = query.snapshot ? query.snapshot : single_integer(*db, "SELECT MAX(seq) FROM resource_version");
  std::string where = " WHERE v.seq <= ?";
  std::vector<SqlBinding> binds{{SqlBinding::Kind::Integer, {}, result.snapshot}};
  if (!query.type.empty()) {
    where += " AND v.type = ?";
    binds.push_back({SqlBinding::Kind::Text, query.type});
  }
  if (!query.id.empty()) {
    where += " AND v.id = ?";
    binds.push_back({SqlBinding::Kind::Text, query.id});
  }
  if (query.since_ms) {
    where += " AND v.updated_ms >= ?";
    binds.push_back({SqlBinding::Kind::Integer, {}, *query.since_ms});
  }
  if (query.at_ms) {
    where += " AND v.updated_ms <= ? AND NOT EXISTS (SELECT 1 FROM resource_version n WHERE n.type = v.type AND "
             "n.id = v.id AND n.version = v.version + 1 AND n.updated_ms <= ?)";
    binds.push_back({SqlBinding::Kind::Integer, {}, query.at_ms->second});
    binds.push_back({SqlBinding::Kind::Integer, {}, query.at_ms->first});
  }
  if (query.visible) {
    // A version and the resource as it is now: a record labelled later hides its past.
    where += " AND cb_visible(v.type, v.access, ?) AND cb_visible(v.type, (SELECT c.access FROM resource_current c "
             "WHERE c.type = v.type AND c.id = v.id), ?)";
    binds.push_back(visibility_binding(query.visible.get()));
    binds.push_back(visibility_binding(query.visible.get()));
  }
  {
    auto q = db->prepare("SELECT COUNT(*) FROM resource_version v" + where);
    bind_all(q, binds, 1);
    if (q.step()) result.total = q.int64(0);
  }
  auto q = db->prepare(std::string("SELECT ") + kVersionColumns + " FROM resource_version v" + where +
                       " ORDER BY v.seq DESC LIMIT ? OFFSET ?");
  bind_all(q, binds, 1);
  q.bind(static_cast<int>(binds.size()) + 1, int64_t{query.count});
  q.bind(static_cast<int>(binds.size()) + 2, int64_t{query.offset});
  while (q.step()) result.page.push_back(record_from(q));
  observe("history", start);
  return result;
}

Result<SearchResult> SqliteStore::search(const SearchQuery& query) {
  auto start = std::chrono::steady_clock::now();
  std::vector<SqlBinding> binds;
  std::string where = search_conditions(query, "c", binds);
  SortSql sort = search_order(query);
  auto db = reader();
  // The values to bind (and the page's two) against what SQLite takes in one statement.
  size_t values = binds.size() + sort.binds.size() + 2;
  auto most = static_cast<size_t>(sqlite3_limit(db->handle(), SQLITE_LIMIT_VARIABLE_NUMBER, -1));
  if (values > most) {
    return Result<SearchResult>::failure("too-long", "the search compares " + std::to_string(values) +
                                                         " values at once, more than the store takes (" +
                                                         std::to_string(most) + "); split it into several searches");
  }
  SearchResult result;
  Deadline deadline(*db, query.deadline);
  try {
    search_in(*db, query, where, binds, sort, result);
  } catch (const SqliteError& e) {
    if (deadline.expired()) return Result<SearchResult>::failure("too-costly", "the search ran past its deadline");
    return Result<SearchResult>::failure("exception", std::string("the store could not run the search: ") + e.what());
  }
  observe("search", start);
  return result;
}

void SqliteStore::search_in(Connection& db, const SearchQuery& query, const std::string& where,
                            const std::vector<SqlBinding>& binds, const SortSql& sort, SearchResult& result) {
  ReadTransaction snapshot(db);  // the page and the total see the same writes
  result.snapshot = query.snapshot;
  if (result.snapshot == 0) result.snapshot = single_integer(db, "SELECT MAX(seq) FROM resource_version");
  {
    auto q = db.prepare(std::string("SELECT ") + kVersionColumns + " FROM resource_current c" + sort.joins +
                         " JOIN resource_version v ON v.seq = c.seq WHERE " + where + " ORDER BY " + sort.order +
                         " LIMIT ? OFFSET ?");
    bind_all(q, sort.binds, 1);
    bind_all(q, binds, static_cast<int>(sort.binds.size()) + 1);
    int next = static_cast<int>(sort.binds.size() + binds.size()) + 1;
    q.bind(next, int64_t{query.count});
    q.bind(next + 1, int64_t{query.offset});
    size_t bytes = 0;
    while (q.step()) {
      result.page.push_back(record_from(q));
      bytes += result.page.back().body.size();
      // Past the byte bound with room left: the page ends here if another match follows.
      if (query.max_page_bytes && bytes > query.max_page_bytes && result.page.size() < query.count) {
        result.cut = q.step();
        break;
      }
    }
  }
  if (query.want_total) {
    // A page that is not full ends the matches: the total needs no second pass
    // (unless the page is empty past the first, when the offset may overshoot).
    bool last_page = !result.cut && result.page.size() < query.count && (!result.page.empty() || query.offset == 0);
    if (last_page) {
      result.total = static_cast<int64_t>(query.offset + result.page.size());
    } else {
      auto q = db.prepare("SELECT COUNT(*) FROM resource_current c WHERE " + where);
      bind_all(q, binds, 1);
      if (q.step()) result.total = q.int64(0);
    }
  }
}

void SqliteStore::scan(const std::string& type, bool with_body, const std::function<void(const ResourceRecord&)>& visit) {
  auto db = reader();
  ReadTransaction snapshot(*db);
  std::string sql = with_body ? std::string("SELECT ") + kVersionColumns +
                                    " FROM resource_current c JOIN resource_version v ON v.seq = c.seq "
                                    "WHERE c.type = ?1 AND c.deleted = 0"
                              : "SELECT c.type, c.id, c.version, '', c.updated_ms, 0, '', '', c.access "
                                "FROM resource_current c WHERE c.type = ?1 AND c.deleted = 0";
  auto q = db->prepare(sql);
  q.bind(1, type);
  while (q.step()) visit(record_from(q));
}

bool SqliteStore::ready() {
  if (writes_failing_) return false;
  try {
    auto db = reader();
    auto q = db->prepare("SELECT COUNT(*) FROM resource_current WHERE type = 'Patient' AND id = ''");
    q.step();
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

std::vector<std::pair<std::string, IndexEntry>> SqliteStore::index_rows(const std::string& type,
                                                                       const std::vector<std::string>& ids,
                                                                       const std::string& param) {
  auto db = reader();
  std::vector<std::pair<std::string, IndexEntry>> out;
  for (const auto& id : ids) {
    auto q = db->prepare("SELECT index_rows FROM resource_current WHERE type = ?1 AND id = ?2 AND deleted = 0");
    q.bind(1, type).bind(2, id);
    if (!q.step()) continue;
    for (IndexEntry& e : unpack_index(q.blob(0))) {
      if (e.param == param) out.emplace_back(id, std::move(e));
    }
  }
  return out;
}

}  // namespace carebridge::gateway::store
