// The per-kind index tables (see sqlite_index_tables.h).
#include "gateway/store/sqlite_index_tables.h"

#include <algorithm>
#include <limits>
#include <string_view>
#include <vector>

#include "gateway/store/sqlite_connection.h"

namespace carebridge::gateway::store {
namespace {

struct TableShape {
  const char* name;
  const char* columns;  // key order; values are bound in this order (1 pid, 2 ...)
  const char* sort;
};

// Uri rows live in the string table with the uri, unfolded, as their norm.
constexpr TableShape kShapes[] = {
    {"search_string", "pid, norm, text, rid", "norm"},
    {"search_token", "pid, code, system, rid, norm", "code"},
    {"search_reference", "pid, code, text, rid", "code"},
    {"search_range", "pid, low, high, code, system, rid", "low"},
};

const TableShape& shape(IndexTable table) { return kShapes[static_cast<int>(table)]; }

std::vector<std::string> column_list(IndexTable table) {
  std::vector<std::string> out;
  std::string_view rest = shape(table).columns;
  while (!rest.empty()) {
    size_t comma = rest.find(", ");
    out.emplace_back(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 2);
  }
  return out;
}

// Rows added by one statement at most (a resource's rows of one table, in chunks).
constexpr size_t kRowsPerInsert = 16;

// INSERT of `rows` rows: VALUES(?1, ?2, ...), (?k+1, ...).
std::string insert_sql(IndexTable table, size_t rows) {
  size_t k = column_list(table).size();
  std::string values;
  for (size_t r = 0; r < rows; ++r) {
    values += r ? ", (" : "(";
    for (size_t i = 1; i <= k; ++i) values += (i > 1 ? ", ?" : "?") + std::to_string(r * k + i);
    values += ")";
  }
  return std::string("INSERT OR IGNORE INTO ") + shape(table).name + "(" + shape(table).columns + ") VALUES" + values;
}

std::string delete_sql(IndexTable table) {
  std::string where;
  auto columns = column_list(table);
  for (size_t i = 0; i < columns.size(); ++i) where += (i ? " AND " : "") + columns[i] + " = ?" + std::to_string(i + 1);
  return std::string("DELETE FROM ") + shape(table).name + " WHERE " + where;
}

// Binds one row's columns from parameter `at` + 1 on.
void bind_row(Statement& q, int at, int64_t pid, int64_t rid, const IndexEntry& e) {
  q.bind(at + 1, pid);
  switch (table_of(e.kind)) {
    case IndexTable::String:
      q.bind(at + 2, e.kind == IndexKind::Uri ? e.text : e.norm).bind(at + 3, e.text).bind(at + 4, rid);
      break;
    case IndexTable::Token: q.bind(at + 2, e.code).bind(at + 3, e.system).bind(at + 4, rid).bind(at + 5, e.norm); break;
    case IndexTable::Reference: q.bind(at + 2, e.code).bind(at + 3, e.text).bind(at + 4, rid); break;
    case IndexTable::Range:
      q.bind(at + 2, e.low.value_or(-std::numeric_limits<double>::max()));
      q.bind(at + 3, e.high.value_or(std::numeric_limits<double>::max()));
      q.bind(at + 4, e.code).bind(at + 5, e.system).bind(at + 6, rid);
      break;
  }
}

struct Statements {
  std::string insert[4][kRowsPerInsert + 1], remove[4];
  size_t columns[4] = {};
  Statements() {
    for (IndexTable t : kIndexTables) {
      int i = static_cast<int>(t);
      for (size_t n = 1; n <= kRowsPerInsert; ++n) insert[i][n] = insert_sql(t, n);
      remove[i] = delete_sql(t);
      columns[i] = column_list(t).size();
    }
  }
};

const Statements& statements() {
  static const Statements s;
  return s;
}

}  // namespace

IndexTable table_of(IndexKind kind) {
  switch (kind) {
    case IndexKind::String:
    case IndexKind::Uri: return IndexTable::String;
    case IndexKind::Token: return IndexTable::Token;
    case IndexKind::Reference: return IndexTable::Reference;
    case IndexKind::Range: return IndexTable::Range;
  }
  return IndexTable::String;
}

const char* table_name(IndexTable table) { return shape(table).name; }
const char* sort_column(IndexTable table) { return shape(table).sort; }

std::string index_schema() {
  std::string sql;
  for (IndexTable t : kIndexTables) {
    std::string columns;
    for (const auto& c : column_list(t)) {
      columns += c + (c == "low" || c == "high" ? " REAL NOT NULL, " : c == "pid" || c == "rid" ? " INTEGER NOT NULL, " : " TEXT NOT NULL, ");
    }
    sql += std::string("CREATE TABLE IF NOT EXISTS ") + shape(t).name + "(" + columns + "PRIMARY KEY(" + shape(t).columns +
           ")) WITHOUT ROWID;\n";
  }
  return sql;
}

void insert_index_rows(Connection& db, int64_t rid, const std::vector<std::pair<int64_t, const IndexEntry*>>& rows) {
  const Statements& sql = statements();
  for (IndexTable t : kIndexTables) {
    int table = static_cast<int>(t);
    std::vector<std::pair<int64_t, const IndexEntry*>> mine;
    for (const auto& row : rows) {
      if (table_of(row.second->kind) == t) mine.push_back(row);
    }
    for (size_t start = 0; start < mine.size(); start += kRowsPerInsert) {
      size_t n = std::min(kRowsPerInsert, mine.size() - start);
      auto q = db.prepare(sql.insert[table][n]);
      for (size_t r = 0; r < n; ++r) {
        bind_row(q, static_cast<int>(r * sql.columns[table]), mine[start + r].first, rid, *mine[start + r].second);
      }
      q.run();
    }
  }
}

void delete_index_row(Connection& db, int64_t pid, int64_t rid, const IndexEntry& row) {
  auto q = db.prepare(statements().remove[static_cast<int>(table_of(row.kind))]);
  bind_row(q, 0, pid, rid, row);
  q.run();
}

}  // namespace carebridge::gateway::store
