// Turns a SearchQuery into SQL over resource_current and search_index. Every value
// is bound, never spliced into the SQL text; the SQL shape depends only on the
// query's structure, so prepared statements are reused across requests.
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

std::string match_sql(const ValueMatch& m, std::vector<SqlBinding>& b) {
  using K = ValueMatch::Kind;
  switch (m.kind) {
    case K::StringStarts: {
      // A range on the folded value (uses the index, unlike LIKE): [prefix, prefix with its last byte + 1).
      if (m.text.empty()) return "1 = 1";
      std::string upper = m.text;
      upper.back() = static_cast<char>(static_cast<unsigned char>(upper.back()) + 1);
      b.push_back(text(m.text));
      b.push_back(text(upper));
      return "(s.norm >= ? AND s.norm < ?)";
    }
    case K::StringContains:
      b.push_back(text("%" + like_escape(m.text) + "%"));
      return "s.norm LIKE ? ESCAPE '\\'";
    case K::StringExact:
      b.push_back(text(m.text));
      return "s.text = ?";
    case K::TokenText:
      b.push_back(text(like_escape(m.text) + "%"));
      return "s.norm LIKE ? ESCAPE '\\'";
    case K::Token: {
      std::string sql;
      if (!m.code.empty()) {
        b.push_back(text(m.code));
        sql = "s.code = ?";
      }
      if (!m.any_system) {
        if (!sql.empty()) sql += " AND ";
        if (m.system.empty()) {
          sql += "s.system IS NULL";
        } else {
          b.push_back(text(m.system));
          sql += "s.system = ?";
        }
      }
      return sql.empty() ? "1 = 1" : "(" + sql + ")";
    }
    case K::Reference:
      if (m.code.find('/') != std::string::npos) {
        b.push_back(text(m.code));
        b.push_back(text(m.text.empty() ? m.code : m.text));
        return "(s.code = ? OR s.text = ?)";
      }
      b.push_back(text(m.code));
      return "substr(s.code, instr(s.code, '/') + 1) = ?";
    case K::Uri:
      b.push_back(text(m.text));
      return "s.text = ?";
    case K::UriBelow:
      b.push_back(text(like_escape(m.text) + "%"));
      return "s.text LIKE ? ESCAPE '\\'";
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

// `type` names the resource type when the query has one (the index rows are then
// selected by type directly and SQLite drives the search from the index); empty
// for system searches (rows correlated with the resource's own type).
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
  std::string rows;
  if (type.empty()) {
    rows = "FROM search_index s WHERE s.type = " + alias + ".type AND s.id = " + alias + ".id AND s.param = ?";
  } else {
    b.push_back(text(type));
    rows = "FROM search_index s WHERE s.type = ? AND s.param = ?";
  }
  std::string head = type.empty() ? "EXISTS (SELECT 1 " : alias + ".id IN (SELECT s.id ";
  if (clause.any_of.size() == 1 && clause.any_of[0].kind == ValueMatch::Kind::Missing) {
    b.push_back(text(clause.param));
    return std::string(clause.any_of[0].missing ? "NOT " : "") + head + rows + ")";
  }
  b.push_back(text(clause.param));
  std::string sql = head + rows;
  if (clause.chain) {
    std::string inner = "t" + std::to_string(b.size());
    b.push_back(text(clause.chain_type + "/"));
    b.push_back(text(clause.chain_type));
    sql += " AND s.code IN (SELECT ? || " + inner + ".id FROM resource_current " + inner + " WHERE " + inner +
           ".type = ? AND " + inner + ".deleted = 0 AND " + clause_sql(*clause.chain, inner, clause.chain_type, b) + ")";
  } else if (!clause.any_of.empty()) {
    std::string any;
    for (const auto& m : clause.any_of) {
      any += any.empty() ? "" : " OR ";
      any += match_sql(m, b);
    }
    sql += " AND (" + any + ")";
  }
  sql += ")";
  return clause.negate ? "NOT " + sql : sql;
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

std::string search_order(const SearchQuery& query, std::vector<SqlBinding>& binds) {
  std::string order;
  for (const auto& key : query.sort) {
    if (!order.empty()) order += ", ";
    if (key.param == "_lastUpdated") {
      order += "c.updated_ms";
    } else if (key.param == "_id") {
      order += "c.id";
    } else {
      order += std::string("(SELECT ") + (key.descending ? "MAX" : "MIN") +
               "(COALESCE(s.low, s.norm, s.code, s.text)) FROM search_index s "
               "WHERE s.type = c.type AND s.id = c.id AND s.param = ?)";
      binds.push_back(text(key.param));
    }
    order += key.descending ? " DESC" : " ASC";
  }
  if (!order.empty()) order += ", ";
  order += "c.seq ASC";
  return order;
}

}  // namespace carebridge::gateway::store
