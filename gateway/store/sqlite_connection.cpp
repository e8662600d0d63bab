// SQLite connection and statement wrappers (see sqlite_connection.h).
#include "gateway/store/sqlite_connection.h"

#include "fhir/search/matcher.h"

namespace carebridge::gateway::store {
namespace {
void check(sqlite3* db, int rc, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    throw SqliteError(std::string(what) + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)), rc & 0xff);
  }
}
}  // namespace

Statement::~Statement() {
  if (owned_) {
    sqlite3_finalize(statement_);
  } else {
    reset();
  }
}

Statement& Statement::bind(int index, std::string_view text) {
  check(sqlite3_db_handle(statement_),
        sqlite3_bind_text64(statement_, index, text.data(), text.size(), SQLITE_STATIC, SQLITE_UTF8), "bind");
  return *this;
}

Statement& Statement::bind(int index, int64_t value) {
  check(sqlite3_db_handle(statement_), sqlite3_bind_int64(statement_, index, value), "bind");
  return *this;
}

Statement& Statement::bind(int index, double value) {
  check(sqlite3_db_handle(statement_), sqlite3_bind_double(statement_, index, value), "bind");
  return *this;
}

Statement& Statement::bind_blob(int index, std::string_view bytes) {
  // An empty blob is bound as a zero-length blob, not as NULL (which a null data pointer would give).
  int rc = bytes.empty() ? sqlite3_bind_zeroblob(statement_, index, 0)
                         : sqlite3_bind_blob64(statement_, index, bytes.data(), bytes.size(), SQLITE_TRANSIENT);
  check(sqlite3_db_handle(statement_), rc, "bind");
  return *this;
}

Statement& Statement::bind_null(int index) {
  check(sqlite3_db_handle(statement_), sqlite3_bind_null(statement_, index), "bind");
  return *this;
}

bool Statement::step() {
  int rc = sqlite3_step(statement_);
  if (rc == SQLITE_ROW) return true;
  check(sqlite3_db_handle(statement_), rc, "step");
  return false;
}

void Statement::run() {
  while (step()) {
  }
}

std::string Statement::text(int column) const {
  auto* p = reinterpret_cast<const char*>(sqlite3_column_text(statement_, column));
  return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(statement_, column))) : std::string();
}

std::string_view Statement::blob(int column) const {
  const void* p = sqlite3_column_blob(statement_, column);
  return p ? std::string_view(static_cast<const char*>(p), static_cast<size_t>(sqlite3_column_bytes(statement_, column)))
           : std::string_view();
}

namespace {

constexpr const char* kVisibilityPointer = "carebridge_visibility";

// cb_visible(type, access, visibility): whether the bound visibility accepts the row.
void visible_function(sqlite3_context* context, int, sqlite3_value** argv) {
  auto* visibility = static_cast<const fhir::search::Visibility*>(sqlite3_value_pointer(argv[2], kVisibilityPointer));
  if (!visibility) return sqlite3_result_int(context, 1);
  auto text = [](sqlite3_value* v) {
    const void* p = sqlite3_value_blob(v);
    return p ? std::string_view(static_cast<const char*>(p), static_cast<size_t>(sqlite3_value_bytes(v)))
             : std::string_view();
  };
  sqlite3_result_int(context, visibility->accepts(text(argv[0]), text(argv[1])) ? 1 : 0);
}

// cb_distance_km(latitude1, longitude1, latitude2, longitude2): the matcher's great-circle
// distance, so that `near` in SQL and in memory agree.
void distance_function(sqlite3_context* context, int, sqlite3_value** argv) {
  sqlite3_result_double(context, fhir::search::distance_km(sqlite3_value_double(argv[0]), sqlite3_value_double(argv[1]),
                                                           sqlite3_value_double(argv[2]), sqlite3_value_double(argv[3])));
}

}  // namespace

Statement& Statement::bind_visibility(int index, const fhir::search::Visibility* visibility) {
  // The pointer is only readable through sqlite3_value_pointer with the same name:
  // SQL text can never forge one.
  sqlite3_bind_pointer(statement_, index, const_cast<fhir::search::Visibility*>(visibility), kVisibilityPointer, nullptr);
  return *this;
}

void Statement::reset() {
  if (statement_) {
    sqlite3_reset(statement_);
    sqlite3_clear_bindings(statement_);
  }
}

Connection::Connection(const std::string& path, bool create, const char* vfs) {
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path.c_str(), &db_, flags, vfs);
  if (rc != SQLITE_OK) {
    std::string message = db_ ? sqlite3_errmsg(db_) : sqlite3_errstr(rc);
    sqlite3_close(db_);
    db_ = nullptr;
    throw SqliteError("cannot open " + path + ": " + message);
  }
  sqlite3_busy_timeout(db_, 10000);
  exec("PRAGMA journal_mode=WAL");
  // FULL: the WAL is synced at every commit, so an acknowledged write survives power loss.
  exec("PRAGMA synchronous=FULL");
  exec("PRAGMA foreign_keys=OFF");
  exec("PRAGMA temp_store=MEMORY");
  // Pages are read through a shared mapping instead of copied by pread, and each
  // connection keeps the hot upper levels of the B-trees in its own cache (readers
  // lower it, see SqliteStore).
  exec("PRAGMA mmap_size=1073741824");
  exec("PRAGMA cache_size=-32768");
  sqlite3_create_function_v2(db_, "cb_visible", 3, SQLITE_UTF8 | SQLITE_DIRECTONLY, nullptr, visible_function, nullptr,
                             nullptr, nullptr);
  sqlite3_create_function_v2(db_, "cb_distance_km", 4, SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr,
                             distance_function, nullptr, nullptr, nullptr);
}

Connection::~Connection() {
  for (auto& [sql, statement] : cache_) sqlite3_finalize(statement);
  if (db_) sqlite3_close(db_);
}

void Connection::exec(const char* sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &message);
  if (rc != SQLITE_OK) {
    std::string text = message ? message : sqlite3_errstr(rc);
    sqlite3_free(message);
    throw SqliteError(std::string("SQL failed: ") + text, rc & 0xff);
  }
}

Statement Connection::prepare(const std::string& sql) {
  auto it = cache_.find(sql);
  if (it == cache_.end()) {
    bool cache = cache_.size() < kMaxCached;
    sqlite3_stmt* statement = nullptr;
    check(db_,
          sqlite3_prepare_v3(db_, sql.c_str(), static_cast<int>(sql.size()), cache ? SQLITE_PREPARE_PERSISTENT : 0,
                             &statement, nullptr),
          "prepare");
    if (!cache) return Statement(statement, true);
    it = cache_.emplace(sql, statement).first;
  }
  return Statement(it->second);
}

}  // namespace carebridge::gateway::store
