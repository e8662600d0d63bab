// A thin RAII layer over one SQLite connection: statements are prepared once per
// connection and reused (cached by SQL text), values bound by position.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>

#include "fhir/search/query.h"

namespace carebridge::gateway::store {

// A failed SQLite call (only thrown inside the store, never past its interface).
struct SqliteError : std::runtime_error {
  explicit SqliteError(const std::string& what, int result_code = SQLITE_ERROR)
      : std::runtime_error(what), code(result_code) {}
  int code;  // SQLite's primary result code (SQLITE_FULL, SQLITE_IOERR, ...)
};

class Statement {
 public:
  // `owned`: finalized on destruction (not kept in the connection's cache).
  explicit Statement(sqlite3_stmt* statement, bool owned = false) : statement_(statement), owned_(owned) {}
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Text is not copied: it must stay unchanged until the statement is reset (when
  // this Statement is destroyed).
  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, int64_t value);
  Statement& bind(int index, double value);
  Statement& bind_null(int index);
  Statement& bind_blob(int index, std::string_view bytes);
  // A caller's visibility for the SQL function cb_visible(type, access, ?): true when
  // it accepts a row's access facts (every connection has the function).
  Statement& bind_visibility(int index, const fhir::search::Visibility* visibility);
  // Steps once: true when a row is available.
  bool step();
  // Runs to completion (for statements without results).
  void run();

  int64_t int64(int column) const { return sqlite3_column_int64(statement_, column); }
  double real(int column) const { return sqlite3_column_double(statement_, column); }
  bool is_null(int column) const { return sqlite3_column_type(statement_, column) == SQLITE_NULL; }
  std::string text(int column) const;
  // The bytes of a BLOB (or TEXT) column, valid until the next step or reset.
  std::string_view blob(int column) const;
  void reset();

 private:
  sqlite3_stmt* statement_;
  bool owned_;
};

class Connection {
 public:
  // Opens (creating when `create`) the database file in WAL mode, through the
  // named VFS (the default one when null).
  Connection(const std::string& path, bool create, const char* vfs = nullptr);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs SQL text without results (schema, pragmas, BEGIN/COMMIT).
  void exec(const char* sql);
  // A prepared statement, reset and ready to bind; cached by SQL text (search SQL
  // varies with the query's shape, so the cache is bounded: beyond it, one-off).
  Statement prepare(const std::string& sql);
  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, sqlite3_stmt*> cache_;
  static constexpr size_t kMaxCached = 512;
};

}  // namespace carebridge::gateway::store
