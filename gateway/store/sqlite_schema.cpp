// The store's schema (see sqlite_schema.h).
#include "gateway/store/sqlite_schema.h"

#include <stdexcept>

#include "gateway/store/sqlite_index_tables.h"

namespace carebridge::gateway::store {

int64_t single_integer(Connection& db, const std::string& sql) {
  auto q = db.prepare(sql);
  return q.step() ? q.int64(0) : 0;
}

namespace {

// Schema version 3: per-kind search-index tables keyed by integers
// (sqlite_index_tables.h) and the packed index rows of each current version
// (index_blob.h). Version 1 kept every kind in one table with four indexes;
// version 2 keyed the index tables by type, parameter and id as text.
// Version 4 added the commit log (commit hooks' records, the write log among them);
// version 5 the access facts of every version (who may see it, store.h).
// Version 7 folds string rows of every Latin script, NFD accents, Greek and Cyrillic (fold.cpp).
// Version 8 adds each UCUM quantity's canonical row (fhir/search/ucum_canonical.h).
constexpr int kSchemaVersion = 9;  // 6: identifier:of-type rows; 7: string rows folded anew; 8: canonical UCUM rows; 9: code-value-date rows
constexpr const char* kResourceSchema = R"sql(
CREATE TABLE IF NOT EXISTS resource_version(
  seq INTEGER PRIMARY KEY,
  type TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL,
  last_updated TEXT NOT NULL, updated_ms INTEGER NOT NULL,
  deleted INTEGER NOT NULL, method TEXT NOT NULL, body TEXT NOT NULL, access BLOB NOT NULL,
  UNIQUE(type, id, version));
CREATE INDEX IF NOT EXISTS resource_version_type ON resource_version(type, seq);
CREATE INDEX IF NOT EXISTS resource_version_updated ON resource_version(updated_ms);
CREATE TABLE IF NOT EXISTS resource_current(
  rid INTEGER PRIMARY KEY,
  type TEXT NOT NULL, id TEXT NOT NULL, version INTEGER NOT NULL, deleted INTEGER NOT NULL,
  updated_ms INTEGER NOT NULL, seq INTEGER NOT NULL, index_rows BLOB NOT NULL, access BLOB NOT NULL,
  UNIQUE(type, id));
CREATE INDEX IF NOT EXISTS resource_current_seq ON resource_current(type, seq);
CREATE TABLE IF NOT EXISTS search_param(
  pid INTEGER PRIMARY KEY, type TEXT NOT NULL, param TEXT NOT NULL, UNIQUE(type, param));
CREATE TABLE IF NOT EXISTS commit_log(
  log TEXT NOT NULL, seq INTEGER NOT NULL, record BLOB NOT NULL, PRIMARY KEY(log, seq)) WITHOUT ROWID;
)sql";

// The query planner's picture of the tables, for a store of a million resources (a new
// store has nothing to measure, and ANALYZE on a large one is slow). Without it SQLite
// walks every record of a type in date order looking for the one a search names (an
// identifier, a subject): 250 us per conditional write at 7,000 Observations, growing with
// the store. With it, it looks the few matching rows up by their keys. Written once; a
// store whose statistics were measured (ANALYZE) keeps them.
constexpr const char* kPlannerStatistics = R"sql(
INSERT INTO sqlite_stat1(tbl, idx, stat) VALUES
  ('resource_version', 'resource_version_updated', '2000000 2'),
  ('resource_version', 'resource_version_type', '2000000 100000 1'),
  ('resource_version', 'sqlite_autoindex_resource_version_1', '2000000 100000 2 1'),
  ('resource_current', 'resource_current_seq', '1000000 50000 1'),
  ('resource_current', 'sqlite_autoindex_resource_current_1', '1000000 50000 1'),
  ('search_param', 'sqlite_autoindex_search_param_1', '2000 20 1'),
  ('search_string', 'search_string', '2000000 20000 10 10 1'),
  ('search_reference', 'search_reference', '4000000 40000 5 5 1'),
  ('search_token', 'search_token', '5000000 50000 20 20 1 1'),
  ('search_range', 'search_range', '2000000 20000 20 20 20 20 1'),
  ('commit_log', 'commit_log', '1000000 250000 1');
)sql";

void planner_statistics(Connection& db) {
  db.exec("ANALYZE sqlite_schema");  // creates sqlite_stat1 when absent
  if (single_integer(db, "SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'resource_current'") != 0) return;
  db.exec("BEGIN");
  db.exec("DELETE FROM sqlite_stat1");
  db.exec(kPlannerStatistics);
  db.exec("COMMIT");
  db.exec("ANALYZE sqlite_schema");  // loads them into this connection (others load them when they open)
}

}  // namespace

void open_schema(Connection& db, const std::string& path) {
  int64_t version = single_integer(db, "PRAGMA user_version");
  if (version == kSchemaVersion) return planner_statistics(db);
  if (version != 0 || single_integer(db, "SELECT COUNT(*) FROM sqlite_master") != 0) {
    throw std::runtime_error(path + " was written by another Carebridge version (schema " + std::to_string(version) +
                             ", this build reads " + std::to_string(kSchemaVersion) +
                             "); move it away and load the data again");
  }
  db.exec("BEGIN");
  db.exec(kResourceSchema);
  db.exec(index_schema().c_str());
  db.exec(("PRAGMA user_version = " + std::to_string(kSchemaVersion)).c_str());
  db.exec("COMMIT");
  planner_statistics(db);
}

}  // namespace carebridge::gateway::store
