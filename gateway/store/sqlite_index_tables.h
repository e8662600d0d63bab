// The search-index tables of the SQLite store, one per kind of value, each keyed
// by what a search looks up first (the parameter of a resource type, as a small
// integer `pid` from search_param, then the value) and ending in the resource's
// `rid` (its resource_current row): a search reads one range of one B-tree, and
// a resource's row costs one B-tree insert of a short key. WITHOUT ROWID, so the
// key is the row.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "gateway/store/store.h"

namespace carebridge::gateway::store {

class Connection;

enum class IndexTable { String, Token, Reference, Range };
constexpr IndexTable kIndexTables[] = {IndexTable::String, IndexTable::Token, IndexTable::Reference, IndexTable::Range};

IndexTable table_of(IndexKind kind);
const char* table_name(IndexTable table);
// The column a search sorts a parameter of this table by.
const char* sort_column(IndexTable table);

// CREATE statements for every index table.
std::string index_schema();

// Adds a resource's rows, each with its parameter's pid (a few statements, each
// adding many rows), or removes one row (matching it exactly).
void insert_index_rows(Connection& db, int64_t rid, const std::vector<std::pair<int64_t, const IndexEntry*>>& rows);
void delete_index_row(Connection& db, int64_t pid, int64_t rid, const IndexEntry& row);

}  // namespace carebridge::gateway::store
