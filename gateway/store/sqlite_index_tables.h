// The search-index tables of the SQLite store, one per kind of value, each keyed
// by what a search looks up first (resource type, parameter, value) and ending in
// the resource id: a search reads one range of one B-tree, and a resource's row
// costs one B-tree insert. WITHOUT ROWID, so the key is the row.
#pragma once

#include <string>

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

// Adds or removes one row of a resource (removal matches the row exactly).
void insert_index_row(Connection& db, const std::string& type, const std::string& id, const IndexEntry& row);
void delete_index_row(Connection& db, const std::string& type, const std::string& id, const IndexEntry& row);

}  // namespace carebridge::gateway::store
