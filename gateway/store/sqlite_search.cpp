// Turns a SearchQuery into SQL over resource_current and search_index. Every value
// is bound, never spliced into the SQL text; the SQL shape depends only on the
// query's structure, so prepared statements are reused across requests.
#include "gateway/store/sqlite_index_tables.h"
#include "gateway/store/sqlite_store.h"

namespace carebridge::gateway::store {
namespace {

SqlBinding text(std::string value) { return {SqlBinding::Kind::Text, std::move(value)}; }
SqlBinding real(double value) { return {SqlBinding::Kind::Real, {}, 0, value}; }

// Escapes LIKE wildcards (the pattern uses ESCAPE '\').
std::string like_escape(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

// A range comparison between the row range [lo, hi] and the searched range (FHIR search 3.1.1.4.2).
std::string range_sql(const ValueMatch& m, const std::string& lo, const std::string& hi, std::vector<SqlBinding>& b) {
  const std::string& p = m.prefix;
  std::string sql;
  if (p == "ne") {
    sql = "NOT (" + lo + " >= ? AND " + hi + " <= ?)";
    b.push_back(real(m.low));
    b.push_back(real(m.high));
  } else if (p == "gt") {
    sql = hi + " > ?";
    b.push_back(real(m.high));
  } else if (p == "lt") {
    sql = lo + " < ?";
    b.push_back(real(m.low));
  } else if (p == "ge") {
    sql = hi + " >= ?";
    b.push_back(real(m.low));
  } else if (p == "le") {
    sql = lo + " <= ?";
    b.push_back(real(m.high));
  } else if (p == "sa") {
    sql = lo + " > ?";
    b.push_back(real(m.high));
  } else if (p == "eb") {
    sql = hi + " < ?";
    b.push_back(real(m.low));
  } else {  // eq (and ap, treated as eq over the value's implicit range)
    sql = lo + " >= ? AND " + hi + " <= ?";
    b.push_back(real(m.low));
    b.push_back(real(m.high));
  }
  return "(" + lo + " IS NOT NULL AND " + sql + ")";
}

// The rows [value, value with its last byte + 1): every text starting with `value`,
// as a range of the index rather than a LIKE scan.
std::string starts_with_sql(const std::string& column, const std::string& value, std::vector<SqlBinding>& b) {
  if (value.empty()) return "1 = 1";
  std::string upper = value;
  upper.back() = static_cast<char>(static_cast<unsigned char>(upper.back()) + 1);
  b.push_back(text(value));
  b.push_back(text(upper));
  return "(" + column + " >= ? AND " + column + " < ?)";
}

IndexTable table_for(ValueMatch::Kind kind) {
  using K = ValueMatch::Kind;
  switch (kind) {
    case K::Token:
    case K::TokenText: return IndexTable::Token;
    case K::Reference: return IndexTable::Reference;
    case K::Range: return IndexTable::Range;
    default: return IndexTable::String;
  }
}

std::string value_sql(const ValueMatch& m, std::vector<SqlBinding>& b);

// The condition on one index row `s` (of table_for(m.kind)) that matches `m`.
std::string match_sql(const ValueMatch& m, std::vector<SqlBinding>& b) {
  std::string sql = value_sql(m, b);
  if (!m.code_prefix.empty()) sql = "(" + sql + " AND " + starts_with_sql("s.code", m.code_prefix, b) + ")";
  if (!m.system_prefix.empty()) sql = "(" + sql + " AND " + starts_with_sql("s.system", m.system_prefix, b) + ")";
  if (!m.system_suffix.empty()) {
    b.push_back(text(m.system_suffix));
    b.push_back(text(m.system_suffix));
    sql = "(" + sql + " AND substr(s.system, length(s.system) - length(?) + 1) = ?)";
  }
  return sql;
}

// The value condition of `m` (without its LIKE patterns).
std::string value_sql(const ValueMatch& m, std::vector<SqlBinding>& b) {
  using K = ValueMatch::Kind;
  switch (m.kind) {
    case K::StringStarts: return starts_with_sql("s.norm", m.text, b);
    case K::StringContains:
      b.push_back(text("%" + like_escape(m.text) + "%"));
      return "s.norm LIKE ? ESCAPE '\\'";
    case K::StringExact:
      b.push_back(text(m.text));
      return "s.text = ?";
    case K::TokenText:
      // The display, or the concept's text after the separator (search_values.cpp).
      b.push_back(text(like_escape(m.text) + "%"));
      b.push_back(text("%" + std::string(1, fhir::search::kTextSeparator) + like_escape(m.text) + "%"));
      return "(s.norm LIKE ? ESCAPE '\\' OR s.norm LIKE ? ESCAPE '\\')";
    case K::Token: {
      std::string sql;
      if (!m.code.empty()) {
        b.push_back(text(m.code));
        sql = "s.code = ?";
      }
      if (!m.any_system) {
        b.push_back(text(m.system));
        sql += (sql.empty() ? "" : " AND ") + std::string("s.system = ?");
      }
      return sql.empty() ? "1 = 1" : "(" + sql + ")";
    }
    case K::Reference:
      b.push_back(text(m.code));
      // A bare id matches a reference to that id of any type.
      return m.code.find('/') != std::string::npos ? "s.code = ?" : "substr(s.code, instr(s.code, '/') + 1) = ?";
    case K::Uri:
      b.push_back(text(m.text));
      return "s.norm = ?";
    case K::UriBelow: return starts_with_sql("s.norm", m.text, b);
    case K::Range: {
      std::string sql = range_sql(m, "s.low", "s.high", b);
      if (!m.code.empty()) {
        b.push_back(text(m.code));
        sql += " AND s.code = ?";
      }
      if (!m.any_system && !m.system.empty()) {
        b.push_back(text(m.system));
        sql += " AND s.system = ?";
      }
      return "(" + sql + ")";
    }
    case K::Missing: return "1 = 1";
  }
  return "1 = 0";
}

void append(std::vector<SqlBinding>& to, std::vector<SqlBinding>& from) {
  for (auto& v : from) to.push_back(std::move(v));
}

// The parameters whose rows a clause reads: its own, and a union's members.
std::vector<std::string> params_of(const Clause& clause) {
  std::vector<std::string> params{clause.param};
  params.insert(params.end(), clause.also.begin(), clause.also.end());
  return params;
}

// The ids (pid) of parameters: of one type, or of every type for a system search.
std::string pids_sql(const std::string& type, const std::vector<std::string>& params, std::vector<SqlBinding>& b) {
  std::string names;
  for (size_t i = 0; i < params.size(); ++i) names += i ? ", ?" : "?";
  if (type.empty()) {
    for (const auto& p : params) b.push_back(text(p));
    return "s.pid IN (SELECT pid FROM search_param WHERE param IN (" + names + "))";
  }
  b.push_back(text(type));
  for (const auto& p : params) b.push_back(text(p));
  if (params.size() == 1) return "s.pid = (SELECT pid FROM search_param WHERE type = ? AND param = ?)";
  return "s.pid IN (SELECT pid FROM search_param WHERE type = ? AND param IN (" + names + "))";
}

// Whether the resource `alias` has a row of `params` in `table` meeting `condition`
// (whose values are in `condition_binds`); the rows are read by parameter straight
// from the table's key.
std::string has_row(IndexTable table, const std::string& alias, const std::string& type,
                    const std::vector<std::string>& params, const std::string& condition,
                    std::vector<SqlBinding>& condition_binds, std::vector<SqlBinding>& b) {
  std::string sql = alias + ".rid IN (SELECT s.rid FROM " + table_name(table) + " s WHERE " + pids_sql(type, params, b);
  if (!condition.empty()) sql += " AND " + condition;
  append(b, condition_binds);
  return sql + ")";
}

// Resources with any row of `params`, whatever its kind.
std::string has_any_row(const std::string& alias, const std::string& type, const std::vector<std::string>& params,
                        std::vector<SqlBinding>& b) {
  std::string sql;
  std::vector<SqlBinding> none;
  for (IndexTable t : kIndexTables) sql += (sql.empty() ? "" : " OR ") + has_row(t, alias, type, params, "", none, b);
  return "(" + sql + ")";
}

// `type` names the resource type when the query has one; empty for system searches.
std::string clause_sql(const Clause& clause, const std::string& alias, const std::string& type, std::vector<SqlBinding>& b) {
  if (clause.param == "_id") {
    std::string sql;
    for (const auto& m : clause.any_of) {
      sql += sql.empty() ? "" : ", ";
      sql += "?";
      b.push_back(text(m.code.empty() ? m.text : m.code));
    }
    if (sql.empty()) return "1 = 1";
    return std::string(clause.negate ? "NOT " : "") + alias + ".id IN (" + sql + ")";
  }
  if (clause.param == "_lastUpdated") {
    std::string sql;
    std::string seconds = "(" + alias + ".updated_ms / 1000.0)";
    for (const auto& m : clause.any_of) {
      sql += sql.empty() ? "" : " OR ";
      sql += range_sql(m, seconds, seconds, b);
    }
    return sql.empty() ? "1 = 1" : "(" + sql + ")";
  }
  if (!clause.has_type.empty() && clause.chain) {
    std::string referrer = "h" + std::to_string(b.size());
    b.push_back(text(clause.has_type));
    b.push_back(text(clause.param));
    std::string sql = "(" + alias + ".type || '/' || " + alias + ".id) IN (SELECT r.code FROM search_reference r JOIN " +
                      "resource_current " + referrer + " ON " + referrer + ".rid = r.rid WHERE r.pid = (SELECT pid FROM " +
                      "search_param WHERE type = ? AND param = ?) AND " + referrer + ".deleted = 0 AND " +
                      clause_sql(*clause.chain, referrer, clause.has_type, b) + ")";
    return (clause.negate ? "NOT " : "") + sql;
  }
  if (clause.any_of.size() == 1 && clause.any_of[0].kind == ValueMatch::Kind::Missing) {
    return std::string(clause.any_of[0].missing ? "NOT " : "") + has_any_row(alias, type, params_of(clause), b);
  }
  std::string sql;
  if (clause.chain) {
    std::string inner = "t" + std::to_string(b.size());
    std::vector<SqlBinding> chain_binds{text(clause.chain_type + "/"), text(clause.chain_type)};
    std::string condition = "s.code IN (SELECT ? || " + inner + ".id FROM resource_current " + inner + " WHERE " + inner +
                            ".type = ? AND " + inner + ".deleted = 0 AND " +
                            clause_sql(*clause.chain, inner, clause.chain_type, chain_binds) + ")";
    sql = has_row(IndexTable::Reference, alias, type, params_of(clause), condition, chain_binds, b);
  } else {
    // The matches of each table, OR'ed within the table; tables OR'ed together.
    for (IndexTable t : kIndexTables) {
      std::string any;
      std::vector<SqlBinding> any_binds;
      for (const auto& m : clause.any_of) {
        if (table_for(m.kind) != t) continue;
        any += (any.empty() ? "" : " OR ") + match_sql(m, any_binds);
      }
      if (any.empty()) continue;
      sql += (sql.empty() ? "" : " OR ") + has_row(t, alias, type, params_of(clause), "(" + any + ")", any_binds, b);
    }
    if (sql.empty()) return clause.negate ? "1 = 1" : "1 = 0";
  }
  return (clause.negate ? "NOT (" : "(") + sql + ")";
}

}  // namespace

std::string search_conditions(const SearchQuery& query, const std::string& alias, std::vector<SqlBinding>& binds) {
  std::string where = alias + ".deleted = 0";
  if (!query.type.empty()) {
    where += " AND " + alias + ".type = ?";
    binds.push_back(text(query.type));
  }
  for (const auto& clause : query.clauses) where += " AND " + clause_sql(clause, alias, query.type, binds);
  return where;
}

SortSql search_order(const SearchQuery& query) {
  SortSql out;
  for (size_t i = 0; i < query.sort.size(); ++i) {
    const SortKey& key = query.sort[i];
    if (!out.order.empty()) out.order += ", ";
    if (key.param == "_lastUpdated") {
      out.order += "c.updated_ms";
    } else if (key.param == "_id") {
      out.order += "c.id";
    } else {
      // Each resource's smallest (largest when descending) value of the parameter,
      // from every index table, grouped once and joined by id.
      std::string k = "k" + std::to_string(i);
      std::string values;
      for (IndexTable t : kIndexTables) {
        values += std::string(values.empty() ? "" : " UNION ALL ") + "SELECT s.rid, s." + sort_column(t) + " AS v FROM " +
                  table_name(t) + " s WHERE " + pids_sql(query.type, {key.param}, out.binds);
      }
      out.joins += " LEFT JOIN (SELECT rid, " + std::string(key.descending ? "MAX" : "MIN") + "(v) AS v FROM (" + values +
                   ") GROUP BY rid) " + k + " ON " + k + ".rid = c.rid";
      out.order += k + ".v";
    }
    out.order += key.descending ? " DESC" : " ASC";
  }
  if (!out.order.empty()) out.order += ", ";
  out.order += "c.seq ASC";
  return out;
}

}  // namespace carebridge::gateway::store
